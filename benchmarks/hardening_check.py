"""Re-run the reproductions of issue 16 (hardening) as a new user would, through the command
line and the Python API, and print what each gives.

    .venv/bin/python benchmarks/hardening_check.py

For each row: the exit code (or the exception for a Python call), whether stderr is one
`degsdk: error:` line with no traceback, and whether anything was left in the scratch folder
(staging folders, temp files, outputs of a failed run). Rows 3 (kill -9), 4 (threads) and 17
(other plugins installed) need processes or machines of their own: their regression tests run
them (named in the last column). Exits 1 if any row misbehaves.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import torch
import yaml

import degsdk

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": ""}


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    res = subprocess.run([sys.executable, "-m", "degsdk", *args], cwd=cwd, capture_output=True,
                         text=True, env=env or ENV, timeout=300)
    return res.returncode, res.stderr


def one_line(err: str) -> bool:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    return bool(lines) and "Traceback" not in err and lines[0].startswith("degsdk: error:")


def leftovers(root: Path, allowed: set[Path]) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if (".staging-" in p.name or p.suffix == ".tmp" or p.name == ".degsdk-run")
                  and p not in allowed)


def png_header(path: Path, w: int, h: int) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0,
                                                                        0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def recipe(root: Path, **over: object) -> Path:
    data = yaml.safe_load((REPO / "recipes" / "quickstart.yaml").read_text())
    data["inputs"] = [{"path": str(REPO / "samples" / "hr"), "glob": "*.png"}]
    data["output"]["dir"] = str(root / "out")
    for key, value in over.items():
        node = data
        *path, last = key.split(".")
        for p in path:
            node = node[p]
        node[last] = value
    path = root / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def python_row(fn: Callable[[], object]) -> tuple[int, str]:
    try:
        fn()
    except degsdk.DegsdkError as exc:
        return 2, f"degsdk: error: {str(exc).splitlines()[0]}"
    except Exception as exc:  # what the row must not give
        return 1, f"Traceback: {type(exc).__name__}: {exc}"
    return 0, ""


def rows(root: Path) -> list[tuple[str, str, int, str, bool]]:
    """(row, what, exit code, first stderr line, expected to fail)."""
    src = root / "in"
    src.mkdir()
    for name in ("a", "b"):
        degsdk.write_image(src / f"{name}.png", torch.rand(3, 32, 32))
    out: list[tuple[str, str, int, str, bool]] = []

    def add(row: str, what: str, result: tuple[int, str], fails: bool = True) -> None:
        out.append((row, what, result[0], result[1], fails))

    for dev in ("cuda", "gpu", "mps"):
        add("1", f"run.device: {dev}", cli("run", str(recipe(root, **{"run.device": dev})),
                                           cwd=root))
    add("2", "degrade into a non-empty --out", (
        cli("degrade", str(src), "--out", str(root / "o2"), "--with", "gaussian_blur", cwd=root),
        cli("degrade", str(src / "a.png"), "--out", str(root / "o2"), "--with", "jpeg",
            cwd=root))[1])
    bomb = root / "bomb"
    bomb.mkdir()
    png_header(bomb / "b.png", 20000, 20000)
    add("5", "a PNG declaring 20000×20000", cli("degrade", str(bomb), "--out", str(root / "o5"),
                                                "--with", "jpeg", cwd=root))
    (root / "file").write_text("x")
    add("6", "--out under a file", cli("degrade", str(src), "--out", str(root / "file" / "o"),
                                       "--with", "jpeg", cwd=root))
    add("6", "output.dir is a file", cli("run", str(recipe(root, **{
        "output.dir": str(root / "file")})), cwd=root))
    weights = root / "rdir"
    weights.mkdir()
    degsdk.load("dml/city100").save_pretrained(weights / "dmlm")
    rec = recipe(weights, **{"degrader": {"name": "sequential", "params": {"ops": [
        {"name": "dml", "params": {"weights": "dmlm"}}]}}, "crop": {"mode": "grid", "size": 64,
                                                                     "per_image": 1}})
    add("7", "recipe with weights: dmlm, run from elsewhere", cli("run", str(rec), "--limit", "1",
                                                                  cwd=root), fails=False)

    class Doubler(degsdk.Degrader):
        name = "doubler"

        def sample(self, hr: torch.Tensor, generators: object) -> list[dict]:
            return [{} for _ in generators]  # type: ignore[attr-defined]

        def apply(self, hr: torch.Tensor, params: object) -> torch.Tensor:
            return hr * 2

    add("8", "a plugin degrader returning hr*2", python_row(
        lambda: Doubler()(torch.rand(2, 3, 8, 8), seed=0)))
    tiny = root / "tiny"
    tiny.mkdir()
    degsdk.write_image(tiny / "t.png", torch.rand(3, 1, 1))
    add("9", "1×1 image, bicubic --mod-crop", cli("degrade", str(tiny), "--out",
                                                  str(root / "o9"), "--with", "bicubic",
                                                  "--mod-crop", cwd=root))
    add("10", "--set sigma=.nan", cli("degrade", str(src), "--out", str(root / "o10"), "--with",
                                      "gaussian_blur", "--set", "sigma=.nan", cwd=root))
    add("10", "--set sigma=.inf", cli("degrade", str(src), "--out", str(root / "o10b"), "--with",
                                      "gaussian_noise", "--set", "sigma=.inf", cwd=root))
    add("11", "eval --steps 0", cli("eval", "--degrader", "bicubic", "--clean-hr", str(src),
                                    "--test", str(src), "--out", str(root / "o11"), "--steps",
                                    "0", cwd=root))
    add("12", "values of 1.0001: no 0-255 hint", python_row(
        lambda: degsdk.create("jpeg")(torch.full((1, 3, 8, 8), 1.0001), seed=0)))
    add("13", "seed='abc'", python_row(
        lambda: degsdk.create("jpeg")(torch.rand(1, 3, 8, 8), seed="abc")))  # type: ignore
    add("14", "--set quality=50.5", cli("degrade", str(src), "--out", str(root / "o14"), "--with",
                                        "jpeg", "--set", "quality=50.5", cwd=root))
    dead = {**ENV, "HF_ENDPOINT": "http://127.0.0.1:9"}
    add("15", "hf:// ref with no network", cli("pull", f"hf://nobody/nothing@{'c' * 40}",
                                               cwd=root, env=dead))
    tampered = root / "tampered"
    degsdk.load("dml/city100").save_pretrained(tampered)
    data = bytearray((tampered / "model.safetensors").read_bytes())
    data[-3] ^= 0xFF
    (tampered / "model.safetensors").write_bytes(bytes(data))
    add("16", "flipped bytes in model.safetensors", python_row(
        lambda: degsdk.load(str(tampered))))
    help_rc, _ = cli("--help", cwd=root)
    help_out = subprocess.run([sys.executable, "-m", "degsdk", "--help"], capture_output=True,
                              text=True, env=ENV).stdout
    add("18", "degsdk --help lists plugin verbs",
        (help_rc, "" if "[plugin crafting]" in " ".join(help_out.split())
         else "degsdk: error: craft not listed"),
        fails=False)
    add("20", "eval --out EXISTING", cli("eval", "--degrader", "bicubic", "--clean-hr", str(src),
                                         "--test", str(src), "--out", str(src), cwd=root))
    return out


def main() -> int:
    bad = 0
    print("| row | reproduction | rc | one-line error | left on disk |")
    print("|---|---|---:|---|---|")
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        results = rows(root)
        left = leftovers(root, set())
        for row, what, rc, err, fails in results:
            ok_line = one_line(err) if fails else rc == 0
            good = (rc == 2 and ok_line) if fails else (rc == 0 and not err.strip())
            bad += not good
            first = err.strip().splitlines()[0][:90] if err.strip() else ""
            verdict = ("n/a (succeeds)" if not fails else "yes" if ok_line else "NO")
            on_disk = "none" if not left else ", ".join(left)
            print(f"| {row} | {what} | {rc} | {verdict}: {first} | {on_disk} |")
    print("| 3 | kill -9 of degsdk run | see tests/recipes/test_recipes.py::"
          "test_workers_exit_when_the_parent_is_killed | | |")
    print("| 4 | threads for the free cores | see tests/training/test_threads.py | | |")
    print("| 17 | another (broken) plugin installed | see tests/test_suite_isolation.py | | |")
    print("| 19 | degsdk train prints the model folder | see tests/test_cli.py and "
          "plugins/degsdk-dml/tests/test_dml_train.py::test_cli | | |")
    print("| 21 | docs | docs/recipes.md, tests/recipes/test_recipes.py | | |")
    print(f"\n{len(results) - bad} of {len(results)} reproductions behave as expected")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

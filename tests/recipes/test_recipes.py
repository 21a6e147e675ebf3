"""Recipes: schema errors, byte-identical output whatever the batching/workers, kill and
resume, manifest replay, on-the-fly DataLoader parity, and every committed recipe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from torch.utils.data import DataLoader

import degsdk
from degsdk.cli import main
from degsdk.recipes import DegradedPairs, Recipe, collate_pairs, parse_recipe
from degsdk.recipes._schema import available_devices
from tests.conftest import REPO


def recipe_dict(hr_dir: Path, out: Path, **over: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "version": 1, "name": "t", "seed": 5,
        "inputs": [{"path": str(hr_dir)}],
        "crop": {"mode": "random", "size": 64, "per_image": 4},
        "hr_transform": {"name": "usm"},
        "degrader": {"name": "sequential", "params": {"ops": [
            {"name": "kernel_blur"}, {"name": "resize", "params": {"factor": 0.5}},
            {"name": "gaussian_noise", "params": {"sigma": [1, 10]}},
            {"name": "jpeg", "params": {"quality": [40, 90]}}]}},
        "output": {"dir": str(out), "preview": 4},
        "run": {"batch_size": 4, "workers": 1},
    }
    for k, v in over.items():
        d[k] = {**d[k], **v} if isinstance(v, dict) and isinstance(d.get(k), dict) else v
    return d


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_schema_errors_name_path_and_line() -> None:
    text = (
        "version: 1\nname: x\ninputs:\n  - {path: a, globb: '*'}\n"
        "crop: {mode: random}\ndegrader: {name: jpeg}\n"
        "output: {dir: o, format: jpg, bit_depth: 16}\n")
    with pytest.raises(degsdk.ConfigError) as exc:
        parse_recipe(text, "r.yaml")
    msg = str(exc.value)
    assert "inputs.0.globb (line 4): Extra inputs are not permitted" in msg
    assert "crop (line 5): crop mode 'random' needs a size" in msg
    assert "output (line 7): bit_depth 16 needs format png" in msg
    with pytest.raises(degsdk.ConfigError, match=r"run\.workers \(line 4\): Input should be "
                                                 r"greater than or equal to 1"):
        parse_recipe("name: x\ninputs: [{path: a}]\ndegrader: {name: jpeg}\n"
                     "run: {workers: 0}\noutput: {dir: o}\n")


def test_set_overrides_any_field(hr_dir: Path, tmp_path: Path) -> None:
    text = yaml.safe_dump(recipe_dict(hr_dir, tmp_path / "o"))
    spec = parse_recipe(text, sets=["inputs.0.min_size=100", "crop.size=32", "run.workers=2",
                                    "degrader.params.ops.1.params.factor=0.25"])
    assert spec.inputs[0].min_size == 100 and spec.crop.size == 32 and spec.run.workers == 2
    assert spec.degrader["params"]["ops"][1]["params"]["factor"] == 0.25
    with pytest.raises(degsdk.ConfigError, match=r"inputs is a list; expected an index below 1"):
        parse_recipe(text, sets=["inputs.3.path=x"])
    with pytest.raises(degsdk.ConfigError, match="expected KEY=VALUE"):
        parse_recipe(text, sets=["crop.size"])


def test_outputs_and_byte_identity_across_batching_and_workers(hr_dir: Path,
                                                               tmp_path: Path) -> None:
    a = Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "a", run={"batch_size": 1}))
    b = Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "b",
                                     run={"batch_size": 8, "workers": 2}))
    sa, sb = a.run(progress=False), b.run(progress=False)
    assert sa.samples == sb.samples == 12
    ta, tb = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert ta == tb  # every byte: HR, LR, manifest, meta_info, run.json, preview
    names = sorted(ta)
    assert "manifest.jsonl" in names and "meta_info.txt" in names and "preview.png" in names
    assert sum(n.startswith("hr/") for n in names) == 12 == sum(n.startswith("lr/")
                                                                for n in names)
    assert degsdk.find_pairs(tmp_path / "a", scale=2)[0].hr.parent.name == "hr"
    meta = (tmp_path / "a" / "meta_info.txt").read_text().splitlines()
    assert meta[0] == "0000000_astronaut_0.png (64,64,3)"
    run = json.loads(ta["run.json"])
    assert run["versions"]["degsdk"] == degsdk.__version__ and len(run["degrader_sha256"]) == 64
    assert "time" not in json.dumps(run).lower()


def test_manifest_replay_reproduces_lr(hr_dir: Path, tmp_path: Path) -> None:
    Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "o")).run(progress=False)
    deg = degsdk.from_config(recipe_dict(hr_dir, tmp_path)["degrader"])
    lines = (tmp_path / "o" / "manifest.jsonl").read_text().splitlines()
    assert [json.loads(x)["index"] for x in lines] == list(range(12))
    for line in lines[:5]:
        rec = json.loads(line)
        hr = degsdk.read_image(tmp_path / "o" / rec["files"]["hr"]["path"])[None]
        lr = deg.apply(hr, [rec["params"]])
        saved = degsdk.read_image(tmp_path / "o" / rec["files"]["lr"]["path"])
        assert torch.equal((lr[0] * 255).round(), (saved * 255).round())


def test_dataloader_with_two_workers_matches_the_runner(hr_dir: Path, tmp_path: Path) -> None:
    recipe = Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "o"))
    recipe.run(progress=False)
    ds = DegradedPairs(recipe)
    loader = DataLoader(ds, batch_size=4, num_workers=2, collate_fn=collate_pairs,
                        multiprocessing_context="spawn")
    seen = 0
    for lr, hr, params in loader:
        for k, p in enumerate(params):
            name = f"{p['index']:07d}"
            lr_file = next((tmp_path / "o" / "lr").glob(f"{name}_*"))
            hr_file = next((tmp_path / "o" / "hr").glob(f"{name}_*"))
            assert torch.equal((lr[k] * 255).round(), (degsdk.read_image(lr_file) * 255).round())
            assert torch.equal((hr[k] * 255).round(), (degsdk.read_image(hr_file) * 255).round())
            seen += 1
    assert seen == len(ds) == 12
    first = ds[0][2]
    ds.set_epoch(1)
    assert ds[0][2] != first and ds[0][2] == ds[0][2]  # new draws, reproducible


def test_refuses_non_empty_output_and_prints_plan(hr_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe_dict(hr_dir, tmp_path / "o")))
    assert main(["run", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "3 images → 12 samples (crop random 64px, scale ×2)" in out and "kernel_blur" in out
    assert not (tmp_path / "o").exists()
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep.txt").write_text("mine")
    assert main(["run", str(path)]) == 2
    assert "exists and is not empty" in capsys.readouterr().err


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_run(path: Path, parts: Path, min_done: int, **popen: Any) -> subprocess.Popen:
    """``degsdk run path`` in a subprocess, returned once ``min_done`` samples are recorded."""
    popen = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, **popen}
    # a child inherits an ignored SIGINT (an earlier test in the same pytest process may
    # have left it ignored), and then Ctrl-C would not reach it: give it the default back
    proc = subprocess.Popen([sys.executable, "-m", "degsdk", "run", str(path)],
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            preexec_fn=_default_sigint, **popen)
    deadline = time.time() + 90
    while time.time() < deadline and (not parts.is_dir()
                                      or len(list(parts.iterdir())) < min_done):
        time.sleep(0.02)
    return proc


_KILLED = {"crop": {"mode": "random", "size": 96, "per_image": 40},
           "run": {"batch_size": 2, "workers": 1}}


def _killed_run(hr_dir: Path, tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A 120-sample run into ``tmp_path/name`` killed (-9) after 20 samples: the recipe file
    and the folder of the finished samples' records."""
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe_dict(hr_dir, tmp_path / name, **_KILLED)))
    parts = tmp_path / name / ".degsdk-run" / "parts"
    proc = _start_run(path, parts, 20)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return path, parts


def test_kill_and_resume_is_byte_identical(hr_dir: Path, tmp_path: Path) -> None:
    clean = Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "clean", **_KILLED))
    clean.run(progress=False)
    path, parts = _killed_run(hr_dir, tmp_path, "killed")
    done = len(list(parts.iterdir()))
    assert 20 <= done < 120, "the run should have been killed midway"
    assert not (tmp_path / "killed" / "manifest.jsonl").exists()
    assert main(["run", str(path)]) == 2  # an unfinished run needs --resume
    assert main(["run", str(path), "--resume"]) == 0
    assert tree(tmp_path / "killed") == tree(tmp_path / "clean")
    assert not list((tmp_path / "killed").rglob("*.tmp"))


def test_a_run_an_earlier_degsdk_started_resumes_in_its_own_folders(hr_dir: Path,
                                                                     tmp_path: Path) -> None:
    """Runs write hr/ + lr/ (as `degrade` does; issue 28 row 7); a run interrupted under an
    earlier degsdk, which wrote HR/ + LR/, completes in HR/ + LR/ without mixing the two."""
    path, parts = _killed_run(hr_dir, tmp_path, "old")
    for sub in ("hr", "lr"):  # what the earlier degsdk had written
        (tmp_path / "old" / sub).rename(tmp_path / "old" / sub.upper())
    for part in parts.iterdir():
        rec = json.loads(part.read_text())
        rec["files"] = {k.upper(): {**v, "path": v["path"].replace(f"{k}/", f"{k.upper()}/")}
                        for k, v in rec["files"].items()}
        part.write_text(json.dumps(rec, sort_keys=True, separators=(",", ":")))
    assert main(["run", str(path), "--resume"]) == 0
    out = tmp_path / "old"
    assert not (out / "hr").exists() and len(list((out / "HR").iterdir())) == 120
    assert {json.loads(x)["files"]["LR"]["path"][:3] for x in
            (out / "manifest.jsonl").read_text().splitlines()} == {"LR/"}
    assert len(degsdk.find_pairs(out, scale=2)) == 120


@pytest.mark.parametrize("recipe", sorted(p.name for p in (REPO / "recipes").glob("*.yaml")))
def test_every_committed_recipe_runs(recipe: str, tmp_path: Path) -> None:
    spec = Recipe.from_yaml(REPO / "recipes" / recipe,
                            sets=[f"output.dir={tmp_path / 'out'}", "run.workers=1"])
    summary = spec.run(limit=2, progress=False)
    assert summary.samples == 2
    pairs = degsdk.find_pairs(tmp_path / "out")
    assert len(pairs) == 2 and (tmp_path / "out" / "preview.png").is_file()


def test_docs_page_is_generated_from_the_schema() -> None:
    from degsdk.recipes import json_schema
    from degsdk.recipes._docs import render_markdown

    assert (REPO / "docs" / "recipes.md").read_text() == render_markdown(), (
        "docs/recipes.md is stale: run python -m degsdk.recipes._docs docs/recipes.md")
    schema = json_schema()
    assert set(schema["properties"]) == {"version", "name", "seed", "inputs", "crop",
                                         "hr_transform", "degrader", "output", "run"}


def test_ray_backend_is_byte_identical_to_local(hr_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="the ray extra (pip install 'degsdk[ray]') is needed")
    local = Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "local"))
    ray_run = Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "ray", run={
        "batch_size": 3, "workers": 2, "backend": "ray"}))
    local.run(progress=False)
    summary = ray_run.run(progress=False)
    assert summary.samples == 12
    assert tree(tmp_path / "ray") == tree(tmp_path / "local")


@pytest.mark.parametrize("device", ["gpu", "cuda", "mps", "cuda:7"])
def test_unavailable_device_is_a_recipe_error_and_writes_nothing(
        hr_dir: Path, tmp_path: Path, device: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 row 1: validated with the recipe, naming run.device and what this machine has;
    no identity file is left to block the rerun; --dry-run refuses it too."""
    if device != "gpu" and device.split(":")[0] in {d.split(":")[0] for d in
                                                    available_devices()[1:]}:
        pytest.skip(f"{device} exists here")
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe_dict(hr_dir, tmp_path / "out", run={"device": device})))
    for extra in ([], ["--dry-run"]):
        assert main(["run", str(path), *extra]) == 2
        err = capsys.readouterr().err
        assert "run.device" in err and "this machine has cpu" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert available_devices()[0] == "cpu"


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:  # a zombie (exited, not yet reaped) counts as gone
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_workers_exit_when_the_parent_is_killed(hr_dir: Path, tmp_path: Path) -> None:
    """Issue 16 row 3: kill -9 of `degsdk run` leaves no worker process behind."""
    over = {"crop": {"mode": "random", "size": 96, "per_image": 200},
            "run": {"batch_size": 2, "workers": 2}}
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe_dict(hr_dir, tmp_path / "o", **over)))
    parts = tmp_path / "o" / ".degsdk-run" / "parts"
    proc = _start_run(path, parts, 6)
    children = _children(proc.pid)
    assert len(children) >= 2, "the workers should be running"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(c) for c in children):
        time.sleep(0.1)
    assert [c for c in children if _alive(c)] == []


@pytest.mark.parametrize(("workers", "ctrl_c"), [(1, False), (2, False), (2, True)])
def test_sigterm_stops_cleanly_and_resume_completes(hr_dir: Path, tmp_path: Path,
                                                    workers: int, ctrl_c: bool) -> None:
    """Issue 16 fault tests: SIGTERM to `degsdk run`, or Ctrl-C (SIGINT to its whole process
    group, workers included), stops it promptly with exit code 130, leaves no temp file or
    worker behind, and --resume completes the set byte-identically."""
    over = {"crop": {"mode": "random", "size": 96, "per_image": 60},
            "run": {"batch_size": 2, "workers": workers}}
    clean = Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "clean", **over))
    clean.run(progress=False)
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe_dict(hr_dir, tmp_path / "o", **over)))
    parts = tmp_path / "o" / ".degsdk-run" / "parts"
    proc = _start_run(path, parts, 10, stderr=subprocess.PIPE, text=True,
                      start_new_session=True)
    children = _children(proc.pid)
    t0 = time.time()
    if ctrl_c:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err, err
    assert time.time() - t0 < 20, "it should stop promptly, not finish the queue"
    assert len(list(parts.iterdir())) < 180, "the run should have stopped midway"
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(c) for c in children):
        time.sleep(0.1)
    assert [c for c in children if _alive(c)] == []
    assert not list((tmp_path / "o").rglob("*.tmp"))
    assert main(["run", str(path), "--resume"]) == 0
    assert tree(tmp_path / "o") == tree(tmp_path / "clean")


def test_a_full_disk_is_a_one_line_error_and_the_run_resumes(
        hr_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 fault tests: ENOSPC midway (injected into the file writes) gives a one-line
    error naming the file, leaves no temp file, and --resume completes the set."""
    import errno

    import degsdk.io._atomic as atomic

    over = {"crop": {"mode": "random", "size": 64, "per_image": 8},
            "run": {"batch_size": 2, "workers": 1}}
    Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "clean", **over)).run(progress=False)
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(recipe_dict(hr_dir, tmp_path / "o", **over)))
    real_replace = atomic.os.replace
    calls = {"n": 0}

    def full_disk(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] > 15:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", full_disk)
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert not list((tmp_path / "o").rglob("*.tmp"))
    assert main(["run", str(path), "--resume"]) == 0
    assert tree(tmp_path / "o") == tree(tmp_path / "clean")


def test_dry_run_prints_valid_yaml_for_the_degrader(hr_dir: Path, tmp_path: Path) -> None:
    """Issue 16 row 21: the --dry-run degrader is indented under its heading (valid YAML)."""
    runner = degsdk.recipes.RecipeRunner(parse_recipe(yaml.safe_dump(
        recipe_dict(hr_dir, tmp_path / "o"))))
    text = runner.describe()
    tail = yaml.safe_load(text[text.index("degrader:"):])
    assert tail["degrader"] == runner.degrader.to_config()
    assert tail["hr_transform"] == runner.hr_transform.to_config()


def test_dataset_lr_is_within_half_a_level_of_the_written_file(hr_dir: Path,
                                                                tmp_path: Path) -> None:
    """Issue 16 row 21, as documented: DegradedPairs' LR rounds to the written LR file."""
    recipe = Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "o"))
    recipe.run(progress=False)
    lr, _, _ = DegradedPairs(recipe)[3]
    saved = degsdk.read_image(sorted((tmp_path / "o" / "lr").iterdir())[3])
    assert float((lr - saved).abs().max()) <= 0.5 / 255 + 1e-6
    assert torch.equal((lr * 255).round() / 255, saved)


def test_output_dir_that_is_a_file_is_a_one_line_error(hr_dir: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 row 6 for `degsdk run`: output.dir on an existing file, or under one."""
    (tmp_path / "f").write_text("x")
    for out, message in ((tmp_path / "f", "exists and is not a folder"),
                         (tmp_path / "f" / "sub", "cannot write there")):
        path = tmp_path / "r.yaml"
        path.write_text(yaml.safe_dump(recipe_dict(hr_dir, out)))
        assert main(["run", str(path)]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_committed_interflow_recipe_is_byte_identical_with_ray(tmp_path: Path) -> None:
    """A learned plugin degrader (InterFlow, a level drawn per sample) gives the same bytes in
    one process and with the Ray backend."""
    pytest.importorskip("ray", reason="the ray extra (pip install 'degsdk[ray]') is needed")
    trees = []
    for name, run in (("local", ["run.workers=1"]), ("ray", ["run.workers=2",
                                                              "run.backend=ray"])):
        spec = Recipe.from_yaml(REPO / "recipes" / "interflow-continuous.yaml",
                                sets=[f"output.dir={tmp_path / name}", "run.batch_size=2",
                                      "crop.size=64", *run])
        assert spec.run(limit=4, progress=False).samples == 4
        trees.append(tree(tmp_path / name))
    assert trees[0] == trees[1]

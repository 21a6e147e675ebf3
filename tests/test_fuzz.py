"""Fuzz harness (issue 16): random and mutated inputs through the public entry points. Each must
end in success or a ``DegsdkError`` subclass — never another exception — and leave no file
behind. Hypothesis drives it; the budget is bounded for ``make test``:

    # before a release (about 1 minute on 2 cores):
    DEGSDK_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q -p no:logging tests/test_fuzz.py -s

Each test prints how many cases it tried (``-s`` shows it).
"""

from __future__ import annotations

import io
import math
import os
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import degsdk
from degsdk.cli import main
from degsdk.recipes import parse_recipe
from tests.conftest import REPO

EXAMPLES = int(os.environ.get("DEGSDK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
BUILTINS = sorted(n for n in degsdk.list_degraders()
                  if n not in ("dml", "deflow", "binned"))  # learned: made from weights below
TRIED: dict[str, int] = {}


def _count(name: str) -> None:
    TRIED[name] = TRIED.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print("\nfuzz cases tried: " + ", ".join(f"{k} {v}" for k, v in sorted(TRIED.items()))
          + f" (total {sum(TRIED.values())})")


@contextmanager
def _expect_clean(where: Path | None = None) -> Iterator[None]:
    """Success or a DegsdkError; anything else fails the test. With ``where``, nothing may be
    left in it beyond what was there."""
    before = set(where.rglob("*")) if where is not None else set()
    try:
        yield
    except degsdk.DegsdkError as exc:
        assert str(exc).strip(), "a DegsdkError needs a message"
    if where is not None:
        left = {p for p in where.rglob("*") if ".staging-" in p.name or p.suffix == ".tmp"}
        assert left - before == set(), f"left behind: {sorted(left - before)}"


# ---------------------------------------------------------------------------- values
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                      st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
json_value = st.recursive(json_leaf, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=6), kids, max_size=4)),
    max_leaves=8)


@st.composite
def degrader_params(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(BUILTINS))
    fields = list(degsdk.create.__globals__["get_registry"]().get("degrader", name)
                  .factory.Config.model_fields)
    keys = draw(st.lists(st.one_of(st.sampled_from(fields or ["x"]), st.text(max_size=6)),
                         max_size=3, unique=True))
    return name, {k: draw(json_value) for k in keys}


@FUZZ
@given(degrader_params())
def test_create_with_random_params(case: tuple[str, dict[str, Any]]) -> None:
    _count("create")
    name, params = case
    with _expect_clean():
        degsdk.create(name, **params)


@FUZZ
@given(st.one_of(json_value, st.fixed_dictionaries({"name": st.sampled_from(BUILTINS),
                                                    "params": json_value})))
def test_from_config_with_random_configs(cfg: Any) -> None:
    _count("from_config")
    with _expect_clean():
        degsdk.from_config(cfg)


@st.composite
def tensors(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["ok", "shape", "dtype", "values", "not a tensor"]))
    n, h, w = draw(st.integers(1, 3)), draw(st.integers(0, 40)), draw(st.integers(0, 40))
    if kind == "not a tensor":
        return draw(json_value)
    if kind == "shape":
        dims = draw(st.lists(st.integers(0, 5), min_size=0, max_size=5))
        return torch.rand(*dims) if dims else torch.tensor(0.5)
    x = torch.rand(n, 3, h, w, generator=torch.Generator().manual_seed(draw(st.integers(0, 99))))
    if kind == "dtype":
        return x.to(draw(st.sampled_from([torch.float64, torch.float16, torch.uint8,
                                          torch.int64])))
    if kind == "values":
        fill = draw(st.floats(width=32, allow_nan=True, allow_infinity=True))
        if x.numel():
            x.view(-1)[0] = fill
    return x


@FUZZ
@given(st.sampled_from(BUILTINS), tensors(), st.one_of(st.none(), st.integers(0, 2**40),
                                                       json_leaf))
def test_calling_a_degrader_with_random_tensors_and_seeds(name: str, x: Any, seed: Any) -> None:
    _count("call")
    params = {"sequential": {"ops": [{"name": "jpeg"}]}, "one_of": {"ops": [{"name": "jpeg"}]},
              "random_apply": {"op": {"name": "jpeg"}},
              "shuffle": {"ops": [{"name": "jpeg"}]}}.get(name, {})
    deg = degsdk.create(name, **params)
    with _expect_clean():
        out = deg(x, seed=seed)
        assert out.lr.dtype == torch.float32 and math.isfinite(float(out.lr.sum()))


# ---------------------------------------------------------------------------- image files
def _image_bytes(fmt: str, mode: str, size: tuple[int, int]) -> bytes:
    arr = np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).convert(mode).save(buf, format=fmt)
    return buf.getvalue()


@FUZZ
@given(st.sampled_from(["PNG", "JPEG", "TIFF", "BMP", "WEBP"]),
       st.sampled_from(["RGB", "L", "RGBA", "P", "I;16", "1", "CMYK"]),
       st.tuples(st.integers(1, 40), st.integers(1, 40)),
       st.sampled_from(["as is", "truncate", "flip", "header", "junk"]),
       st.integers(0, 10**6))
def test_read_image_on_mutated_files(fmt: str, mode: str, size: tuple[int, int], how: str,
                                     r: int) -> None:
    _count("read_image")
    try:
        data = bytearray(_image_bytes(fmt, mode, size))
    except (OSError, ValueError, KeyError):
        return  # a mode this format cannot store
    rng = random.Random(r)
    if how == "truncate":
        data = data[: rng.randrange(len(data))]
    elif how == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif how == "header":
        for i in range(rng.randint(8, 24), min(len(data), 32)):
            data[i] = rng.randrange(256)
    elif how == "junk":
        data = bytearray(rng.randbytes(rng.randint(0, 200)))
    ext = {"JPEG": ".jpg", "TIFF": ".tif", "WEBP": ".webp"}.get(fmt, "." + fmt.lower())
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"x{ext}"
        path.write_bytes(bytes(data))
        with _expect_clean():
            img = degsdk.read_image(path)
            assert img.dtype == torch.float32 and img.shape[0] == 3
            assert float(img.min()) >= 0 and float(img.max()) <= 1


# ---------------------------------------------------------------------------- recipes, CLI
QUICKSTART = (REPO / "recipes" / "quickstart.yaml").read_text()


@FUZZ
@given(st.integers(0, 10**6), st.sampled_from(["drop", "swap", "dup", "indent", "token"]),
       st.lists(st.tuples(st.sampled_from(["seed", "crop.size", "crop.mode", "run.workers",
                                           "run.batch_size", "output.format", "degrader.name",
                                           "degrader.params.ops.0.params.sigma",
                                           "output.bit_depth", "inputs.0.path", "name"]),
                          json_leaf), max_size=3))
def test_mutated_recipes_and_sets(r: int, how: str, sets: list[tuple[str, Any]]) -> None:
    _count("recipe")
    rng = random.Random(r)
    lines = QUICKSTART.splitlines()
    i = rng.randrange(len(lines))
    if how == "drop":
        del lines[i]
    elif how == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "dup":
        lines.insert(i, lines[i])
    elif how == "indent":
        lines[i] = " " * rng.randint(1, 5) + lines[i]
    else:
        words = lines[i].split(" ")
        words[rng.randrange(len(words))] = rng.choice(["", ":", "[", "- x", "{a: 1}", "nan",
                                                        "-3", "999999999999", "'x'"])
        lines[i] = " ".join(words)
    text = "\n".join(lines)
    set_args = [f"{k}={yaml.safe_dump(v, default_flow_style=True).strip()}" for k, v in sets]
    with tempfile.TemporaryDirectory() as d:
        with _expect_clean(Path(d)):
            spec = parse_recipe(text, "fuzz.yaml", set_args, base_dir=REPO / "recipes")
            spec.output.dir = str(Path(d) / "out")
            degsdk.recipes.RecipeRunner(spec, limit=2).describe()
        assert not (Path(d) / "out").exists()


@FUZZ
@given(st.sampled_from(BUILTINS[:12]), st.lists(st.tuples(st.text(max_size=6), json_leaf),
                                                max_size=2))
def test_degrade_cli_with_random_sets(name: str, sets: list[tuple[str, Any]]) -> None:
    _count("degrade")
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in"
        src.mkdir()
        degsdk.write_image(src / "a.png", torch.rand(3, 16, 16))
        args = ["degrade", str(src), "--out", str(Path(d) / "o"), "--with", name]
        for k, v in sets:
            args += ["--set", f"{k}={yaml.safe_dump(v, default_flow_style=True).strip()}"]
        with _expect_clean(Path(d)):
            try:
                rc = main(args)
            except SystemExit as exc:  # argparse's usage error (e.g. a value starting with -)
                rc = exc.code  # type: ignore[assignment]
            assert rc in (0, 2)
            if rc == 2:
                assert not (Path(d) / "o").exists()


@FUZZ
@given(st.one_of(st.text(max_size=30), st.sampled_from(
    ["hf://", "hf://a", "hf://a/b@", "hf://a/b@x/../..", "#sha256=zz", "dml/nope",
     "file://", ".", "/", "hf://a/b#sha256=" + "0" * 64])))
def test_load_random_refs(ref: str) -> None:
    _count("load")
    os.environ["HF_HUB_OFFLINE"] = "1"  # never touch a network while fuzzing
    try:
        with _expect_clean():
            degsdk.load(ref)
    finally:
        os.environ.pop("HF_HUB_OFFLINE", None)


def test_the_harness_fails_on_a_foreign_exception() -> None:
    """The harness itself can fail: a non-degsdk exception escapes _expect_clean."""
    def boom() -> None:
        raise ValueError("not a DegsdkError")

    with pytest.raises(ValueError), _expect_clean():
        boom()
    # and a staging folder left behind fails it
    with tempfile.TemporaryDirectory() as d, pytest.raises(AssertionError, match="left behind"), \
            _expect_clean(Path(d)):
        (Path(d) / ".o.staging-x").mkdir()


def test_what_the_fuzzer_found_stays_fixed(tmp_path: Path) -> None:
    """Found by this harness: a TIFF cut to a few bytes made tifffile raise struct.error, and a
    ref like '~0' made pathlib raise RuntimeError; both are now DegsdkErrors."""
    buf = io.BytesIO()
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(buf, format="TIFF")
    (tmp_path / "cut.tif").write_bytes(buf.getvalue()[:3])
    with pytest.raises(degsdk.ImageReadError, match=r"cut\.tif"):
        degsdk.read_image(tmp_path / "cut.tif")
    with pytest.raises(degsdk.DegsdkError, match="~0"):
        degsdk.load("~0")

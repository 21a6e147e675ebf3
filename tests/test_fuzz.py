"""Fuzz harness (issue 16): random and mutated inputs through the public entry points. Each must
end in success or a ``DegsdkError`` subclass — never another exception — and leave no file
behind. Hypothesis drives it; the budget is bounded for ``make test``:

    # before a release (about 1 minute on 2 cores):
    DEGSDK_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -q -p no:logging tests/test_fuzz.py -s

Each test prints how many cases it tried (``-s`` shows it).
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import tempfile
import time
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


# ------------------------------------------------------------- values of any size (issue 28)
def _huge(kind: str, n: int) -> Any:
    if kind == "deep list":
        value: Any = []
        for _ in range(n):
            value = [value]
        return value
    if kind == "deep mapping":
        value = 1
        for _ in range(n):
            value = {"a": value}
        return value
    if kind == "long list":
        return [1.0] * n
    if kind == "list of lists":
        return [[1.0] * 1000] * max(1, n // 1000)
    if kind == "long string":
        return "x" * n
    return {f"k{i}": i for i in range(n)}  # wide mapping


def _huge_text(kind: str, n: int) -> str:
    """The YAML/JSON text of ``_huge(kind, n)`` (built directly: json.dumps would recurse)."""
    if kind == "deep list":
        return "[" * n + "]" * n
    if kind == "deep mapping":
        return "{a: " * n + "1" + "}" * n
    return json.dumps(_huge(kind, n))


huge_values = st.tuples(st.sampled_from(["deep list", "deep mapping", "long list",
                                         "list of lists", "long string", "wide mapping"]),
                        st.sampled_from([10, 100, 1000, 30_000, 200_000, 2_000_000]))


def _bounded_failure(call: Any, where: Path | None = None) -> degsdk.DegsdkError | None:
    """Success (None) or a DegsdkError (returned) within 2 s whose message fits a screen;
    nothing written in ``where``."""
    from degsdk._quote import MESSAGE_CHARS, MESSAGE_LINES
    before = set(where.rglob("*")) if where is not None else set()
    t0 = time.perf_counter()
    error = None
    try:
        call()
    except degsdk.DegsdkError as exc:
        text = str(exc)
        assert 0 < len(text) <= MESSAGE_CHARS and text.count("\n") < MESSAGE_LINES
        error = exc
    took = time.perf_counter() - t0
    assert took < 2.0, f"took {took:.1f} s"
    if where is not None:
        assert set(where.rglob("*")) == before, "something was written"
    return error


@FUZZ
@given(huge_values, st.sampled_from(["create", "from_config", "recipe field", "recipe --set",
                                     "degrade --set", "options", "eval spec"]),
       st.sampled_from(["seed", "crop.size", "degrader", "degrader.params.ops",
                        "degrader.params.ops.0.params.sigma", "inputs", "run.workers",
                        "output"]))
def test_values_of_any_size_and_nesting(value: tuple[str, int], entry: str, field: str) -> None:
    """Recipe values, parameters and options of any size and nesting: bounded time, bounded
    message, nothing written."""
    _count("huge value")
    v = _huge(*value)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if entry == "create":
            call = lambda: degsdk.create("gaussian_blur", sigma=v)  # noqa: E731
        elif entry == "from_config":
            call = lambda: degsdk.from_config({"name": "sequential", "params": {"ops": v}})  # noqa: E731
        elif entry in ("recipe field", "recipe --set"):
            data = yaml.safe_load(QUICKSTART)
            data["output"]["dir"] = str(tmp / "out")
            if entry == "recipe field":
                cur = data
                keys = field.split(".")
                for k in keys[:-1]:
                    cur = cur[int(k)] if k.isdigit() else cur[k]
                cur[keys[-1]] = v

                def call() -> None:
                    degsdk.recipes.RecipeRunner(
                        degsdk.Recipe.from_dict(data, base_dir=REPO / "recipes").spec, limit=1)
            else:
                text = _huge_text(*value)
                call = lambda: parse_recipe(QUICKSTART, "q.yaml", [f"{field}={text}"],  # noqa: E731
                                            base_dir=REPO / "recipes")
        elif entry == "degrade --set":
            src = tmp / "in"
            degsdk.write_image(src / "a.png", torch.rand(3, 8, 8))
            text = _huge_text(*value)

            def call() -> None:
                assert main(["degrade", str(src), "--out", str(tmp / "o"), "--with",
                             "gaussian_blur", "--set", f"sigma={text}"]) == 2
        elif entry == "options":
            call = lambda: degsdk.fit.FitOptions.of(real_lr=v, out=tmp / "o")  # noqa: E731
        else:
            from degsdk.evaluation._degrader_spec import parse_degrader_spec
            text = _huge_text(*value)
            call = lambda: parse_degrader_spec(f"gaussian_blur:sigma={text}", 1)  # noqa: E731
        _bounded_failure(call, tmp)


# ------------------------------------------------------------- eval specs, fit, trainers
spec_text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda label, name, kv: f"{label}{name}{kv}",
              st.sampled_from(["", "a=", "x.y=", "=", "1="]),
              st.sampled_from([*BUILTINS[:8], "nope", "dml", "realdgen", "", ":"]),
              st.lists(st.tuples(st.text(max_size=5), json_leaf), max_size=3).map(
                  lambda kvs: "".join(f":{k}={json.dumps(v)}" for k, v in kvs))),
    st.sampled_from(["recipes/quickstart.yaml", "recipes", "/nonexistent.yaml", "hf://a/b",
                     "dml/city100", "dml/nope", "samples/LICENSE.md", ".", "a=b=c"]))


@FUZZ
@given(spec_text, st.sampled_from([1, 2, 4]))
def test_eval_degrader_specs(spec: str, scale: int) -> None:
    from degsdk.evaluation._degrader_spec import parse_degrader_spec
    _count("eval spec")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        with _expect_clean():
            _bounded_failure(lambda: parse_degrader_spec(spec, scale))
    finally:
        os.environ.pop("HF_HUB_OFFLINE", None)


def _folder(root: Path, name: str, kind: str) -> str:
    """A data folder that can never be enough to fit from: missing, a file, empty, one image,
    or pairs with one side only."""
    p = root / name
    if kind == "missing":
        return str(p)
    if kind == "file":
        p.write_text("x")
        return str(p)
    p.mkdir(exist_ok=True)
    if kind == "one image":
        degsdk.write_image(p / "a.png", torch.rand(3, 16, 16))
    elif kind == "hr only":
        degsdk.write_image(p / "hr" / "a.png", torch.rand(3, 16, 16))
    return str(p)


fit_fields = st.fixed_dictionaries({}, optional={
    "methods": st.lists(st.sampled_from(["dml", "deflow", "bicubic", "camera", "nope", ""]),
                        max_size=3),
    "budget": st.one_of(json_leaf, st.sampled_from(["1h", "0", "-5m", "2 hours", "1e9"])),
    "repeats": json_leaf, "holdout": json_leaf, "scale": json_leaf, "seed": json_leaf,
    "baselines": json_leaf, "mixture": json_leaf, "extractors": json_leaf,
    "resume": st.booleans(), "overwrite": st.booleans(), "threads": json_leaf,
    "levels": st.lists(st.text(max_size=8), max_size=2)})


@FUZZ
@given(fit_fields, st.sampled_from(["missing", "file", "empty", "one image"]),
       st.sampled_from(["missing", "file", "empty", "one image"]),
       st.sampled_from([None, "missing", "empty", "hr only"]))
def test_fit_options_and_data_folders(fields: dict[str, Any], real: str, clean: str,
                                      pairs: str | None) -> None:
    """`degsdk fit` with random options and folders that cannot be enough: refused with a
    DegsdkError, promptly, before anything is written."""
    _count("fit")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        data = {"real_lr": _folder(tmp, "real", real), "clean_hr": _folder(tmp, "clean", clean),
                "out": str(tmp / "fit"), "progress": False}
        if pairs is not None:
            data["pairs"] = _folder(tmp, "pairs", pairs)
        with _expect_clean():
            error = _bounded_failure(lambda: degsdk.fit.fit(**{**fields, **data}), tmp)
        assert error is not None, "fit did not refuse data it cannot fit from"


TRAIN_FLAGS = {name: [a for a in degsdk.get_trainer(name).parser("x")._actions
                      if a.option_strings and a.dest not in ("help", "out")]
               for name in ("interflow", "realdgen", "deflow", "dml")
               if name in degsdk.list_trainers()}


@FUZZ
@given(st.sampled_from(sorted(TRAIN_FLAGS)), st.data())
def test_train_options(name: str, data: st.DataObject) -> None:
    """`degsdk train interflow|realdgen|…` with random options and data folders that are
    missing or empty: exit code 2 with one error, nothing written."""
    _count("train")
    actions = data.draw(st.lists(st.sampled_from(TRAIN_FLAGS[name]), max_size=4,
                                 unique_by=lambda a: a.dest))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "empty").mkdir()
        argv = ["train", name, "--out", str(tmp / "model")]
        for a in actions:
            flag = a.option_strings[-1]
            if a.nargs == 0:
                argv.append(flag)
                continue
            value = data.draw(st.one_of(
                st.sampled_from([str(tmp / "empty"), str(tmp / "missing"), "2=" + str(tmp),
                                 "0", "-1", "1e9", "paper", "tiny", "nan", "hf://a/b"]),
                st.text(alphabet="abc=,.:/0123456789", max_size=8)))
            argv += [flag, value]
        before = set(tmp.rglob("*"))
        try:
            with _expect_clean(tmp):
                rc = main(argv)
        except SystemExit as exc:  # argparse's usage error
            rc = exc.code  # type: ignore[assignment]
        assert rc == 2, argv
        assert set(tmp.rglob("*")) == before, argv

"""``degsdk schema recipe``: a valid JSON Schema (draft 2020-12) that every committed recipe
passes, that every registered degrader's own config passes, and that rejects what the pydantic
models reject — naming the path an editor underlines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import degsdk
from degsdk.cli import main
from degsdk.recipes._json_schema import recipe_json_schema

jsonschema = pytest.importorskip("jsonschema")
ROOT = Path(__file__).resolve().parents[2]
RECIPES = sorted((ROOT / "recipes").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = recipe_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: Any, data: Any) -> list[tuple[list[Any], str]]:
    return [(list(e.absolute_path), e.message) for e in validator.iter_errors(data)]


def test_committed_recipes_exist() -> None:
    assert len(RECIPES) >= 9


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_every_committed_recipe_validates(validator: Any, path: Path) -> None:
    assert _errors(validator, yaml.safe_load(path.read_text())) == []


def _recipe(degrader: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"version": 1, "name": "t", "inputs": [{"path": "hr"}], "degrader": degrader,
            "output": {"dir": "out"}, **more}


def test_every_registered_degraders_own_config_validates(validator: Any) -> None:
    """What ``to_config()`` writes for each registered degrader (its contract case, or its
    defaults) is a valid recipe degrader — the schema and the pydantic models agree."""
    from degsdk import components
    checked = 0
    for name, comp in components("degrader").items():
        case = comp.contract
        if case is not None and getattr(case, "params", None) is not None:
            params = case.params() if callable(case.params) else case.params
        else:
            params = {}
        try:
            deg = degsdk.create(name, **params)
            cfg = json.loads(json.dumps(deg.to_config()))
        except (degsdk.DegsdkError, TypeError, ValueError):
            continue  # needs an object (a torch module) or weights: not a YAML recipe value
        assert _errors(validator, _recipe(cfg)) == [], name
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize(("degrader", "path", "words"), [
    ({"name": "jpg"}, ["degrader", "name"], "is not one of"),
    ({"name": "jpeg", "params": {"qualty": 50}}, ["degrader", "params"], "qualty"),
    ({"name": "jpeg", "params": {"quality": [90, 500]}}, ["degrader", "params", "quality"], ""),
    ({"name": "jpeg", "params": {"quality": 0}}, ["degrader", "params", "quality"], ""),
    ({"name": "video", "params": {"codec": "av1"}}, ["degrader", "params", "codec"], "av1"),
    ({"name": "sequential", "params": {"ops": [{"name": "resample", "params": {
        "filters": ["sinc"]}}]}}, ["degrader", "params", "ops", 0, "params", "filters", 0], ""),
    ({"name": "random_apply", "params": {"op": {"name": "nope"}}},
     ["degrader", "params", "op", "name"], "nope"),
    ({"name": "jpeg", "extra": 1}, ["degrader"], "extra"),
])
def test_the_schema_rejects_what_the_models_reject(validator: Any, degrader: dict[str, Any],
                                                   path: list[Any], words: str) -> None:
    errors = _errors(validator, _recipe(degrader))
    assert errors and errors[0][0] == path and words in errors[0][1], errors
    with pytest.raises(degsdk.DegsdkError):
        degsdk.from_config(degrader)


def test_recipe_fields_are_checked_too(validator: Any) -> None:
    bad = _recipe({"name": "jpeg"}, crop={"mode": "diagonal"}, output={"dir": "o",
                                                                      "format": "gif"})
    paths = {tuple(p) for p, _ in _errors(validator, bad)}
    assert ("crop", "mode") in paths and ("output", "format") in paths
    assert _errors(validator, {**bad, "crop": {}, "output": {"dir": "o"}}) == []
    assert _errors(validator, _recipe({"name": "jpeg"}, hr_transform=None)) == []


def test_cli_writes_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "recipe.schema.json"
    assert main(["schema", "recipe", "-o", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["$schema"].endswith("2020-12/schema") and "Degrader" in written["$defs"]
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert main(["schema", "recipe"]) == 0
    assert json.loads(capsys.readouterr().out) == written

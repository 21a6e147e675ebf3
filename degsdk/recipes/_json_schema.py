"""The recipe JSON Schema an editor can use (``degsdk schema recipe``): the pydantic recipe
models, with ``degrader`` and ``hr_transform`` (and every container's children) checked against
the parameters of each registered degrader, so a misspelt name or parameter, a range the wrong
way round or an unknown codec shows in the editor before a run.

The degrader part is ``#/$defs/Degrader``: ``{name, params}``, the name one of the registered
degraders and, per name, ``params`` checked against that degrader's config; learned degraders
also take ``params.weights`` (a ref). A config field marked ``CHILD_DEGRADER`` holds a child
degrader (or a list of them) and points back at ``#/$defs/Degrader``.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from .._components import components
from .._interfaces import CHILD_DEGRADER, DegraderConfig
from .._version import __version__
from ..hub import PretrainedMixin
from ._schema import RecipeSpec

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEGRADER_REF = {"$ref": "#/$defs/Degrader"}
_MARK = next(iter(CHILD_DEGRADER))


def _point_children_at_degrader(node: Any) -> Any:
    """Replace every schema node marked ``CHILD_DEGRADER`` by a reference to the degrader
    schema (an array of them where the field is a list)."""
    if isinstance(node, list):
        return [_point_children_at_degrader(v) for v in node]
    if not isinstance(node, dict):
        return node
    if node.get(_MARK) == CHILD_DEGRADER[_MARK]:
        keep = {k: node[k] for k in ("description", "title", "minItems") if k in node}
        if node.get("type") == "array":
            return {**keep, "type": "array", "items": DEGRADER_REF}
        return {**keep, **DEGRADER_REF}
    return {k: _point_children_at_degrader(v) for k, v in node.items()}


def degrader_schema(defs: dict[str, Any]) -> dict[str, Any]:
    """``{name, params}`` with ``name`` one of the registered degraders and, for each name, an
    ``if name is X then params is X's config`` clause (so an editor names the bad parameter);
    the configs' sub-schemas go into ``defs``."""
    entries = components("degrader")
    configs = {name: c.factory.Config for name, c in entries.items()
               if isinstance(c.factory, type) and issubclass(
                   getattr(c.factory, "Config", object), DegraderConfig)}
    unique = list(dict.fromkeys(configs.values()))
    refs, shared = models_json_schema([(cfg, "validation") for cfg in unique],
                                      ref_template="#/$defs/{model}")
    defs.update(shared.get("$defs", {}))
    clauses = []
    for name, comp in entries.items():
        cfg = configs.get(name)
        params: dict[str, Any] = (dict(refs[(cfg, "validation")]) if cfg is not None
                                  else {"type": "object"})
        if isinstance(comp.factory, type) and issubclass(comp.factory, PretrainedMixin):
            params = {"anyOf": [params, {
                "type": "object", "required": ["weights"],
                "properties": {"weights": {"type": "string", "description":
                                           "weights ref: folder, file or hf://org/repo@rev"}}}]}
        clauses.append({"if": {"properties": {"name": {"const": name}}, "required": ["name"]},
                        "then": {"properties": {"params": params}}})
    return {
        "type": "object", "description": "a degrader config {name, params}",
        "additionalProperties": False, "required": ["name"],
        "properties": {
            "name": {"enum": list(entries),
                     "description": "a registered degrader (`degsdk plugins` lists them)"},
            "params": {"type": "object", "description": "the degrader's parameters"},
        },
        "allOf": clauses,
    }


def recipe_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of degsdk recipes, with every registered degrader."""
    schema = RecipeSpec.model_json_schema(ref_template="#/$defs/{model}")
    defs = schema.setdefault("$defs", {})
    defs["Degrader"] = degrader_schema(defs)
    props = schema["properties"]
    props["degrader"] = {**DEGRADER_REF, "description": props["degrader"]["description"]}
    hr = props["hr_transform"]
    props["hr_transform"] = {"anyOf": [DEGRADER_REF, {"type": "null"}], "default": None,
                             "description": hr["description"]}
    schema = _point_children_at_degrader(schema)
    return {"$schema": SCHEMA_DIALECT, "$id": f"degsdk-recipe-{__version__}.json",
            **schema, "title": "degsdk recipe"}

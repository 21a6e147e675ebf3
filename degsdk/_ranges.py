"""Parameter types for ops whose values are drawn per sample: a fixed number or a
``[low, high]`` range (uniform). A single number ``v`` means ``[v, v]``."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema


def _pair(kind: type) -> BeforeValidator:
    """A number → ``(v, v)``; a ``[low, high]`` pair as given. Anything else — a string, a bool,
    a fraction for an int range, NaN or ±inf — is one plain error for the field."""
    what = "an integer" if kind is int else "a number"

    def check_one(x: Any) -> Any:
        if isinstance(x, bool) or not isinstance(x, int | float):
            raise ValueError(f"expected {what} or [low, high] of them")
        if not math.isfinite(x):
            raise ValueError("expected a finite number")
        if kind is int and x != int(x):
            raise ValueError("expected an integer or [low, high] of integers")
        return int(x) if kind is int else float(x)

    def convert(v: Any) -> Any:
        if isinstance(v, list | tuple):
            if len(v) != 2:
                raise ValueError(f"expected {what} or [low, high] ({len(v)} values given)")
            return (check_one(v[0]), check_one(v[1]))
        x = check_one(v)
        return (x, x)

    one: Any = int if kind is int else float
    return BeforeValidator(convert, json_schema_input_type=one | tuple[one, one])


def _ordered(v: tuple[Any, Any]) -> tuple[Any, Any]:
    if v[0] > v[1]:
        raise ValueError(f"range low {v[0]} is above high {v[1]}")
    return v


FloatRange = Annotated[tuple[float, float], _pair(float), AfterValidator(_ordered)]
"""A float or ``[low, high]``; sampled uniformly per sample."""

IntRange = Annotated[tuple[int, int], _pair(int), AfterValidator(_ordered)]
"""An int or ``[low, high]`` (inclusive); sampled uniformly per sample."""


class _Within:
    """``within``'s validator; it also writes the bounds into the JSON Schema (every number of
    the value: ``minimum``/``maximum``/``exclusiveMinimum``), so an editor checks them."""

    def __init__(self, check: Any, bounds: dict[str, float]) -> None:
        self.check, self.bounds = check, bounds

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler
                                     ) -> JsonSchemaValue:
        out = handler(schema)

        def bound(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("type") in ("number", "integer"):
                    node.update(self.bounds)
                for v in node.values():
                    bound(v)
            elif isinstance(node, list):
                for v in node:
                    bound(v)

        bound(out)
        return out


def within(ge: float | None = None, le: float | None = None, gt: float | None = None,
           name: str = "values") -> Any:
    """A validator for a ``FloatRange``/``IntRange`` whose ends must lie within bounds, e.g.
    ``Annotated[IntRange, within(1, 100, name="JPEG quality")]``."""

    def check(v: tuple[Any, Any]) -> tuple[Any, Any]:
        if ge is not None and le is not None and (v[0] < ge or v[1] > le):
            raise ValueError(f"{name} must be within {ge:g}–{le:g}")
        if ge is not None and le is None and v[0] < ge:
            raise ValueError(f"{name} must be ≥ {ge:g}")
        if le is not None and ge is None and v[1] > le:
            raise ValueError(f"{name} must be ≤ {le:g}")
        if gt is not None and v[0] <= gt:
            raise ValueError(f"{name} must be > {gt:g}")
        return v

    bounds = {k: v for k, v in (("minimum", ge), ("maximum", le), ("exclusiveMinimum", gt))
              if v is not None}
    return _Within(check, bounds)  # type: ignore[return-value]

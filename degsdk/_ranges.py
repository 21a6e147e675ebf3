"""Parameter types for ops whose values are drawn per sample: a fixed number or a
``[low, high]`` range (uniform). A single number ``v`` means ``[v, v]``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator


def _as_pair(v: Any) -> Any:
    if isinstance(v, bool):
        return v  # rejected by the tuple validator
    if isinstance(v, int | float):
        return (v, v)
    return v


def _ordered(v: tuple[Any, Any]) -> tuple[Any, Any]:
    if v[0] > v[1]:
        raise ValueError(f"range low {v[0]} is above high {v[1]}")
    return v


FloatRange = Annotated[tuple[float, float], BeforeValidator(_as_pair), AfterValidator(_ordered)]
"""A float or ``[low, high]``; sampled uniformly per sample."""

IntRange = Annotated[tuple[int, int], BeforeValidator(_as_pair), AfterValidator(_ordered)]
"""An int or ``[low, high]`` (inclusive); sampled uniformly per sample."""


def within(ge: float | None = None, le: float | None = None, gt: float | None = None,
           name: str = "values") -> AfterValidator:
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

    return AfterValidator(check)

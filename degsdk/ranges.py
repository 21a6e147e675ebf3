"""Parameter types for ops whose values are drawn per sample: a fixed number or a
``[low, high]`` range (uniform). A single number ``v`` means ``[v, v]``."""

from __future__ import annotations

from typing import Annotated, Any

import torch
from pydantic import AfterValidator, BeforeValidator

from .seeding import randint, uniform


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


def draw_float(generator: torch.Generator, value: tuple[float, float]) -> float:
    """One value from a ``FloatRange``."""
    return uniform(generator, value[0], value[1])


def draw_int(generator: torch.Generator, value: tuple[int, int]) -> int:
    """One value from an ``IntRange``."""
    return randint(generator, value[0], value[1])

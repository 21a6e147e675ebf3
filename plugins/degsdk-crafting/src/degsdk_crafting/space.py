"""The binned degradation space (paper §3.3): a pipeline template whose chosen parameters are
axes, each split into equal bins; a bin is one interval per axis."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pydantic

import degsdk
from degsdk import Degrader


class Axis(pydantic.BaseModel):
    """One axis: the parameter ``param`` of ``ops[op]`` in the template, on [low, high] split
    into ``bins`` equal intervals; ``integer`` rounds drawn values (e.g. JPEG quality)."""

    model_config = pydantic.ConfigDict(extra="forbid")
    name: str
    op: int = pydantic.Field(ge=0)
    param: str
    low: float
    high: float
    bins: int = pydantic.Field(ge=1, le=100)
    integer: bool = False
    floor: float | None = pydantic.Field(
        default=None, description="smallest value passed to the op (e.g. a blur needs σ > 0)")

    @pydantic.model_validator(mode="after")
    def _ordered(self) -> Axis:
        if not self.high > self.low:
            raise ValueError(f"axis {self.name!r}: high {self.high} must exceed low {self.low}")
        return self

    def edges(self) -> list[tuple[float, float]]:
        """The ``bins`` intervals, low to high."""
        step = (self.high - self.low) / self.bins
        return [(self.low + i * step, self.low + (i + 1) * step) for i in range(self.bins)]


class DegradationSpace(pydantic.BaseModel):
    """``ops``: a degrader pipeline template (``{name, params}`` dicts, applied in order);
    ``axes``: which parameters are binned. Bins are numbered in C order over the axes (the last
    axis changes fastest)."""

    model_config = pydantic.ConfigDict(extra="forbid")
    ops: list[dict[str, Any]]
    axes: list[Axis]

    @pydantic.model_validator(mode="after")
    def _check(self) -> DegradationSpace:
        names = [a.name for a in self.axes]
        if len(set(names)) != len(names):
            raise ValueError(f"axis names must be unique, got {names}")
        for a in self.axes:
            if a.op >= len(self.ops):
                raise ValueError(f"axis {a.name!r}: op {a.op} is out of range "
                                 f"({len(self.ops)} ops)")
            if a.param not in self.ops[a.op].get("params", {}):
                raise ValueError(f"axis {a.name!r}: ops[{a.op}] ({self.ops[a.op].get('name')}) "
                                 f"has no parameter {a.param!r} in the template")
        return self

    @property
    def num_bins(self) -> int:
        n = 1
        for a in self.axes:
            n *= a.bins
        return n

    def bin_ranges(self) -> list[dict[str, tuple[float, float]]]:
        """For every bin, axis name → (low, high)."""
        return [{a.name: e for a, e in zip(self.axes, combo, strict=True)}
                for combo in itertools.product(*(a.edges() for a in self.axes))]

    def degrader(self, values: dict[str, float]) -> Degrader:
        """The template with every axis parameter set to ``values[axis]``."""
        ops = [{"name": op["name"], "params": dict(op.get("params", {}))} for op in self.ops]
        for a in self.axes:
            v = values[a.name] if a.floor is None else max(values[a.name], a.floor)
            ops[a.op]["params"][a.param] = round(v) if a.integer else float(v)
        return degsdk.from_config({"name": "sequential", "params": {"ops": ops}})

    def scale(self) -> float:
        """Input size / output size of the pipeline."""
        mid = {a.name: (a.low + a.high) / 2 for a in self.axes}
        return float(self.degrader(mid).scale)


def default_space(scale: int = 4, blur: Sequence[float] = (0.0, 5.0), blur_bins: int = 5,
                  noise: Sequence[float] | None = (0.0, 50.0), noise_bins: int = 5,
                  jpeg: Sequence[float] | None = (30.0, 90.0), jpeg_bins: int = 3,
                  jpeg_subsampling: str = "4:2:0") -> DegradationSpace:
    """The paper's space x = JPEG_q(↓_s(y ⊗ k_σ) + n_l): σ ∈ [0, 5] px in 5 bins, noise
    l ∈ [0, 50] (0–255) in 5 bins, q ∈ [30, 90] in 3 bins — 75 bins; ↓ is bicubic (antialiased,
    MATLAB-like) by ``scale``; the JPEG's chroma is ``jpeg_subsampling`` (the paper's codec:
    4:2:0). ``noise=None`` drops the noise step and ``jpeg=None`` the JPEG
    step (a camera whose files carry no compression, a clean sensor)."""
    ops: list[dict[str, Any]] = [
        {"name": "gaussian_blur", "params": {"sigma": 1.0}},
        {"name": "resize", "params": {"factor": 1.0 / scale}},
    ]
    axes = [Axis(name="blur_sigma", op=0, param="sigma", low=blur[0], high=blur[1],
                 bins=blur_bins, floor=1e-3)]  # σ < 0.001 px: the kernel is a delta
    if noise is not None:
        ops.append({"name": "gaussian_noise", "params": {"sigma": 1.0}})
        axes.append(Axis(name="noise_sigma", op=len(ops) - 1, param="sigma", low=noise[0],
                         high=noise[1], bins=noise_bins))
    if jpeg is not None:
        ops.append({"name": "jpeg", "params": {"quality": 75,
                                               "subsampling": jpeg_subsampling}})
        axes.append(Axis(name="jpeg_quality", op=len(ops) - 1, param="quality", low=jpeg[0],
                         high=jpeg[1], bins=jpeg_bins, integer=True))
    return DegradationSpace(ops=ops, axes=axes)

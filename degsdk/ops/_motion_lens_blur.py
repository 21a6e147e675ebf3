"""Motion blur (a line of length ``length`` px at ``angle`` degrees) and lens blur (a uniform
disk of radius ``radius`` px, the defocus of a circular aperture): their kernels
(``motion_kernel``, ``disk_kernel``), and the ``MotionBlur`` and ``LensBlur`` degraders with
per-sample draws (wtp_dataset_destroyer's ``blur`` filters ``motion`` and ``lens``).
Filtering reflects at the border, as the other blurs do."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
from torch import Tensor

from .._filtering import filter2d
from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange, within
from ..seeding import draw_float

_SUPER = 8  # sub-samples per pixel side for the disk's coverage


def motion_kernel(length: float, angle: float) -> Tensor:
    """k×k float64 kernel (k odd, > length): the segment of ``length`` px through the centre
    at ``angle`` degrees (counter-clockwise on screen from +x), drawn as points 1/16 px apart,
    each split bilinearly over its four pixels; normalised to sum 1. ``length`` 0 is the
    identity."""
    k = 2 * math.ceil(length / 2) + 3
    r = k // 2
    n = max(1, math.ceil(length * 16)) + 1 if length > 0 else 1
    t = torch.linspace(-length / 2, length / 2, n, dtype=torch.float64)
    a = math.radians(angle)
    px, py = r + t * math.cos(a), r - t * math.sin(a)  # rows grow downwards
    x0, y0 = px.floor(), py.floor()
    fx, fy = px - x0, py - y0
    w = torch.zeros(k * k, dtype=torch.float64)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            idx = ((y0 + dy) * k + (x0 + dx)).long()
            w.index_add_(0, idx, wy * wx)
    w = w.view(k, k)
    return w / w.sum()


def disk_kernel(radius: float) -> Tensor:
    """k×k float64 kernel (k = 2⌈radius⌉ + 1): each pixel's area inside the circle of
    ``radius`` px (by 8×8 sub-samples), normalised to sum 1."""
    r = math.ceil(radius)
    k = 2 * r + 1
    sub = (torch.arange(k * _SUPER, dtype=torch.float64) + 0.5) / _SUPER - r - 0.5
    yy, xx = torch.meshgrid(sub, sub, indexing="ij")
    inside = ((xx**2 + yy**2) <= radius**2).to(torch.float64)
    w = inside.view(k, _SUPER, k, _SUPER).mean(dim=(1, 3))
    if float(w.sum()) == 0:  # a radius under half a sub-sample: the identity
        w[r, r] = 1
    return w / w.sum()


def _filter_each(x: Tensor, kernels: Sequence[Tensor]) -> Tensor:
    return torch.cat([filter2d(x[i : i + 1], k) for i, k in enumerate(kernels)]).clamp(0, 1)


class MotionBlurConfig(DegraderConfig):
    length: Annotated[FloatRange, within(0, 64, name="length")] = pydantic.Field(
        default=(3.0, 15.0), description="blur length in pixels, or [low, high]")
    angle: FloatRange = pydantic.Field(default=(0.0, 180.0),
                                       description="direction in degrees, or [low, high]")


class MotionBlur(Degrader):
    """Linear motion blur. Params: ``{"length", "angle"}``."""

    name = "motion_blur"
    Config = MotionBlurConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.length, self.angle = self.config.length, self.config.angle  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"length": draw_float(g, self.length), "angle": draw_float(g, self.angle)}
                for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return _filter_each(hr, [motion_kernel(float(p["length"]), float(p["angle"]))
                                 for p in params])


class LensBlurConfig(DegraderConfig):
    radius: Annotated[FloatRange, within(0, 32, name="radius")] = pydantic.Field(
        default=(1.0, 4.0), description="disk radius in pixels, or [low, high]")


class LensBlur(Degrader):
    """Defocus through a circular aperture (a uniform disk). Params: ``{"radius"}``."""

    name = "lens_blur"
    Config = LensBlurConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.radius = self.config.radius  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"radius": draw_float(g, self.radius)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return _filter_each(hr, [disk_kernel(float(p["radius"])) for p in params])

"""Motion blur: a line of ``length`` px at ``angle`` degrees (``motion_kernel``) and the
``MotionBlur`` degrader with per-sample draws (wtp_dataset_destroyer's ``blur`` with
``filter = "motion"``). Filtering reflects at the border, as the other blurs do."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
from torch import Tensor

from .._filtering import filter_each
from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange, within
from ..seeding import draw_float


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
        return filter_each(hr, [motion_kernel(float(p["length"]), float(p["angle"]))
                                 for p in params])



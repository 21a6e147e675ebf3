"""Lens blur: a uniform disk of radius ``radius`` px, the defocus of a circular aperture
(``disk_kernel``), and the ``LensBlur`` degrader with per-sample draws (wtp_dataset_destroyer's
``blur`` with ``filter = "lens"``)."""

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

_SUPER = 8  # sub-samples per pixel side for the disk's coverage


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
        return filter_each(hr, [disk_kernel(float(p["radius"])) for p in params])

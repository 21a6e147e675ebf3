"""Unsharp masking of the low-quality image — the halos of an over-sharpened camera or upload:
the ``unsharp`` degrader draws Real-ESRGAN's thresholded unsharp mask (``usm_sharpen``) with a
per-sample weight and radius (traiNNer-redux's ``lq_usm``, wtp_dataset_destroyer's ``halo``).
A large radius and weight give wide bright and dark rims along edges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange, IntRange, within
from ..seeding import draw_float, draw_int
from ._sharpen import usm_sharpen


class UnsharpConfig(DegraderConfig):
    weight: Annotated[FloatRange, within(0, 10, name="weight")] = pydantic.Field(
        default=(0.3, 1.0), description="sharpening strength, or [low, high]")
    radius: Annotated[IntRange, within(1, 101, name="radius")] = pydantic.Field(
        default=(3, 25), description="Gaussian size in pixels (+1 if even; 1: no change), or "
        "[low, high]")
    threshold: Annotated[FloatRange, within(0, 255, name="threshold")] = pydantic.Field(
        default=(10.0, 10.0), description="sharpen only where |x − blur(x)| exceeds this "
        "(0–255 scale; 0: everywhere), or [low, high]")


class Unsharp(Degrader):
    """Unsharp masking at a per-sample weight, radius and threshold. Params:
    ``{"weight", "radius", "threshold"}``."""

    name = "unsharp"
    Config = UnsharpConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: UnsharpConfig = self.config  # type: ignore[assignment]
        self.weight, self.radius, self.threshold = cfg.weight, cfg.radius, cfg.threshold

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"weight": draw_float(g, self.weight), "radius": draw_int(g, self.radius),
                 "threshold": draw_float(g, self.threshold)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return torch.cat([usm_sharpen(hr[i : i + 1], float(p["weight"]), int(p["radius"]),
                                      float(p["threshold"]))
                          for i, p in enumerate(params)]).clamp(0, 1)

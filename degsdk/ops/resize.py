"""Resize by a float ``factor`` (output/input): ``resize`` (functional) and ``Resize``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from ..interfaces import Degrader, DegraderConfig, SampleParams

ResizeMode = Literal["bicubic", "bilinear", "area", "nearest"]


def resize(x: Tensor, size: tuple[int, int], mode: ResizeMode = "bicubic",
           antialias: bool = True) -> Tensor:
    """Resize N×C×H×W to N×C×size.

    ``bicubic``/``bilinear`` with ``antialias=True`` widen the filter when shrinking, as PIL
    and MATLAB's ``imresize`` do (bicubic then uses a = -0.5, PIL's kernel); with
    ``antialias=False`` they are plain interpolation (a = -0.75, as OpenCV and Real-ESRGAN).
    ``area`` averages source pixels (exact box average for integer factors); ``nearest`` takes
    the pixel under each output pixel's centre (PIL's NEAREST). Bicubic output is clamped to
    [0, 1].
    """
    h, w = int(size[0]), int(size[1])
    if mode == "nearest":
        y = F.interpolate(x, size=(h, w), mode="nearest-exact")
    elif mode == "area":
        y = F.interpolate(x, size=(h, w), mode="area")
    else:
        y = F.interpolate(x, size=(h, w), mode=mode, align_corners=False, antialias=antialias)
    return y.clamp_(0.0, 1.0) if mode == "bicubic" else y


class ResizeConfig(DegraderConfig):
    factor: float = pydantic.Field(
        default=0.25, gt=0, le=16, description="output size / input size (0.25 = ×4 down)")
    mode: ResizeMode = "bicubic"
    antialias: bool = pydantic.Field(
        default=True, description="widen bicubic/bilinear filters when shrinking (PIL-like)")


class Resize(Degrader):
    """Deterministic resize by ``factor``; ``scale`` is ``1/factor``. Input sizes must make
    ``size·factor`` whole numbers. Params: ``{}``."""

    name = "resize"
    Config = ResizeConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: ResizeConfig = self.config  # type: ignore[assignment]
        self.factor, self.mode, self.antialias = cfg.factor, cfg.mode, cfg.antialias

    @property
    def scale(self) -> float:
        return 1.0 / self.factor

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{} for _ in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        size = self.output_size(hr.shape[-2], hr.shape[-1])
        return resize(hr, size, self.mode, self.antialias)

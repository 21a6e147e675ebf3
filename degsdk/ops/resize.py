"""Resize by a float ``factor`` (output/input): ``resize`` (functional) and ``Resize``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from ..errors import InputError
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

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        # Exact in factor terms (height·factor), avoiding the round trip through 1/factor.
        out = []
        for what, v in (("height", height), ("width", width)):
            o = v * self.factor
            r = round(o)
            if r < 1 or abs(o - r) > 1e-6:
                raise InputError(f"{self.describe()}: input {what} {v} × factor "
                                 f"{self.factor:g} = {o:g} is not a whole number of pixels; "
                                 f"crop the input first")
            out.append(r)
        return out[0], out[1]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{} for _ in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        size = self.output_size(hr.shape[-2], hr.shape[-1])
        return resize(hr, size, self.mode, self.antialias)

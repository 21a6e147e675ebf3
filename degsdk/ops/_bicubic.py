"""``bicubic``: the classic SR degradation — bicubic downscaling, optionally aligned.

With ``scale`` k > 1 (and no ``level``) the output is the HR image bicubic-downscaled by k
(antialiased, as MATLAB's ``imresize`` and PIL). With ``level`` s the image is downscaled by s
and then bicubic-resized to 1/k of the input size: with ``scale: 1`` that is the aligned
"bicubic" baseline of RealSR/InterFlow (down by s, back up to the HR grid).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pydantic
import torch
from torch import Tensor

from .._errors import ConfigError
from .._interfaces import Degrader, DegraderConfig, SampleParams
from ._resize import resize


class BicubicConfig(DegraderConfig):
    scale: int = pydantic.Field(default=4, ge=1, le=8, description="HR size / output size")
    level: float | None = pydantic.Field(
        default=None, gt=1, le=16,
        description="downscale factor before resizing to the output size (None: scale)")


class BicubicDown(Degrader):
    """Deterministic bicubic degradation; see the module doc. Params: ``{}``."""

    name = "bicubic"
    Config = BicubicConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: BicubicConfig = self.config  # type: ignore[assignment]
        if self.cfg.scale == 1 and self.cfg.level is None:
            raise ConfigError("bicubic: with scale 1 (aligned output) set level > 1, the "
                              "factor to go down by before coming back up (e.g. level: 2)")

    @property
    def scale(self) -> float:
        return float(self.cfg.scale)

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{} for _ in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        size = self.output_size(hr.shape[-2], hr.shape[-1])
        level = self.cfg.level
        if level is None or level == self.cfg.scale:
            return resize(hr, size, "bicubic")
        h, w = hr.shape[-2:]
        small = (max(1, round(h / level)), max(1, round(w / level)))
        return resize(resize(hr, small, "bicubic"), size, "bicubic")

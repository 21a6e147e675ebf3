"""Pixelation: each ``size``×``size`` block replaced by its mean (``pixelate``, functional) and
the ``Pixelate`` degrader with a per-sample block size (wtp_dataset_destroyer's ``pixelate``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import IntRange, within
from ..seeding import draw_int
from ._blocks import block_expand, block_mean


def pixelate(x: Tensor, sizes: Sequence[int]) -> Tensor:
    """N×3×H×W → the same size, each sample's ``sizes[i]``-pixel blocks (from the top-left;
    partial edge blocks too) filled with their mean."""
    h, w = x.shape[-2:]
    return torch.cat([block_expand(block_mean(x[i : i + 1], int(k), int(k)), int(k), int(k),
                                   h, w) for i, k in enumerate(sizes)])


class PixelateConfig(DegraderConfig):
    size: Annotated[IntRange, within(1, 64, name="block size")] = pydantic.Field(
        default=(2, 4), description="block side in pixels (1: unchanged), or [low, high]")


class Pixelate(Degrader):
    """Replaces each block by its mean; same size out. Params: ``{"size": int}``."""

    name = "pixelate"
    Config = PixelateConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.size = self.config.size  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"size": draw_int(g, self.size)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return pixelate(hr, [int(p["size"]) for p in params]).clamp(0, 1)

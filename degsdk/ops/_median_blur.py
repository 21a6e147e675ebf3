"""Median filter: each pixel and channel replaced by the median of its (2r+1)×(2r+1)
neighbourhood, reflecting at the border. ``median_filter`` (functional) and the
``median_blur`` degrader with a per-sample radius (wtp_dataset_destroyer's ``blur`` with
``filter = "median"``; OpenCV's ``medianBlur``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import IntRange, within
from ..seeding import draw_int


def median_filter(x: Tensor, radius: int) -> Tensor:
    """Median of each (2r+1)² neighbourhood of N×C×H×W (reflect padding: the edge pixel is
    not repeated). An odd count, so the median is one of the values."""
    r = int(radius)
    if r == 0:
        return x.clone()
    n, c, h, w = x.shape
    k = 2 * r + 1
    padded = F.pad(x, (r, r, r, r), mode="reflect")
    windows = padded.unfold(2, k, 1).unfold(3, k, 1)  # N×C×H×W×k×k
    return windows.reshape(n, c, h, w, k * k).median(dim=-1).values


class MedianBlurConfig(DegraderConfig):
    radius: Annotated[IntRange, within(0, 8, name="radius")] = pydantic.Field(
        default=(1, 1), description="half-width r of the (2r+1)² window, or [low, high]")


class MedianBlur(Degrader):
    """Median filter at a per-sample radius. Params: ``{"radius": int}``."""

    name = "median_blur"
    Config = MedianBlurConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.radius = self.config.radius  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"radius": draw_int(g, self.radius)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return torch.cat([median_filter(hr[i : i + 1], int(p["radius"]))
                          for i, p in enumerate(params)])

"""Lossy WebP through the real codec (Pillow / libwebp) at a per-sample quality:
``webp_compress`` (functional) and the ``WebP`` degrader (wtp_dataset_destroyer's ``compress``
with ``algorithm = "webp"``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import numpy as np
import pydantic
import torch
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import IntRange, within
from ..seeding import draw_int
from ._jpeg import codec_roundtrip, to_uint8_nhwc
from ._parallel import map_samples


def webp_roundtrip(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode an H×W×3 uint8 array as lossy WebP at ``quality`` (libwebp's default method 4)
    and decode it again."""
    return codec_roundtrip(image, "WEBP", quality=int(quality), lossless=False)


def webp_compress(x: Tensor, quality: Sequence[int]) -> Tensor:
    """WebP-compress each sample of N×3×H×W at its own quality (0–100); 8-bit values (k/255)
    out, on ``x.device``; samples are coded in parallel threads."""
    arrays = to_uint8_nhwc(x)
    coded = map_samples(lambda item: webp_roundtrip(*item),
                        [(a, int(q)) for a, q in zip(arrays, quality, strict=True)])
    out = torch.from_numpy(np.stack(coded)).permute(0, 3, 1, 2)
    return (out.to(torch.float32) / 255.0).to(x.device)


class WebPConfig(DegraderConfig):
    quality: Annotated[IntRange, within(0, 100, name="WebP quality")] = pydantic.Field(
        default=(40, 95), description="WebP quality 0–100, or [low, high] (inclusive)")


class WebP(Degrader):
    """Lossy WebP at a per-sample quality. Params: ``{"quality": int}``."""

    name = "webp"
    Config = WebPConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.quality = self.config.quality  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"quality": draw_int(g, self.quality)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return webp_compress(hr, [int(p["quality"]) for p in params])

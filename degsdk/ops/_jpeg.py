"""JPEG compression through a real codec (Pillow / libjpeg-turbo) at per-sample quality and a
chroma subsampling: ``jpeg_compress`` (functional) and the ``JPEG`` degrader."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
import pydantic
import torch
from PIL import Image
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import IntRange, within
from ..seeding import draw_int
from ._parallel import map_samples


def to_uint8_nhwc(x: Tensor) -> np.ndarray:
    """N×3×H×W float in [0, 1] → N×H×W×3 uint8 (rounded), on the CPU."""
    u8 = (x.detach().clamp(0, 1) * 255.0).round().to(torch.uint8)
    return np.ascontiguousarray(u8.permute(0, 2, 3, 1).cpu().numpy())


Subsampling = Literal["4:4:4", "4:2:2", "4:2:0"]
"""JPEG chroma subsampling: full chroma, half horizontally, half in both directions."""
SUBSAMPLINGS: tuple[str, ...] = ("4:4:4", "4:2:2", "4:2:0")


def jpeg_roundtrip(image: np.ndarray, quality: int, subsampling: str = "4:2:0"
                   ) -> np.ndarray:
    """Encode an H×W×3 uint8 array as JPEG at ``quality`` with ``subsampling`` (libjpeg's
    standard tables scaled by quality; 4:2:0 is Pillow's default) and decode it again."""
    if subsampling not in SUBSAMPLINGS:
        raise ValueError(f"JPEG subsampling must be one of {SUBSAMPLINGS}, got {subsampling!r}")
    return codec_roundtrip(image, "JPEG", quality=int(quality), subsampling=subsampling)


def codec_roundtrip(image: np.ndarray, fmt: str, **options: Any) -> np.ndarray:
    """Encode an H×W×3 uint8 array with Pillow's ``fmt`` codec and ``options`` (its ``save``
    keywords) and decode it again."""
    buf = io.BytesIO()
    Image.fromarray(image, mode="RGB").save(buf, format=fmt, **options)
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("RGB"))


def jpeg_compress(x: Tensor, quality: Sequence[int], subsampling: str = "4:2:0") -> Tensor:
    """JPEG-compress each sample of N×3×H×W at its own quality (1–100) with ``subsampling``
    (``"4:4:4"``, ``"4:2:2"`` or ``"4:2:0"``). The output takes 8-bit values (k/255) and lives
    on ``x.device``. Samples are coded in parallel threads (the codec releases the GIL); each
    sample's result does not depend on the others."""
    arrays = to_uint8_nhwc(x)
    items = [(a, int(q), subsampling) for a, q in zip(arrays, quality, strict=True)]
    coded = map_samples(lambda item: jpeg_roundtrip(*item), items)
    out = torch.from_numpy(np.stack(coded)).permute(0, 3, 1, 2)
    return (out.to(torch.float32) / 255.0).to(x.device)


JPEGQuality = Annotated[IntRange, within(1, 100, name="JPEG quality")]
"""A JPEG quality 1–100 or an inclusive ``[low, high]`` range of them."""


class JPEGConfig(DegraderConfig):
    quality: JPEGQuality = pydantic.Field(
        default=(30, 95), description="JPEG quality 1–100, or [low, high] (inclusive)")
    subsampling: Subsampling = pydantic.Field(
        default="4:2:0", description="chroma subsampling: 4:4:4, 4:2:2 or 4:2:0")


class JPEG(Degrader):
    """JPEG compression at a per-sample quality and a chroma subsampling.
    Params: ``{"quality": int}``."""

    name = "jpeg"
    Config = JPEGConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.quality = self.config.quality  # type: ignore[attr-defined]
        self.subsampling = self.config.subsampling  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"quality": draw_int(g, self.quality)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return jpeg_compress(hr, [int(p["quality"]) for p in params], self.subsampling)

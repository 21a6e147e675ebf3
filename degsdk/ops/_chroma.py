"""Chroma subsampling as an image codec stores colour: RGB → YCbCr (the full-range BT.601
transform of JPEG/JFIF), Cb and Cr averaged over blocks of the mode's factors, replicated back
(no smoothing, as a decoder without "fancy upsampling" does) and converted to RGB; luma is
untouched. ``chroma_subsample`` (functional) and the ``ChromaSubsample`` degrader, which draws
one mode per sample (wtp_dataset_destroyer's ``subsampling``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pydantic
import torch
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from ..seeding import randint
from ._blocks import block_expand, block_mean

ChromaMode = Literal["4:4:4", "4:4:0", "4:2:2", "4:2:0", "4:1:1", "4:1:0"]
FACTORS: dict[str, tuple[int, int]] = {  # (vertical, horizontal) chroma block
    "4:4:4": (1, 1), "4:4:0": (2, 1), "4:2:2": (1, 2), "4:2:0": (2, 2), "4:1:1": (1, 4),
    "4:1:0": (2, 4)}

_TO_YCC = torch.tensor([[0.299, 0.587, 0.114],
                        [-0.168736, -0.331264, 0.5],
                        [0.5, -0.418688, -0.081312]], dtype=torch.float64)
_FROM_YCC = torch.linalg.inv(_TO_YCC)


def _mix(x: Tensor, m: Tensor) -> Tensor:
    return torch.einsum("ij,njhw->nihw", m.to(device=x.device, dtype=x.dtype), x)


def chroma_subsample(x: Tensor, modes: Sequence[str]) -> Tensor:
    """N×3×H×W RGB in [0, 1] with each sample's chroma stored at ``modes[i]`` (a key of
    ``FACTORS``); clamped to [0, 1]."""
    ycc = _mix(x, _TO_YCC)  # Cb, Cr centred on 0
    h, w = x.shape[-2:]
    out = []
    for i, mode in enumerate(modes):
        fy, fx = FACTORS[mode]
        c = block_expand(block_mean(ycc[i : i + 1, 1:], fy, fx), fy, fx, h, w)
        out.append(torch.cat([ycc[i : i + 1, :1], c], dim=1))
    return _mix(torch.cat(out), _FROM_YCC).clamp(0, 1)


class ChromaSubsampleConfig(DegraderConfig):
    modes: list[ChromaMode] = pydantic.Field(
        default=["4:2:0"], min_length=1,
        description="chroma subsampling modes, one drawn uniformly per sample")


class ChromaSubsample(Degrader):
    """Colour stored at a lower resolution than luma. Params: ``{"mode": str}``."""

    name = "chroma_subsample"
    Config = ChromaSubsampleConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.modes: list[str] = list(self.config.modes)  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"mode": self.modes[randint(g, 0, len(self.modes) - 1)]} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return chroma_subsample(hr, [str(p["mode"]) for p in params])

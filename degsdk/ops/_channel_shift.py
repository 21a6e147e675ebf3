"""Channel shift: each colour channel moved by its own whole-pixel offset (edges replicated),
as a misregistered scan or a cheap chromatic aberration. ``channel_shift`` (functional) and the
``ChannelShift`` degrader with per-sample, per-channel offsets (wtp_dataset_destroyer's
``shift``)."""

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


def channel_shift(x: Tensor, shifts: Sequence[Sequence[Sequence[int]]]) -> Tensor:
    """N×3×H×W with channel c of sample i moved by ``shifts[i][c] = (dy, dx)`` pixels (down and
    right positive); the pixels that enter repeat the edge."""
    n, c, h, w = x.shape
    out = torch.empty_like(x)
    for i in range(n):
        for ch in range(c):
            dy, dx = (int(v) for v in shifts[i][ch])
            p = max(abs(dy), abs(dx))
            plane = x[i : i + 1, ch : ch + 1]
            if p:
                plane = F.pad(plane, (p, p, p, p), mode="replicate")
            out[i, ch] = plane[0, 0, p - dy : p - dy + h, p - dx : p - dx + w]
    return out


class ChannelShiftConfig(DegraderConfig):
    shift: Annotated[IntRange, within(-32, 32, name="shift")] = pydantic.Field(
        default=(-2, 2), description="pixels each channel moves along each axis, or "
        "[low, high] drawn per sample, channel and axis")


class ChannelShift(Degrader):
    """Moves R, G and B by their own offsets. Params: ``{"shifts": [[dy, dx] × 3]}``."""

    name = "channel_shift"
    Config = ChannelShiftConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.shift = self.config.shift  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"shifts": [[draw_int(g, self.shift), draw_int(g, self.shift)]
                            for _ in range(3)]} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return channel_shift(hr, [p["shifts"] for p in params])

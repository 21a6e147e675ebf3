"""Block averages: the mean of each ``fy``×``fx`` block from the top-left corner (a partial
block at the right or bottom edge is the mean of the pixels it has), and its expansion back to
the full size by replication. Shared by chroma subsampling and pixelation."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor


def block_mean(x: Tensor, fy: int, fx: int) -> Tensor:
    """N×C×H×W → N×C×⌈H/fy⌉×⌈W/fx⌉: the mean of each block (partial edge blocks over their own
    pixels)."""
    if fy == 1 and fx == 1:
        return x
    sums = F.avg_pool2d(x, (fy, fx), stride=(fy, fx), ceil_mode=True, divisor_override=1)
    ones = x.new_ones(1, 1, *x.shape[-2:])
    counts = F.avg_pool2d(ones, (fy, fx), stride=(fy, fx), ceil_mode=True, divisor_override=1)
    return sums / counts


def block_expand(m: Tensor, fy: int, fx: int, h: int, w: int) -> Tensor:
    """Each value of N×C×h'×w' repeated over its ``fy``×``fx`` block, cut to ``h``×``w``."""
    return m.repeat_interleave(fy, dim=-2).repeat_interleave(fx, dim=-1)[..., :h, :w]

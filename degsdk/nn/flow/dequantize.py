"""Uniform dequantisation of image data before a flow."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor


def dequantize(x: Tensor, bins: int, generators: Sequence[torch.Generator]) -> tuple[Tensor,
                                                                                       Tensor]:
    """``x + U(−½, ½)/bins`` and the per-sample log-likelihood correction ``−D·ln(bins)``
    (D = C·H·W): a flow density p on the result gives log P(bin) ≥ log p(x̃) − D·ln(bins).
    DeFlow uses 5-bit dequantisation (``bins=32``). Noise for sample i comes from
    ``generators[i]`` (created on ``x``'s device)."""
    if len(generators) != x.shape[0]:
        raise ValueError(f"dequantize: {len(generators)} generators for {x.shape[0]} samples")
    noise = torch.stack([torch.rand(x.shape[1:], generator=g, device=g.device, dtype=x.dtype)
                         for g in generators]).to(x.device)
    dims = x[0].numel()
    return x + (noise - 0.5) / bins, x.new_full((x.shape[0],), -dims * math.log(bins))

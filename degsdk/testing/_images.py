"""Deterministic test images for the contract checks."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor


def example_images(n: int = 4, scale: float = 1.0, size: int = 64, seed: int = 0) -> Tensor:
    """``n`` natural-looking test images, float32 n×3×S×S in [0, 1] (smooth colour fields plus
    mild texture), with S the smallest side ≥ ``size`` that ``scale`` divides exactly. The same
    arguments give the same images on every machine."""
    side = next(s for s in range(size, size + 4096)
                if math.isclose(s / scale, round(s / scale), abs_tol=1e-9))
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 3, max(2, side // 8), max(2, side // 8), generator=g)
    up = F.interpolate(base, size=(side, side), mode="bilinear", align_corners=False)
    texture = torch.rand(n, 3, side, side, generator=g) * 0.2
    return (0.8 * up + texture).clamp(0, 1).float()

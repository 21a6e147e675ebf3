"""Luma: the BT.601 weighting of RGB that every Y-channel measure in degsdk uses (public as
``degsdk.ops.luma``)."""

from __future__ import annotations

from torch import Tensor

LUMA_WEIGHTS = (0.299, 0.587, 0.114)
"""R, G, B weights of BT.601 luma (the Y of YCbCr without its offset and range)."""


def luma(x: Tensor) -> Tensor:
    """N×3×H×W RGB → N×1×H×W luma Σ wᵢ·xᵢ (``LUMA_WEIGHTS``), in ``x``'s dtype and device;
    values stay in ``x``'s range."""
    return (x * x.new_tensor(LUMA_WEIGHTS).view(1, 3, 1, 1)).sum(1, keepdim=True)

"""The paper's eq. 4: Fréchet distances → bin sampling weights."""

from __future__ import annotations

import torch
from torch import Tensor


def normalize_distances(d: Tensor) -> Tensor:
    """D linearly onto [0, 1] (min → 0, max → 1); all equal → all 0."""
    d = torch.as_tensor(d, dtype=torch.float64)
    span = d.max() - d.min()
    return torch.zeros_like(d) if float(span) == 0 else (d - d.min()) / span


def bin_weights_from_distances(d: Tensor, alpha: float = 25.0) -> Tensor:
    """w_i = (exp((1 − D_norm,i)^α) − 1) / Σ_j (exp((1 − D_norm,j)^α) − 1) (eq. 4). α = 0 gives
    the uniform distribution; larger α concentrates the weight on the nearest bins. The
    farthest bin gets weight 0 for α > 0."""
    if alpha < 0:
        raise ValueError(f"alpha must be ≥ 0, got {alpha}")
    dn = normalize_distances(d)
    base = 1 - dn
    powered = torch.ones_like(base) if alpha == 0 else base.pow(alpha)
    w = torch.expm1(powered)
    if float(w.sum()) == 0:  # every bin at the maximum distance: nothing to prefer
        return torch.full_like(w, 1.0 / w.numel())
    return w / w.sum()

"""The extractors' pre-training losses (paper §2.1): the triplet loss of Eq. 4 on a degradation
grid (Eq. 3), the LR reconstruction loss of Eq. 5–6, and the DDPM's noise-prediction loss."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from degsdk import Degrader
from degsdk.seeding import draw_seed, generator_from_seed


def triplet_loss(anchor: Tensor, positives: Tensor, negatives: Tensor, margin: float) -> Tensor:
    """Eq. 4: Σ_i max(0, d(a, p_i) − d(a, n_i) + margin), d the L2 distance; mean over anchors.
    anchor N×D, positives and negatives N×n×D."""
    d_pos = (anchor[:, None] - positives).norm(dim=-1)
    d_neg = (anchor[:, None] - negatives).norm(dim=-1)
    return torch.relu(d_pos - d_neg + margin).sum(dim=1).mean()


def degradation_grid(degrader: Degrader, hr: Tensor, g: torch.Generator) -> Tensor:
    """hr G×m×3×H×W (G groups of m HR patches) → LR G×m×m×3×h×w with LR[g, i, j] =
    D(hr[g, i], θ_gj): m parameter draws θ per group, each replayed on every patch of the
    group (its exact params, noise seeds included)."""
    groups, m = hr.shape[:2]
    flat = hr.flatten(0, 1)
    thetas = degrader.sample(flat, [generator_from_seed(draw_seed(g)) for _ in range(len(flat))])
    params = [thetas[gi * m + j] for gi in range(groups) for i in range(m) for j in range(m)]
    images = hr[:, :, None].expand(-1, -1, m, -1, -1, -1).flatten(0, 2)
    lr = degrader.apply(images, params)
    return lr.view(groups, m, m, *lr.shape[1:])


def grid_triplets(vectors: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Vectors G×m×m×D of a degradation grid → (anchors G·m·m×D, positives and negatives
    G·m·m×(m−1)×D): for anchor (i, j) the positives are (i', j), i' ≠ i (same parameters,
    other HR) and the negatives (i, j'), j' ≠ j (other parameters, same HR)."""
    _groups, m, _, dim = vectors.shape
    others = [[k for k in range(m) if k != i] for i in range(m)]
    idx = torch.tensor(others, device=vectors.device)  # m×(m−1)
    pos = vectors[:, idx]  # G×m×(m−1)×m×D: [g, i, k, j] = v[g, others[i][k], j]
    pos = pos.permute(0, 1, 3, 2, 4)  # G×i×j×k×D
    neg = vectors[:, :, idx]  # G×i×j×k×D: [g, i, j, k] = v[g, i, others[j][k]]
    return (vectors.reshape(-1, dim), pos.reshape(-1, m - 1, dim),
            neg.reshape(-1, m - 1, dim))


def noise_prediction_loss(unet_eps: Tensor, noise: Tensor) -> Tensor:
    """‖ε̂ − ε‖² (mean), the DDPM objective (Algorithm 1)."""
    return torch.mean((unet_eps - noise) ** 2)


def mean_squared(a: Tensor, b: Tensor) -> Tensor:
    """Eq. 2 / Eq. 6: the mean squared error."""
    return torch.mean((a - b) ** 2)


def noise_like(shape: Sequence[int], g: torch.Generator) -> Tensor:
    """Standard normal noise of ``shape`` from ``g``."""
    return torch.randn(tuple(shape), generator=g)

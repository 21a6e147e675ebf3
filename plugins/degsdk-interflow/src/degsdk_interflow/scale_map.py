"""The latent's local scale as a function of the HR (a departure from the paper, issue 30).

A camera's noise depends on the signal (Poisson–Gaussian: more in bright areas) and its blur
and JPEG residue on the texture. The paper's flow is meant to absorb this through its HR
condition, leaving latents of the same Gaussian everywhere; a CPU-sized flow does not — its
encoded latents are up to 1.7× wider in bright textured cells than in dark flat ones — so
drawing every cell from one Gaussian makes flat areas too noisy and textured ones too clean.

Each latent cell (``cell`` × ``cell`` HR pixels, ``cell`` = 2^L) is put in a bin by two
statistics of its HR: the mean brightness (mean of R, G, B; ``brightness_bins`` equal bins of
[0, 1]) and the mean absolute gradient of that brightness (|∂x| + |∂y|, binned by
``gradient_edges``, the training cells' quantiles). A level's scale table holds, per bin, the
RMS of the encoded latents about the level's mean relative to that of all cells; the prior
draws z = μ + τ·s(bin)·M·n.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

MIN_CELLS = 32
"""A bin with fewer training cells keeps the scale 1."""


def cell_statistics(hr: Tensor, cell: int) -> tuple[Tensor, Tensor]:
    """(brightness, gradient), each N×H/cell×W/cell, of an N×3×H×W HR in [0, 1] whose sides
    are multiples of ``cell``: the mean of R, G, B over each cell, and the mean of
    |∂x| + |∂y| of that brightness (forward differences, 0 past the last row/column)."""
    gray = hr.mean(dim=1, keepdim=True)
    dx = F.pad((gray[..., :, 1:] - gray[..., :, :-1]).abs(), (0, 1))
    dy = F.pad((gray[..., 1:, :] - gray[..., :-1, :]).abs(), (0, 0, 0, 1))
    return F.avg_pool2d(gray, cell)[:, 0], F.avg_pool2d(dx + dy, cell)[:, 0]


def cell_bins(hr: Tensor, cell: int, brightness_bins: int, gradient_edges: Tensor) -> Tensor:
    """The bin of every latent cell of ``hr`` (N×3×H×W) → N×h×w indices into a
    ``brightness_bins`` × (len(gradient_edges) + 1) table, flattened row-major."""
    brightness, gradient = cell_statistics(hr, cell)
    b = (brightness * brightness_bins).long().clamp(0, brightness_bins - 1)
    g = torch.bucketize(gradient.contiguous(), gradient_edges.to(gradient.dtype))
    return b * (gradient_edges.numel() + 1) + g


def gradient_quantiles(hrs: Sequence[Tensor], cell: int, bins: int) -> Tensor:
    """The ``bins`` − 1 inner quantiles of the cell gradients of the HR images ``hrs`` (each
    3×H×W, sides multiples of ``cell``): edges that give equally full gradient bins."""
    values = torch.cat([cell_statistics(x[None], cell)[1].flatten() for x in hrs])
    q = torch.arange(1, bins, dtype=torch.float64) / bins
    return torch.quantile(values.double(), q).float()


def fit_scale_table(latents: Sequence[Tensor], bins: Sequence[Tensor], mean: Tensor,
                    size: int) -> Tensor:
    """The scale per bin (``size`` bins) of the latents (each C×h×w) about ``mean`` (C):
    √(mean squared deviation of the bin's cells / that of all cells), float64 sums; 1 where a
    bin has fewer than :data:`MIN_CELLS` cells. ``bins`` are each latent's h×w indices."""
    energy = torch.zeros(size, dtype=torch.float64)
    count = torch.zeros(size, dtype=torch.float64)
    for z, k in zip(latents, bins, strict=True):
        e = (z.double() - mean.double().view(-1, 1, 1)).pow(2).mean(dim=0)
        energy.index_add_(0, k.flatten(), e.flatten())
        count.index_add_(0, k.flatten(), torch.ones(k.numel(), dtype=torch.float64))
    overall = energy.sum() / count.sum()
    table = (energy / count.clamp(min=1) / overall).sqrt()
    return torch.where(count >= MIN_CELLS, table, torch.ones_like(table)).float()

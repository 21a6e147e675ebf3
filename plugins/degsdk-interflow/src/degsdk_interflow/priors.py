"""InterFlow's latent model (paper §3.1, eq. 2): one Gaussian per trained zoom level s,
z ~ N(μ_s, Σ_s) with Σ_s = M_s·M_sᵀ over the C latent channels, the same at every position.

The official code's parametrisation is the default: μ_s is one scalar per level (broadcast
over channels), initialised by linspace(−0.1·⌊n/2⌋, +0.1·⌊n/2⌋, n), and M_s = 0.1·I.
``mean="channel"`` gives the paper text's per-channel mean instead.

Between two trained levels the parameters are blended linearly: with weight w (0 at the lower
level, 1 at the upper) μ = (1−w)·μ_lo + w·μ_hi and M = (1−w)·M_lo + w·M_hi, so w = 0 and
w = 1 give the levels' own Gaussians (the paper's eq. 6 weights the *lower* level by a, i.e.
a = 1 − w).

With ``scale_bins`` = (B, G) each level also has a B×G table of local latent scales over the
HR's brightness and gradient (:mod:`~degsdk_interflow.scale_map`, fitted after training, a
departure from the paper); ones until fitted. :meth:`log_prob` (the training loss) ignores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

import torch
from torch import Tensor, nn

from degsdk.nn.flow import full_cov_gaussian_log_prob

from .scale_map import cell_bins

MeanKind = Literal["scalar", "channel"]


class LevelPriors(nn.Module):
    """(μ_s, M_s) for each of the sorted ``levels``; ``channels`` = C of the latent."""

    def __init__(self, levels: Sequence[float], channels: int, mean: MeanKind = "scalar",
                 mean_init: float = 0.1, std_init: float = 0.1,
                 scale_bins: Sequence[int] = ()) -> None:
        super().__init__()
        n = len(levels)
        if n < 2 or any(b <= a for a, b in pairwise(levels)):
            raise ValueError(f"LevelPriors: need ≥ 2 strictly increasing levels, got "
                             f"{list(levels)}")
        self.channels = channels
        self.mean_kind: MeanKind = mean
        self.register_buffer("levels", torch.tensor([float(v) for v in levels]))
        half = n // 2
        init = torch.linspace(-mean_init * half, mean_init * half, n)
        self.means = nn.Parameter(init if mean == "scalar"
                                  else init[:, None].repeat(1, channels).contiguous())
        self.factors = nn.Parameter(torch.eye(channels).repeat(n, 1, 1) * std_init)
        self.scale_bins = tuple(int(b) for b in scale_bins)
        if self.scale_bins:
            b, g = self.scale_bins
            self.register_buffer("scale_tables", torch.ones(n, b, g))
            self.register_buffer("gradient_edges", torch.zeros(g - 1))

    def __len__(self) -> int:
        return int(self.levels.numel())

    def mean_vector(self, index: int) -> Tensor:
        """μ of level ``index`` as a C vector."""
        m = self.means[index]
        return m.expand(self.channels) if self.mean_kind == "scalar" else m

    def log_prob(self, z: Tensor, index: int) -> Tensor:
        """log N(z; μ_s, Σ_s) of level ``index``, summed over positions → N (z: N×C×H×W)."""
        return full_cov_gaussian_log_prob(z, self.mean_vector(index), self.factors[index],
                                          identity=False)

    def log_prob_table(self, z: Tensor) -> Tensor:
        """log N(z; μ_t, Σ_t) for every level t → N×n (the information bottleneck's input)."""
        return torch.stack([self.log_prob(z, t) for t in range(len(self))], 1)

    def blended(self, lower: int, weight: float) -> tuple[Tensor, Tensor]:
        """(μ, M) between level ``lower`` and ``lower + 1`` at ``weight`` w (module doc);
        w outside [0, 1] extrapolates linearly."""
        w = float(weight)
        mean = (1 - w) * self.mean_vector(lower) + w * self.mean_vector(lower + 1)
        factor = (1 - w) * self.factors[lower] + w * self.factors[lower + 1]
        return mean, factor

    def scale_map(self, hr: Tensor, cell: int, lower: int, weight: float) -> Tensor | None:
        """The local scale of every latent cell of ``hr`` (3×H×W) → h×w, from the scale tables
        blended like :meth:`blended`; None without ``scale_bins``."""
        if not self.scale_bins:
            return None
        w = float(weight)
        table = (1 - w) * self.scale_tables[lower] + w * self.scale_tables[lower + 1]
        return table.flatten()[cell_bins(hr[None], cell, self.scale_bins[0],
                                         self.gradient_edges)[0]]

    @staticmethod
    def draw(mean: Tensor, factor: Tensor, shape: tuple[int, int], temperature: float,
             generator: torch.Generator, scale: Tensor | None = None) -> Tensor:
        """One latent C×H×W: μ + τ·s·M·n with n ~ N(0, I) from ``generator`` (τ = 0: the
        mean; ``scale`` s: H×W, or 1)."""
        c = mean.numel()
        n = torch.randn((c, *shape), generator=generator, device=generator.device,
                        dtype=factor.dtype).to(factor.device)
        spread = torch.einsum("ij,jhw->ihw", factor, n)
        if scale is not None:
            spread = spread * scale
        return mean.view(c, 1, 1) + temperature * spread

"""DeFlow's latent model (paper §3.2, §4.1): clean latents z_x ~ N(0, I); degraded latents
z_y = z_x + u with u ~ N(μ_u, Σ_u), Σ_u = M·Mᵀ, the same (μ_u, M) at every position."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from degsdk.nn.flow import full_cov_gaussian_log_prob, standard_normal_log_prob


class LatentShift(nn.Module):
    """(μ_u, M) of one latent with ``channels`` channels. μ_u starts at 0 and M at
    ``init_std``·I: the domains start equal, and M ≠ 0 so Σ_u = M·Mᵀ gets a gradient (at
    exactly M = 0 it never would)."""

    def __init__(self, channels: int, init_std: float = 0.01) -> None:
        super().__init__()
        self.mean = nn.Parameter(torch.zeros(channels))
        self.factor = nn.Parameter(torch.eye(channels) * init_std)

    def covariance(self) -> Tensor:
        """Σ_u = M·Mᵀ (C×C)."""
        return self.factor @ self.factor.T

    def log_prob(self, z: Tensor, degraded: Tensor) -> Tensor:
        """Per-sample log-density of the latent ``z`` (N×C×H×W): N(0, I) where
        ``degraded[i]`` is False (eq. 4a), N(μ_u, I + Σ_u) where True (eq. 4b)."""
        clean = standard_normal_log_prob(z)
        if not bool(degraded.any()):
            return clean
        shifted = full_cov_gaussian_log_prob(z, self.mean, self.factor, identity=True)
        return torch.where(degraded.to(z.device), shifted, clean)

    def conditional_log_prob(self, z_y: Tensor, z_x: Tensor) -> Tensor:
        """log N(z_y; z_x + μ_u, Σ_u) per sample: the paired conditional term of eq. 5."""
        return full_cov_gaussian_log_prob(z_y - z_x, self.mean, self.factor, identity=False)

    def sample(self, shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
        """u = μ_u + M·ñ for one sample, ñ ~ N(0, I) of ``shape`` = (C, H, W)."""
        n = torch.randn(shape, generator=generator, device=generator.device,
                        dtype=self.factor.dtype).to(self.factor.device)
        return self.mean.view(-1, 1, 1) + torch.einsum("ij,jhw->ihw", self.factor, n)

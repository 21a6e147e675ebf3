"""Split with a learned prior: half the channels leave the flow as a latent, normalised by a
mean and scale predicted from the half that stays."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .coupling import ZeroConv2d


class Split(nn.Module):
    """``x`` (N×C×H×W) → ``z1`` (first C − C//2 channels, continues through the flow) and
    ``ε = (z2 − mean(z1)) / (exp(logs(z1)) + 1e-6)`` (C//2 channels, a latent). mean and logs
    come from a :class:`ZeroConv2d` on z1 (cross split), so at init ε = z2. The prior is not
    conditioned on encoder features (as in DeFlow)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.keep = channels - channels // 2
        self.prior = ZeroConv2d(self.keep, 2 * (channels // 2))

    def _mean_scale(self, z1: Tensor) -> tuple[Tensor, Tensor]:
        h = self.prior(z1)
        return h[:, 0::2], torch.exp(h[:, 1::2]) + 1e-6

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``(z1, ε, log|det ∂(z1, ε)/∂x|)`` with the log-determinant per sample (N)."""
        z1, z2 = x[:, : self.keep], x[:, self.keep :]
        mean, scale = self._mean_scale(z1)
        return z1, (z2 - mean) / scale, -torch.log(scale).flatten(1).sum(1)

    def decode(self, z1: Tensor, eps: Tensor) -> tuple[Tensor, Tensor]:
        """``(x, −log|det ∂(z1, ε)/∂x|)``: the inverse of :meth:`encode`."""
        mean, scale = self._mean_scale(z1)
        return torch.cat([z1, eps * scale + mean], 1), torch.log(scale).flatten(1).sum(1)

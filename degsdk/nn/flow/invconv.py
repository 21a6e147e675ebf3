"""Invertible 1×1 convolution (Glow), optionally LU-parametrised."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import torch
from torch import Tensor, nn

from .layer import FlowLayer, default_generator


class InvertibleConv1x1(FlowLayer):
    """``y = W·x`` at every pixel, W ∈ R^{C×C}; log|det| = H·W·log|det W|.

    W starts as a random orthogonal matrix (QR of a Gaussian drawn from ``generator``). With
    ``lu=True`` (DeFlow's setting) it is stored as ``W = P·(L + I)·(U + diag(sign·exp(log_s)))``
    with P and sign fixed and L (strictly lower), U (strictly upper) and log_s learned, so
    log|det W| = Σ log_s. The inverse is computed in float64."""

    def __init__(self, channels: int, lu: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        g = default_generator(generator)
        q, _ = torch.linalg.qr(torch.randn(channels, channels, generator=g, dtype=torch.float64))
        self.lu = lu
        if not lu:
            self.weight = nn.Parameter(q.float())
            return
        p, lower, upper = scipy.linalg.lu(q.numpy())
        s = np.diag(upper)
        self.register_buffer("perm", torch.from_numpy(p).float())
        self.register_buffer("sign", torch.from_numpy(np.sign(s)).float())
        self.register_buffer("lower_mask", torch.tril(torch.ones(channels, channels), -1))
        self.register_buffer("eye", torch.eye(channels))
        self.lower = nn.Parameter(torch.from_numpy(lower).float())
        self.upper = nn.Parameter(torch.from_numpy(np.triu(upper, 1)).float())
        self.log_s = nn.Parameter(torch.from_numpy(np.log(np.abs(s))).float())

    def matrix(self) -> Tensor:
        """W (C×C)."""
        if not self.lu:
            return self.weight
        lower = self.lower * self.lower_mask + self.eye
        upper = self.upper * self.lower_mask.T + torch.diag(self.sign * torch.exp(self.log_s))
        return self.perm @ lower @ upper

    def log_abs_det(self) -> Tensor:
        """log|det W| (a scalar)."""
        return self.log_s.sum() if self.lu else torch.linalg.slogdet(self.weight)[1]

    def forward(self, x: Tensor, logdet: Tensor, cond: Tensor | None = None,
                reverse: bool = False) -> tuple[Tensor, Tensor]:
        w = self.matrix()
        dlogdet = self.log_abs_det() * (x.shape[2] * x.shape[3])
        if not reverse:
            return torch.einsum("ij,njhw->nihw", w, x), logdet + dlogdet
        w_inv = torch.linalg.inv(w.double()).to(x.dtype)
        return torch.einsum("ij,njhw->nihw", w_inv, x), logdet - dlogdet

"""Latent log-densities and the bits-per-dimension loss."""

from __future__ import annotations

import math

import torch
from torch import Tensor

_LOG_2PI = math.log(2 * math.pi)


def standard_normal_log_prob(z: Tensor) -> Tensor:
    """log N(z; 0, I) summed over all but the batch dimension → N."""
    return -0.5 * (z.pow(2) + _LOG_2PI).flatten(1).sum(1)


def full_cov_gaussian_log_prob(z: Tensor, mean: Tensor, factor: Tensor,
                               identity: bool = True) -> Tensor:
    """log N(z_p; μ, Σ) with Σ = I + M·Mᵀ (``identity=True``, DeFlow's degraded domain) or
    Σ = M·Mᵀ, evaluated at every spatial position p of ``z`` (N×C×H×W) and summed → N.
    ``mean`` is C, ``factor`` (M) is C×C; the same Gaussian at every position. A singular
    M·Mᵀ (a rank-deficient M, e.g. weights trained without pairs and fine-tuned with them) gets
    the smallest jitter ε·I (ε from 10⁻⁸ to 10⁻² of its mean variance) that makes it positive
    definite; a positive-definite Σ is used as it is."""
    c = z.shape[1]
    sigma = factor @ factor.T
    eye = torch.eye(c, dtype=z.dtype, device=z.device)
    if identity:
        sigma = sigma + eye
    chol, info = torch.linalg.cholesky_ex(sigma)
    if bool(info):
        scale = sigma.diagonal().mean().detach().clamp(min=1e-12)
        for power in range(8, 1, -1):
            chol, info = torch.linalg.cholesky_ex(sigma + 10.0 ** -power * scale * eye)
            if not bool(info):
                break
        else:
            raise torch.linalg.LinAlgError("full_cov_gaussian_log_prob: the covariance M·Mᵀ "
                                           "is not positive definite even with a jitter")
    d = (z - mean.view(1, c, 1, 1)).permute(0, 2, 3, 1).reshape(-1, c, 1)
    sol = torch.linalg.solve_triangular(chol, d, upper=False)
    maha = sol.pow(2).sum((1, 2)).view(z.shape[0], -1).sum(1)
    positions = z.shape[2] * z.shape[3]
    log_det = 2 * torch.log(torch.diagonal(chol)).sum()
    return -0.5 * (maha + positions * (c * _LOG_2PI + log_det))


def bits_per_dim(log_likelihood: Tensor, dims: int) -> Tensor:
    """``−log p / (D·ln 2)``: the negative log-likelihood in bits per dimension.

    (The official SRFlow/DeFlow code divides by the number of pixels instead of C·H·W; with
    Adam the two losses train identically, since they differ by a constant factor.)"""
    return -log_likelihood / (dims * math.log(2))

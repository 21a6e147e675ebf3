"""The squared Fréchet distance between Gaussians fitted to two feature sets (the FID
convention): ‖μa − μb‖² + tr Σa + tr Σb − 2·tr √(Σa Σb).

No ``sqrtm``: with centred features Xa (Na×D) and Xb (Nb×D) scaled by 1/√(N−1),
Σa = XaᵀXa and Σb = XbᵀXb, and the non-zero eigenvalues of ΣaΣb are those of
(XaXbᵀ)(XaXbᵀ)ᵀ, so tr √(ΣaΣb) is the nuclear norm (sum of singular values) of the Na×Nb
matrix XaXbᵀ — exact, in float64, and fast when N < D (computed as Σ√λ of the smaller Gram
matrix with ``eigvalsh``). When both N ≥ D it is the nuclear norm
of Σa^½Σb^½ (symmetric square roots by ``eigh``).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .._errors import InputError


def _features(x: Tensor | np.ndarray, name: str) -> Tensor:
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, Tensor) else x.detach().cpu())
    if t.ndim != 2 or t.shape[0] < 2:
        raise InputError(f"{name}: expected features (N, D) with N ≥ 2, got {tuple(t.shape)}")
    if not torch.isfinite(t).all():
        raise InputError(f"{name}: features contain NaN or inf")
    return t.to(torch.float64)


def _sqrt_psd(s: Tensor) -> Tensor:
    vals, vecs = torch.linalg.eigh(s)
    return (vecs * vals.clamp(min=0).sqrt()) @ vecs.T


def frechet_distance(feats_a: Tensor | np.ndarray, feats_b: Tensor | np.ndarray) -> float:
    """Squared Fréchet distance D_F² between N(μa, Σa) and N(μb, Σb) fitted to (N, D)
    feature sets (unbiased covariances, as numpy's ``np.cov``)."""
    a, b = _features(feats_a, "feats_a"), _features(feats_b, "feats_b")
    if a.shape[1] != b.shape[1]:
        raise InputError(f"feature dimensions differ: {a.shape[1]} vs {b.shape[1]}")
    d = a.shape[1]
    mu_a, mu_b = a.mean(0), b.mean(0)
    xa = (a - mu_a) / (a.shape[0] - 1) ** 0.5
    xb = (b - mu_b) / (b.shape[0] - 1) ** 0.5
    tr_a, tr_b = (xa * xa).sum(), (xb * xb).sum()
    if min(a.shape[0], b.shape[0]) <= d:
        c = xa @ xb.T if a.shape[0] <= b.shape[0] else xb @ xa.T
        # Σ singular values of C = Σ √eigenvalues of the symmetric PSD C·Cᵀ (eigvalsh is
        # several times faster than an SVD here).
        tr_sqrt = torch.linalg.eigvalsh(c @ c.T).clamp(min=0).sqrt().sum()
    else:
        tr_sqrt = torch.linalg.svdvals(_sqrt_psd(xa.T @ xa) @ _sqrt_psd(xb.T @ xb)).sum()
    diff = mu_a - mu_b
    return float(diff @ diff + tr_a + tr_b - 2 * tr_sqrt)

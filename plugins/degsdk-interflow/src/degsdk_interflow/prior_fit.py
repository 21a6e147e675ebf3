"""Fitting the level priors to the trained flow (a departure from the paper, issue 30).

The paper learns each level's Gaussian (μ_s, Σ_s) jointly with the flow. With a CPU budget the
flow separates the levels while the learned Gaussians stay far from the latents it produces
(``benchmarks/interflow_latent_probe.py``: draws from the learned level-2 prior look like level
4). For a fixed flow the maximum-likelihood Gaussian of level s is the mean and covariance of
the latents it encodes the level's captured LR to; ``fit_priors`` sets exactly that, with a
per-channel mean (the paper text's form; the official code's scalar mean cannot hold the
channels' offsets). It is closed-form: the latents are accumulated in float64 (Σz, Σzzᵀ), the
covariance's Cholesky factor becomes M_s.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .data import MultiLevelSet
from .model import InterFlow

JITTER = 1e-6
"""Added to the covariance's diagonal (relative to its mean variance) before the Cholesky."""


def encoded_moments(model: InterFlow, hr: Sequence[Tensor], lr: Sequence[Tensor]
                    ) -> tuple[Tensor, Tensor, int]:
    """(Σz, Σzzᵀ, count) over every latent position of the LR images ``lr`` (each 3×H×W,
    registered to ``hr``), encoded under their HR conditions; float64."""
    c = model.latent_channels
    s1 = torch.zeros(c, dtype=torch.float64)
    s2 = torch.zeros(c, c, dtype=torch.float64)
    count = 0
    m = model.size_multiple
    with torch.no_grad():
        for x, y in zip(hr, lr, strict=True):
            h, w = (x.shape[-2] // m) * m, (x.shape[-1] // m) * m  # whole latent cells
            z, _ = model.encode(y[None, :, :h, :w], model.conditions(x[None, :, :h, :w]))
            pts = z[0].reshape(c, -1).to(torch.float64)
            s1 += pts.sum(dim=1)
            s2 += pts @ pts.T
            count += pts.shape[1]
    return s1, s2, count


def fit_priors(model: InterFlow, data: MultiLevelSet) -> InterFlow:
    """A copy of ``model`` whose level priors are the maximum-likelihood Gaussians of its
    encoded latents on ``data`` (per-channel mean, full covariance); ``data.levels`` must be
    the model's trained levels. The copy has ``prior_mean: channel``."""
    if [float(v) for v in data.levels] != [float(v) for v in model.cfg.trained_levels]:
        raise ValueError(f"fit_priors: data levels {data.levels} are not the model's trained "
                         f"levels {model.cfg.trained_levels}")
    fitted = type(model)(**{**model.cfg.model_dump(), "prior_mean": "channel"})
    state = {k: v for k, v in model.state_dict().items() if not k.startswith("priors.")}
    missing, unexpected = fitted.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith("priors.") for k in missing):
        raise RuntimeError(f"fit_priors: state mismatch ({missing}, {unexpected})")
    means, factors = [], []
    for k in range(len(data.levels)):
        s1, s2, n = encoded_moments(model, data.hr, [row[k] for row in data.lr])
        mu = s1 / n
        cov = s2 / n - torch.outer(mu, mu)
        cov = cov + JITTER * cov.diagonal().mean() * torch.eye(cov.shape[0], dtype=cov.dtype)
        means.append(mu)
        factors.append(torch.linalg.cholesky(cov))
    with torch.no_grad():
        fitted.priors.means.copy_(torch.stack(means).to(fitted.priors.means.dtype))
        fitted.priors.factors.copy_(torch.stack(factors).to(fitted.priors.factors.dtype))
    fitted.eval()
    return fitted

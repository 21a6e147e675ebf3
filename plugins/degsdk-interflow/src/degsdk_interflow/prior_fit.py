"""Fitting the level priors to the trained flow (a departure from the paper, issue 30).

The paper learns each level's Gaussian (μ_s, Σ_s) jointly with the flow. With a CPU budget the
flow separates the levels while the learned Gaussians stay far from the latents it produces
(``benchmarks/interflow_latent_probe.py``: draws from the learned level-2 prior look like level
4). For a fixed flow the maximum-likelihood Gaussian of level s is the mean and covariance of
the latents it encodes the level's captured LR to; ``fit_priors`` sets exactly that, with a
per-channel mean (the paper text's form; the official code's scalar mean cannot hold the
channels' offsets). It is closed-form: the latents are accumulated in float64 (Σz, Σzzᵀ), the
covariance's Cholesky factor becomes M_s.

With ``scale_bins`` the fit also sets each level's local scale table
(:mod:`~degsdk_interflow.scale_map`) and takes the covariance of the latents divided by their
cell's scale, the maximum-likelihood M_s of that model. :func:`fit_temperatures` then picks
each trained level's τ factor: the τ whose images from HR alone are closest (HF-KL) to the
level's training LR — a CPU-sized flow decodes the fitted Gaussian's draws more degraded than
the LR it was fitted to.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from degsdk.metrics import hf_kl

from .calibrate import crop_to_multiple, generate_at_blend_weight
from .data import MultiLevelSet
from .model import InterFlow, InterFlowConfig
from .scale_map import cell_bins, fit_scale_table, gradient_quantiles

SCALE_BINS = (8, 4)
"""The default (brightness, gradient) bins of the fitted local scale."""
TEMPERATURES = tuple(round(0.8 + 0.05 * k, 2) for k in range(7))
"""The τ factors :func:`fit_temperatures` tries (0.8 … 1.1)."""

JITTER = 1e-6
"""Added to the covariance's diagonal (relative to its mean variance) before the Cholesky."""


def encoded_latents(model: InterFlow, hr: Sequence[Tensor], lr: Sequence[Tensor]
                    ) -> list[Tensor]:
    """The latents (each C×h×w) of the LR images ``lr`` (each 3×H×W, registered to ``hr``),
    encoded under their HR conditions, cropped to whole latent cells."""
    out = []
    with torch.no_grad():
        for x, y in zip(hr, lr, strict=True):
            x, y = _whole_cells(model, x), _whole_cells(model, y)
            out.append(model.encode(y[None], model.conditions(x[None]))[0][0])
    return out


def _whole_cells(model: InterFlow, x: Tensor) -> Tensor:
    return crop_to_multiple(x, model.size_multiple, limit=max(x.shape[-2:]))


def _mean(latents: Sequence[Tensor]) -> Tensor:
    """The per-channel mean (C, float64) over every position of the latents (each C×h×w)."""
    c = latents[0].shape[0]
    total = sum(z.reshape(c, -1).to(torch.float64).sum(dim=1) for z in latents)
    return total / sum(z[0].numel() for z in latents)


def _covariance(latents: Sequence[Tensor], mean: Tensor, scales: Sequence[Tensor] | None
                ) -> Tensor:
    """The covariance (C×C, float64) of the deviations from ``mean`` over every position,
    each divided by its position's scale when ``scales`` (each h×w) are given."""
    c = latents[0].shape[0]
    s2 = torch.zeros(c, c, dtype=torch.float64)
    for i, z in enumerate(latents):
        d = z.reshape(c, -1).to(torch.float64) - mean[:, None]
        if scales is not None:
            d = d / scales[i].reshape(1, -1).to(torch.float64)
        s2 += d @ d.T
    return s2 / sum(z[0].numel() for z in latents)


def fit_priors(model: InterFlow, data: MultiLevelSet,
               scale_bins: Sequence[int] = SCALE_BINS) -> InterFlow:
    """A copy of ``model`` whose level priors are the maximum-likelihood Gaussians of its
    encoded latents on ``data`` (per-channel mean, full covariance; module doc), with local
    scale tables unless ``scale_bins`` is empty; ``data.levels`` must be the model's trained
    levels. The copy has ``prior_mean: channel``, the ``scale_bins`` and no level
    temperatures (see :func:`fit_temperatures`)."""
    if [float(v) for v in data.levels] != [float(v) for v in model.cfg.trained_levels]:
        raise ValueError(f"fit_priors: data levels {data.levels} are not the model's trained "
                         f"levels {model.cfg.trained_levels}")
    fitted = type(model)(**{**model.cfg.model_dump(), "prior_mean": "channel",
                            "scale_bins": list(scale_bins), "level_temperatures": []})
    state = {k: v for k, v in model.state_dict().items() if not k.startswith("priors.")}
    missing, unexpected = fitted.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith("priors.") for k in missing):
        raise RuntimeError(f"fit_priors: state mismatch ({missing}, {unexpected})")
    cell = 2 ** model.cfg.flow_levels
    hrs = [_whole_cells(model, x) for x in data.hr]
    edges = gradient_quantiles(hrs, cell, scale_bins[1]) if scale_bins else None
    # each cell's bin depends on the HR only: the same for every level
    bins = [] if edges is None else [cell_bins(x[None], cell, scale_bins[0], edges)[0]
                                     for x in hrs]
    means, factors, tables = [], [], []
    for k in range(len(data.levels)):
        latents = encoded_latents(model, data.hr, [row[k] for row in data.lr])
        mu, scales = _mean(latents), None
        if edges is not None:
            table = fit_scale_table(latents, bins, mu, scale_bins[0] * scale_bins[1])
            tables.append(table.view(*scale_bins))
            scales = [table[b] for b in bins]
        cov = _covariance(latents, mu, scales)
        cov = cov + JITTER * cov.diagonal().mean() * torch.eye(cov.shape[0], dtype=cov.dtype)
        means.append(mu)
        factors.append(torch.linalg.cholesky(cov))
    with torch.no_grad():
        fitted.priors.means.copy_(torch.stack(means).to(fitted.priors.means.dtype))
        fitted.priors.factors.copy_(torch.stack(factors).to(fitted.priors.factors.dtype))
        if edges is not None:
            fitted.priors.scale_tables.copy_(torch.stack(tables))
            fitted.priors.gradient_edges.copy_(edges)
    fitted.eval()
    return fitted


def fit_temperatures(model: InterFlow, data: MultiLevelSet,
                     temperatures: Sequence[float] = TEMPERATURES, images: int = 16,
                     side: int = 256, seed: int = 0) -> dict[float, dict[float, float]]:
    """Set ``model``'s ``level_temperatures`` (in place): per trained level, the factor of
    ``temperatures`` whose images from HR alone (the level's own prior, seeds from (seed, i))
    are closest by HF-KL to the level's LR of ``data`` (at most ``images`` scenes, top-left
    crops ≤ ``side``). Returns {level: {factor: HF-KL}}."""
    levels = model.cfg.trained_levels
    if [float(v) for v in data.levels] != [float(v) for v in levels]:
        raise ValueError(f"fit_temperatures: data levels {data.levels} are not the model's "
                         f"trained levels {levels}")
    pick = range(0, len(data), max(1, len(data) // images))[:images]
    m = model.size_multiple
    crop = [crop_to_multiple(data.hr[i], m, side) for i in pick]
    _set_level_temperatures(model, [])  # the factors are searched from 1
    curves: dict[float, dict[float, float]] = {}
    for k, level in enumerate(levels):
        real = [crop_to_multiple(data.lr[i][k], m, side) for i in pick]
        lower, weight = min(k, len(levels) - 2), float(k == len(levels) - 1)
        curves[float(level)] = {
            float(tau): hf_kl(real, generate_at_blend_weight(model, crop, lower, weight, seed,
                                                             float(tau)))
            for tau in temperatures}
    _set_level_temperatures(model, [min(c, key=c.__getitem__) for c in curves.values()])
    return curves


def _set_level_temperatures(model: InterFlow, values: list[float]) -> None:
    model.config = InterFlowConfig.model_validate({**model.cfg.model_dump(),
                                                   "level_temperatures": values})
    model.cfg = model.config  # type: ignore[assignment]

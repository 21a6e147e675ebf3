"""The PSF of a camera from its real LR alone, by analysis by synthesis: LR are made from clean
HR by the camera model (with its current noise and codec), their edge widths per orientation
(:mod:`._edges`) are compared with the real LR's, and the PSF's covariance Σ (HR px²) is moved
by the difference until they agree.

An LR edge's squared width along a direction n grows with the PSF's variance along n divided by
scale² (the resampler adds its own, fixed part), so a width difference Δw² in the bins of
angle φ_b asks for ``n_bᵀ ΔΣ n_b = scale²·Δw²_b / g``, solved for ΔΣ by least squares over the
bins; g, the measured response of the widths to Σ, is updated by secant steps. The PSF stays
isotropic unless the real widths differ by direction beyond their standard errors (a χ² test
of the isotropic fit's residuals at 95 %).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._edges import EdgeWidths

ITERATIONS = 6
MIN_SIGMA = 0.15  # HR px
CHI2_3DOF_95 = 7.815  # anisotropy (3 residual degrees of freedom) is kept above this
_GAIN_MIN, _GAIN_MAX = 0.3, 2.0


@dataclass
class EdgeFit:
    """The PSF (σx ≥ σy in HR px, θ radians) whose LR edges match the real LR's; the real and
    simulated :class:`EdgeWidths`; ``isotropic``; the χ² of the isotropic fit's residuals;
    ``sigma_se``: the standard error of σ (HR px) that the images' spread of edge widths
    leaves (their scenes' own sharpness differs; more images narrow it); ``history``: the RMS
    width difference (LR px²) per iteration."""

    sigma_x: float
    sigma_y: float
    theta: float
    real: EdgeWidths
    simulated: EdgeWidths
    isotropic: bool
    chi2: float
    sigma_se: float = math.nan
    history: list[float] = field(default_factory=list)


def _cov(sx: float, sy: float, theta: float) -> np.ndarray:
    c, s = math.cos(theta), math.sin(theta)
    r = np.array([[c, -s], [s, c]])
    return r @ np.diag([sx * sx, sy * sy]) @ r.T


def _axes(cov: np.ndarray) -> tuple[float, float, float]:
    vals, vecs = np.linalg.eigh(cov)
    vals = np.maximum(vals, MIN_SIGMA**2)
    theta = math.atan2(vecs[1, 1], vecs[0, 1]) % math.pi
    return math.sqrt(vals[1]), math.sqrt(vals[0]), theta


def _diff(real: EdgeWidths, sim: EdgeWidths) -> np.ndarray:
    return np.array(real.width2) - np.array(sim.width2)


def _chi2(real: EdgeWidths, sim: EdgeWidths) -> float:
    """χ² of the width differences around their mean (what isotropy cannot explain)."""
    d = _diff(real, sim)
    se2 = np.array(real.se) ** 2 + np.array(sim.se) ** 2
    ok = np.isfinite(d) & np.isfinite(se2) & (se2 > 0)
    if ok.sum() < 2:
        return 0.0
    w = 1 / se2[ok]
    mean = float(np.sum(w * d[ok]) / np.sum(w))
    return float(np.sum(w * (d[ok] - mean) ** 2))


def fit_psf_from_edges(real: EdgeWidths, simulate: Callable[[float, float, float], EdgeWidths],
                       scale: int, start_sigma: float, iterations: int = ITERATIONS) -> EdgeFit:
    """Fit the PSF (module doc). ``simulate(σx, σy, θ)`` returns the edge widths of the LR
    the camera with that PSF makes from the clean HR."""
    angles = np.array(real.angles)
    rows = np.stack([np.cos(angles) ** 2, 2 * np.cos(angles) * np.sin(angles),
                     np.sin(angles) ** 2], axis=1)
    k2 = float(scale * scale)

    def run(cov: np.ndarray, isotropic: bool, history: list[float]
            ) -> tuple[np.ndarray, EdgeWidths, float]:
        gain, prev = 1.0, None
        best: tuple[float, np.ndarray, EdgeWidths] | None = None
        for _ in range(iterations):
            sx, sy, th = _axes(cov)
            sim = simulate(sx, sy, th)
            d = _diff(real, sim)
            ok = np.isfinite(d)
            rms = float(np.sqrt(np.mean(d[ok] ** 2))) if ok.any() else math.inf
            history.append(round(rms, 5))
            if best is None or rms < best[0]:
                best = (rms, cov.copy(), sim)
            mean_w = float(np.nanmean(sim.width2))
            if prev is not None and abs(np.trace(cov) - prev[0]) > 1e-6:
                g = (mean_w - prev[1]) / ((np.trace(cov) - prev[0]) / 2 / k2)
                if math.isfinite(g):
                    gain = min(_GAIN_MAX, max(_GAIN_MIN, g))
            prev = (float(np.trace(cov)), mean_w)
            if rms < 1e-3:
                break
            if isotropic:
                step = k2 * float(np.mean(d[ok])) / gain
                cov = cov + step * np.eye(2)
            else:
                delta, *_ = np.linalg.lstsq(rows[ok], k2 * d[ok] / gain, rcond=None)
                cov = cov + np.array([[delta[0], delta[1]], [delta[1], delta[2]]])
            vals, vecs = np.linalg.eigh(cov)
            cov = vecs @ np.diag(np.maximum(vals, MIN_SIGMA**2)) @ vecs.T
        assert best is not None
        return best[1], best[2], best[0]

    history: list[float] = []
    cov, sim, _ = run(_cov(start_sigma, start_sigma, 0.0), True, history)
    chi2 = _chi2(real, sim)
    isotropic = chi2 <= CHI2_3DOF_95
    if not isotropic:
        cov, sim, _ = run(cov, False, history)
    sx, sy, th = _axes(cov)
    # a width error δ(w²) moves σ² by scale²·δ: σ's standard error from the bins' typical one
    se = np.sqrt(np.array(real.se) ** 2 + np.array(sim.se) ** 2)
    se_w2 = float(np.nanmean(se)) if np.isfinite(se).any() else math.nan
    sigma_se = k2 * se_w2 / (2 * math.sqrt(sx * sy))
    return EdgeFit(sx, sy, th, real, sim, isotropic, chi2, sigma_se, history)

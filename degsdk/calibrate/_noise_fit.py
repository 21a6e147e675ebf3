"""Fitting a sensor's Poisson–Gaussian noise (per channel, variance ``shot·x + read²``) by
analysis by synthesis: the noise-free model output is run through the noise and everything
after it (sharpening, the camera's JPEG), the noise-level function (NLF) of the result is
measured exactly as the real images' is, and the noise is adjusted until the two NLFs agree.

The measured NLF of a JPEG'd image is not the sensor's σ (the codec removes much of the fine
noise), so the adjustment goes through the sensor's own NLF: per bin, the σ the model puts in
is moved by the log-ratio real/simulated divided by how strongly the measurement responds to
it (a secant slope, measured as the iterations go), and the two noise parameters of each
channel are then fitted to those σ by non-negative least squares on the relative variance.
Bins weigh by the square root of their pixel count (a σ measured from n pixels is uncertain
by about 1/√(2n)), in the least squares and in the score.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from scipy.optimize import nnls

from .._errors import InputError
from ..ops import srgb_slope, srgb_to_linear
from ._nlf import NLF

SensorSpace = Literal["linear", "srgb"]
ITERATIONS = 8
_SLOPE_START, _SLOPE_MIN, _SLOPE_MAX = 0.7, 0.25, 1.5
_MIN_STD = 0.02 / 255  # the smallest σ a bin may be asked for (0–1 units)


Simulate = Callable[[list[float], list[float]], list[NLF]]
"""(shot, read) per channel → the NLFs (fine, coarse) of the model's output with that noise,
measured as the real images' were."""


@dataclass
class NoiseFit:
    """The fitted noise: ``shot``/``read`` per channel (``read`` σ on the 0–255 scale) in
    ``space``; ``real`` and ``simulated``, the fine NLFs (measured alike); ``error``, the
    largest relative difference |sim/real − 1| over their bins; ``score``, the mean |log-ratio|
    over the bins of every NLF measured (what the fit minimises); ``history`` of scores;
    ``response``, how much each channel's NLFs answer its own noise (1: fully, 0: not);
    ``measures``, how many NLFs the fit used (2: fine and coarse)."""

    space: SensorSpace
    shot: list[float]
    read: list[float]
    real: NLF
    simulated: NLF
    error: float
    score: float
    history: list[float] = field(default_factory=list)
    response: list[float] = field(default_factory=list)
    measures: int = 1

    def model_std(self, x: float, channel: int) -> float:
        """The fitted sensor's σ (0–1 units, in sRGB values) at the sRGB level ``x``: the
        noise the model adds, before any processing."""
        return model_std(self.space, self.shot[channel], self.read[channel], x)


def model_std(space: SensorSpace, shot: float, read: float, x: float) -> float:
    """σ (0–1 units) in sRGB values at the sRGB level ``x`` of noise with variance
    ``shot·v + (read/255)²`` at the sensor value v (v = x in sRGB, the linear light of x)."""
    t = torch.tensor([x], dtype=torch.float64)
    if space == "srgb":
        return math.sqrt(shot * x + (read / 255) ** 2)
    lin = float(srgb_to_linear(t)[0])
    return float(srgb_slope(t)[0]) * math.sqrt(shot * lin + (read / 255) ** 2)


def _fit_channel(space: SensorSpace, levels: list[float], stds: list[float],
                 weights: list[float]) -> tuple[float, float]:
    """(shot, read σ 0–255) whose σ at ``levels`` is closest to ``stds`` in relative variance,
    each bin weighted (non-negative least squares)."""
    rows, rhs = [], []
    for x, s, w in zip(levels, stds, weights, strict=True):
        if space == "srgb":
            v, var = x, s * s
        else:
            t = torch.tensor([x], dtype=torch.float64)
            v, var = float(srgb_to_linear(t)[0]), (s / float(srgb_slope(t)[0])) ** 2
        rows.append([w * v / var, w / var])
        rhs.append(w)
    (shot, b), _ = nnls(np.asarray(rows), np.asarray(rhs))
    return float(shot), float(math.sqrt(b) * 255)


def _bins(nlf: NLF, c: int) -> list[int]:
    return [b for b in range(nlf.bins) if nlf.valid(c, b)]


def _weight(nlf: NLF, c: int, b: int) -> float:
    return math.sqrt(max(1, nlf.count[c][b]))


def _pairs(real: NLF, sim: NLF, channels: tuple[int, ...] = (0, 1, 2)
           ) -> list[tuple[float, float, float]]:
    """(real σ, simulated σ, weight) of the bins measured in both."""
    return [(real.std[c][b], sim.std[c][b], _weight(real, c, b)) for c in channels
            for b in range(real.bins) if real.valid(c, b) and sim.valid(c, b)
            and real.std[c][b] > 0 and sim.std[c][b] > 0]


def nlf_error(real: NLF, sim: NLF) -> float:
    """The largest |sim/real − 1| over the bins measured in both."""
    errs = [abs(s / r - 1) for r, s, _ in _pairs(real, sim)]
    return max(errs) if errs else math.inf


def _log_ratios(real: list[NLF], sim: list[NLF]) -> list[tuple[float, float]]:
    """(log(sim/real), weight) over the bins of every NLF."""
    return [(math.log(s / r), w) for rk, sk in zip(real, sim, strict=True)
            for r, s, w in _pairs(rk, sk)]


def _score(real: list[NLF], sim: list[NLF]) -> float:
    """The weighted mean |log(sim/real)| over the bins of every NLF: robust to a few bins
    that content, not noise, decides."""
    logs = _log_ratios(real, sim)
    total = sum(w for _, w in logs)
    return sum(abs(v) * w for v, w in logs) / total if logs else math.inf


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    if not pairs:
        return 0.0
    pairs = sorted(pairs)
    half, run = sum(w for _, w in pairs) / 2, 0.0
    for v, w in pairs:
        run += w
        if run >= half:
            return v
    return pairs[-1][0]


def _make_fit(space: SensorSpace, params: list[tuple[float, float]], real: list[NLF],
              sims: list[NLF]) -> NoiseFit:
    return NoiseFit(space, [p[0] for p in params], [p[1] for p in params], real[0], sims[0],
                    nlf_error(real[0], sims[0]), _score(real, sims))


def _level(real: list[NLF], simulate: Simulate, space: SensorSpace,
           params: list[tuple[float, float]], history: list[float], steps: int = 6
           ) -> tuple[list[tuple[float, float]], NoiseFit]:
    """Scale every channel's σ by one factor until the weighted median log-ratio
    real/simulated of the fine NLF is 0 (secant steps on the log-factor, which the measured σ
    rises with monotonically)."""
    def run(x: float) -> tuple[float, list[tuple[float, float]], NoiseFit]:
        f = math.exp(x)
        ps = [(a * f * f, r * f) for a, r in params]
        sims = simulate([p[0] for p in ps], [p[1] for p in ps])
        fit = _make_fit(space, ps, real, sims)
        history.append(round(fit.score, 4))
        return _weighted_median(_log_ratios(real[:1], sims[:1])), ps, fit

    x0 = 0.0
    m0, best_ps, best = run(x0)
    x1 = x0 - m0 / _SLOPE_START
    for _ in range(steps - 1):
        m1, ps, fit = run(x1)
        if fit.score < best.score:
            best_ps, best = ps, fit
        if abs(m1) < 0.005 or abs(m1 - m0) < 1e-9:
            break
        slope = min(_SLOPE_MAX, max(_SLOPE_MIN, (m1 - m0) / (x1 - x0)))
        x0, m0, x1 = x1, m1, x1 - m1 / slope
    return best_ps, best


def _follow(params: list[tuple[float, float]], free: list[int], tied: list[int]
            ) -> list[tuple[float, float]]:
    """``params`` with each tied channel given the free channels' mean (shot, read)."""
    if not tied or not free:
        return params
    shot = sum(params[c][0] for c in free) / len(free)
    read = math.sqrt(sum(params[c][1] ** 2 for c in free) / len(free))
    return [(shot, read) if c in tied else params[c] for c in range(3)]


def _iterate(real: list[NLF], simulate: Simulate, space: SensorSpace,
             params: list[tuple[float, float]], free: list[int], shared: bool,
             iterations: int, history: list[float]) -> NoiseFit:
    """Secant iterations on the channels ``free``; the others follow their mean
    (:func:`_follow`). ``shared``: one (shot, read) for the free channels, fitted to their bins
    together. The bins are those of the fine NLF; each measured NLF k moves the model σ of a
    bin by its log-ratio over its slope, and the moves are averaged."""
    fine = real[0]
    tied = [c for c in range(3) if c not in free]
    bins = [_bins(fine, c) for c in range(3)]
    levels = [[fine.level[c][b] for b in bins[c]] for c in range(3)]
    weights = [[_weight(fine, c, b) for b in bins[c]] for c in range(3)]
    slopes = [{c: _SLOPE_START for c in free} for _ in real]
    prev: tuple[list[list[float]], list[list[list[float]]]] | None = None
    best: NoiseFit | None = None
    params = _follow(params, free, tied)
    for _ in range(iterations):
        shot, read = [p[0] for p in params], [p[1] for p in params]
        sims = simulate(shot, read)
        fit = _make_fit(space, params, real, sims)
        history.append(round(fit.score, 4))
        if best is None or fit.score < best.score:
            best = fit
        used = [[model_std(space, shot[c], read[c], x) for x in levels[c]] for c in range(3)]
        got = [[[sk.std[c][b] if sk.valid(c, b) else math.nan for b in bins[c]]
                for c in range(3)] for sk in sims]
        if prev is not None:
            for k in range(len(real)):
                ratios = {c: _secant(used[c], prev[0][c], got[k][c], prev[1][k][c])
                          for c in free}
                pooled = [r for c in free for r in ratios[c]]
                for c in free:
                    own = pooled if shared else ratios[c]
                    if own:
                        slopes[k][c] = min(_SLOPE_MAX, max(_SLOPE_MIN, float(np.median(own))))
        prev = (used, got)
        if best.score < 0.005:
            break
        targets: dict[int, list[float]] = {}
        for c in free:
            new = []
            for j, (u, b) in enumerate(zip(used[c], bins[c], strict=True)):
                steps = [(math.log(rk.std[c][b]) - math.log(got[k][c][j])) / slopes[k][c]
                         for k, rk in enumerate(real)
                         if rk.valid(c, b) and rk.std[c][b] > 0
                         and math.isfinite(got[k][c][j]) and got[k][c][j] > 0]
                step = sum(steps) / len(steps) if steps else 0.0
                new.append(max(_MIN_STD, u * math.exp(max(-1.0, min(1.0, step)))))
            targets[c] = new
        if shared:
            p = _fit_channel(space, [x for c in free for x in levels[c]],
                             [t for c in free for t in targets[c]],
                             [w for c in free for w in weights[c]])
            params = [p if c in free else params[c] for c in range(3)]
        else:
            params = [_fit_channel(space, levels[c], targets[c], weights[c]) if c in free
                      else params[c] for c in range(3)]
        params = _follow(params, free, tied)
    assert best is not None
    return best


def _secant(used: list[float], used_before: list[float], got: list[float],
            got_before: list[float]) -> list[float]:
    """Per bin, d log(measured σ) / d log(model σ) between two iterations, where the model
    moved enough to tell."""
    out = []
    for u, u0, g, g0 in zip(used, used_before, got, got_before, strict=True):
        d_in = math.log(u) - math.log(u0)
        if abs(d_in) > 0.02 and math.isfinite(g) and math.isfinite(g0) and g > 0 and g0 > 0:
            out.append((math.log(g) - math.log(g0)) / d_in)
    return out


def channel_response(real: list[NLF], simulate: Simulate, fit: NoiseFit,
                     factor: float = 1.3) -> list[float]:
    """How strongly each channel's measured NLFs answer a change of that channel's noise
    alone: the largest (over the NLFs) median d log(measured σ) / d log(model σ) over its bins
    when its σ is multiplied by ``factor``. Near 0: the camera's processing (a JPEG's chroma
    subsampling and coarse chroma tables) left nothing of that channel's own noise."""
    base = simulate(fit.shot, fit.read)
    out = []
    for c in range(3):
        shot, read = list(fit.shot), list(fit.read)
        shot[c], read[c] = shot[c] * factor**2, read[c] * factor
        sims = simulate(shot, read)
        best = 0.0
        for rk, bk, sk in zip(real, base, sims, strict=True):
            d = [math.log(sk.std[c][b] / bk.std[c][b]) / math.log(factor)
                 for b in _bins(rk, c) if sk.valid(c, b) and bk.valid(c, b)
                 and sk.std[c][b] > 0 and bk.std[c][b] > 0]
            if d:
                best = max(best, float(np.median(d)))
        out.append(best)
    return out


MIN_RESPONSE = 0.35  # a channel whose NLFs answer its own noise less than this is not fitted
OWN_GAIN = 0.1  # channels get their own noise when that lowers the score by 10 %
AGREE = 1.5  # a coarse NLF more than 1.5× off where the fine one agrees is not noise: dropped


def fit_noise(real: list[NLF], simulate: Simulate, space: SensorSpace,
              iterations: int = ITERATIONS, per_channel: bool = True) -> NoiseFit:
    """Fit (shot, read) per channel so that ``simulate(shot, read)`` — the NLFs of the model's
    output with that noise, measured as ``real`` (fine first, then coarse) were — match
    ``real``.

    1. One (shot, read) for all channels, from the real NLF as if nothing after the sensor
       touched the noise, scaled so that the weighted median log-ratio real/simulated is 0.
       A further NLF (coarse) whose median ratio is then off by more than ``AGREE`` measures
       what the model misses (a real pair's uneven light, its registration), not noise, and
       is left out.
    2. Which channels' NLFs answer their own noise (:func:`channel_response` ≥
       ``MIN_RESPONSE``; what survives a 4:2:0 JPEG is mostly luma noise, and blue adds
       little to luma): only those are fitted; the others follow their mean.
    3. One (shot, read) shared by the answering channels, its shape by secant iterations;
       then (``per_channel``) each of them on its own, kept when that lowers the score by
       ``OWN_GAIN`` (four more parameters must earn their place: they also fit the bins'
       sampling noise)."""
    fine = real[0]
    if not all(_bins(fine, c) for c in range(3)):
        raise InputError("noise calibration: a channel has no measured intensity bin (too few "
                         "flat pixels between 0.02 and 0.98); give more or larger images")
    cb = [(c, b) for c in range(3) for b in _bins(fine, c)]
    start = _fit_channel(space, [fine.level[c][b] for c, b in cb],
                         [max(_MIN_STD, fine.std[c][b]) for c, b in cb],
                         [_weight(fine, c, b) for c, b in cb])
    history: list[float] = []
    params, fit = _level(real, simulate, space, [start] * 3, history)
    sims = simulate(fit.shot, fit.read)
    used = [0] + [k for k in range(1, len(real)) if abs(_weighted_median(
        _log_ratios(real[k : k + 1], sims[k : k + 1]))) <= math.log(AGREE)]
    if len(used) < len(real):  # a statistic noise cannot explain: the model's misfit
        real = [real[k] for k in used]

        def simulate(shot: list[float], read: list[float], inner: Simulate = simulate
                     ) -> list[NLF]:
            out = inner(shot, read)
            return [out[k] for k in used]

        fit = _make_fit(space, list(zip(fit.shot, fit.read, strict=True)), real,
                        simulate(fit.shot, fit.read))
    response = channel_response(real, simulate, fit)
    free = [c for c in range(3) if response[c] >= MIN_RESPONSE] or [0, 1, 2]
    shared = _iterate(real, simulate, space, params, free, True, iterations, history)
    if shared.score < fit.score:
        fit = shared
    if per_channel and len(free) > 1:
        own = _iterate(real, simulate, space, list(zip(fit.shot, fit.read, strict=True)),
                       free, False, iterations, history)
        if own.score < (1 - OWN_GAIN) * fit.score:
            fit = own
    fit.response = response
    fit.history = history
    fit.measures = len(real)
    return fit

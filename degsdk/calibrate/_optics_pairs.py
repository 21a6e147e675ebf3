"""The optics and colour of a camera from aligned pairs, by least squares: the PSF (a rotated
anisotropic Gaussian: σx, σy, θ), the colour response (3×3 matrix + offset), the resampler
(``bicubic`` or ``area`` when the pairs are ×k) and, if it helps, the ISP's sharpening — the
parameters whose noise-free output ``calibrated_camera`` makes closest to the real LR (mean
squared error over every pixel but a margin).

The mean of a camera's LR is a linear function of its HR, so noise and JPEG do not bias this fit;
they only add variance. Per evaluation the blur runs as a product in the Fourier domain (the
HR's transform is computed once; mirror padding makes it equal to the degrader's spatial
filter inside the margin) and the colour response is solved in closed form, so only the PSF
(and sharpening) parameters are searched: a grid over isotropic σ, then L-BFGS from a few
orientations. A sub-pixel shift of the kernel is fitted too, as a nuisance: pairs are rarely
aligned to a fraction of a pixel, and a shift left in would widen the PSF. It is not part of
the camera.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from .._filtering import mirror_pad

SHARPEN_GAIN = 0.02  # sharpening is kept when it lowers the error by at least 2 %
ISOTROPIC = 1.05  # σx/σy below this: no second orientation is tried
MAX_SHIFT = 3.0  # HR px: the largest misalignment the nuisance shift absorbs
_SIGMA_GRID = (0.3, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0)  # × scale, HR px
_MIN_SIGMA, _MAX_SIGMA = 0.15, 12.0
_SHARPEN_SIGMA = (0.3, 5.0)  # LR px: the unsharp mask's Gaussian


@dataclass
class OpticsFit:
    """PSF (σx, σy in HR px, θ radians), resampler, colour ``matrix``/``offset``, sharpening
    (amount, σ in LR px) or None, the nuisance ``shift`` (dx, dy in HR px), the ``mse`` of the
    noise-free model against the real LR (0–1 units) and the mse of every variant tried."""

    sigma_x: float
    sigma_y: float
    theta: float
    downsample: str
    matrix: list[list[float]]
    offset: list[float]
    sharpen: tuple[float, float] | None
    shift: tuple[float, float]
    mse: float
    tried: dict[str, float] = field(default_factory=dict)
    raw: dict[str, float] = field(default_factory=dict)  # the searched parameters

    def camera_params(self) -> dict[str, Any]:
        """The ``calibrated_camera`` fields of the optics, colour and sharpening."""
        out: dict[str, Any] = {
            "downsample": self.downsample,
            "psf": {"type": "gaussian", "sigma_x": round(self.sigma_x, 4),
                    "sigma_y": round(self.sigma_y, 4), "theta": round(self.theta, 4)},
            "colour": {"matrix": [[round(v, 5) for v in row] for row in self.matrix],
                       "offset": [round(v, 5) for v in self.offset]},
        }
        if self.sharpen is not None:
            out["sharpen"] = {"amount": round(self.sharpen[0], 4),
                              "sigma": round(self.sharpen[1], 4)}
        return out


def gaussian_psf(size: int, sigma_x: Tensor, sigma_y: Tensor, theta: Tensor,
                 dx: Tensor | float = 0.0, dy: Tensor | float = 0.0) -> Tensor:
    """The sampled rotated Gaussian of ``calibrated_camera`` (size×size, sum 1), centred at
    (dx, dy) px; differentiable in every parameter. Float64."""
    ax = torch.arange(size, dtype=torch.float64) - size // 2
    yy, xx = torch.meshgrid(ax, ax, indexing="ij")
    xx, yy = xx - dx, yy - dy
    c, s = torch.cos(theta), torch.sin(theta)
    u, v = c * xx + s * yy, -s * xx + c * yy
    k = torch.exp(-0.5 * ((u / sigma_x) ** 2 + (v / sigma_y) ** 2))
    return k / k.sum()


class _Problem:
    """The pairs, prepared once: the HRs' Fourier transforms (mirror-padded), the LR targets,
    and what every evaluation of a parameter set needs."""

    def __init__(self, hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int, pad: int
                 ) -> None:
        self.scale, self.pad = scale, pad
        self.items = []
        for hr, lr in zip(hrs, lrs, strict=True):
            h, w = hr.shape[-2:]
            padded = mirror_pad(hr[None].float(), pad, pad, pad, pad)[0]
            self.items.append((torch.fft.rfft2(padded), padded.shape[-2:], (h, w),
                               lr.float()))
        self.margin = max(2, math.ceil(4 / scale) + 2)

    def blurred(self, kernel: Tensor) -> list[Tensor]:
        """Each HR filtered by ``kernel`` (k×k, correlation as ``filter2d``), HR size."""
        k = kernel.shape[-1]
        r = k // 2
        out = []
        for spec, (ph, pw), (h, w), _ in self.items:
            # circular convolution with the flipped kernel at the origin = correlation,
            # shifted by r; mirror padding ≥ r keeps the wrap out of the image's part
            kf = torch.fft.rfft2(F.pad(kernel.flip(0, 1).float(), (0, pw - k, 0, ph - k)))
            full = torch.fft.irfft2(spec * kf, s=(ph, pw))
            out.append(full[:, self.pad + r : self.pad + r + h, self.pad + r : self.pad + r + w])
        return out

    def sampled(self, blurred: list[Tensor], downsample: str) -> list[Tensor]:
        if self.scale == 1:
            return blurred
        out = []
        for b, (_, _, (h, w), _) in zip(blurred, self.items, strict=True):
            size = (h // self.scale, w // self.scale)
            if downsample == "area":
                out.append(F.interpolate(b[None], size=size, mode="area")[0])
            else:
                out.append(F.interpolate(b[None], size=size, mode="bicubic",
                                         align_corners=False, antialias=True)[0])
        return out

    def loss(self, kernel: Tensor, downsample: str, sharpen: tuple[Tensor, Tensor] | None
             ) -> tuple[Tensor, Tensor]:
        """(mse, colour weights 4×3) of the model with ``kernel`` against the real LR."""
        pred = self.sampled(self.blurred(kernel), downsample)
        if sharpen is not None:
            pred = [_unsharp(p, *sharpen) for p in pred]
        m = self.margin
        a = torch.cat([p[:, m:-m, m:-m].reshape(3, -1) for p in pred], dim=1).T.double()
        y = torch.cat([it[3][:, m:-m, m:-m].reshape(3, -1) for it in self.items], dim=1).T
        y = y.double()
        a1 = torch.cat([a, torch.ones_like(a[:, :1])], dim=1)
        gram = a1.T @ a1 + 1e-9 * torch.eye(4, dtype=a1.dtype)
        weights = torch.linalg.solve(gram, a1.T @ y)
        return ((a1 @ weights - y) ** 2).mean(), weights


def _unsharp(x: Tensor, amount: Tensor, sigma: Tensor) -> Tensor:
    size = 2 * math.ceil(3 * float(sigma.detach())) + 1
    ax = torch.arange(size, dtype=torch.float64) - size // 2
    g = torch.exp(-0.5 * (ax / sigma) ** 2)
    g = (g / g.sum()).to(x.dtype)
    r = size // 2
    xp = mirror_pad(x[None], r, r, r, r)
    blur = F.conv2d(xp, g.view(1, 1, 1, -1).expand(3, 1, 1, -1), groups=3)
    blur = F.conv2d(blur, g.view(1, 1, -1, 1).expand(3, 1, -1, 1), groups=3)[0]
    return x + amount.to(x.dtype) * (x - blur)


def _kernel_size(sx: float, sy: float, dx: float, dy: float) -> int:
    return 2 * math.ceil(3 * max(sx, sy) + max(abs(dx), abs(dy))) + 1


def _evaluate(problem: _Problem, p: dict[str, Tensor], downsample: str
              ) -> tuple[Tensor, Tensor]:
    sx, sy = p["log_sx"].exp(), p["log_sy"].exp()
    dx, dy = (MAX_SHIFT * torch.tanh(p[k] / MAX_SHIFT) for k in ("dx", "dy"))
    size = _kernel_size(*(float(v.detach()) for v in (sx, sy, dx, dy)))
    kernel = gaussian_psf(size, sx, sy, p["theta"], dx, dy)
    sharpen = None
    if "amount_raw" in p:
        sharpen = (F.softplus(p["amount_raw"]), p["log_ss"].exp())
    return problem.loss(kernel, downsample, sharpen)


def _optimise(problem: _Problem, start: dict[str, float], downsample: str, steps: int
              ) -> tuple[float, dict[str, float]]:
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in start.items()}
    opt = torch.optim.LBFGS(list(p.values()), max_iter=steps, line_search_fn="strong_wolfe")

    def keep_in_range() -> None:  # σ stays in range without a constrained optimiser
        with torch.no_grad():
            for k in ("log_sx", "log_sy"):
                p[k].clamp_(math.log(_MIN_SIGMA), math.log(_MAX_SIGMA))
            if "log_ss" in p:
                p["log_ss"].clamp_(*(math.log(v) for v in _SHARPEN_SIGMA))

    def closure() -> Tensor:
        opt.zero_grad()
        keep_in_range()
        loss, _ = _evaluate(problem, p, downsample)
        loss = loss * 255**2  # in 8-bit levels², so L-BFGS's tolerances mean something
        loss.backward()
        return loss

    opt.step(closure)
    keep_in_range()
    with torch.no_grad():
        loss, _ = _evaluate(problem, p, downsample)
    return float(loss), {k: float(v.detach()) for k, v in p.items()}


def fit_optics(hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int,
               sharpen: bool = True, steps: int = 30, start: OpticsFit | None = None
               ) -> OpticsFit:
    """Fit PSF, resampler, colour and (if it helps) sharpening to aligned pairs (module doc).
    ``hrs``: 3×H×W; ``lrs``: 3×(H/scale)×(W/scale), the real LR. From ``start`` (an earlier
    fit), only its parameters are refined: same resampler, sharpening kept or not."""
    problem = _Problem(hrs, lrs, scale, pad=48)
    if start is not None:
        loss, p = _optimise(problem, dict(start.raw), start.downsample, steps)
        return _result(problem, p, start.downsample, loss, {"refit": loss},
                       start.sharpen is not None)
    tried: dict[str, float] = {}
    best: tuple[float, dict[str, float], str] | None = None
    with torch.no_grad():
        grid = []
        for g in _SIGMA_GRID:
            s = min(_MAX_SIGMA, max(_MIN_SIGMA, g * scale))
            init = {"log_sx": math.log(s), "log_sy": math.log(s), "theta": 0.0, "dx": 0.0,
                    "dy": 0.0}
            loss, _ = _evaluate(problem, {k: torch.tensor(v, dtype=torch.float64)
                                          for k, v in init.items()}, "bicubic")
            grid.append((float(loss), s))
    s0 = min(grid)[1]
    # two orientations suffice (σx and σy swap places a quarter turn apart); the second only
    # when the first found an anisotropic PSF
    for theta in (0.0, math.pi / 4):
        init = {"log_sx": math.log(s0 * 1.15), "log_sy": math.log(s0 / 1.15), "theta": theta,
                "dx": 0.0, "dy": 0.0}
        loss, p = _optimise(problem, init, "bicubic", steps)
        tried[f"bicubic θ0={theta:.2f}"] = loss
        if best is None or loss < best[0]:
            best = (loss, p, "bicubic")
        if abs(best[1]["log_sx"] - best[1]["log_sy"]) < math.log(ISOTROPIC):
            break
    if scale > 1:  # the sensor's own pixel integration instead of a bicubic resampler
        assert best is not None
        loss, p = _optimise(problem, dict(best[1]), "area", steps)
        tried["area"] = loss
        if loss < best[0]:
            best = (loss, p, "area")
    assert best is not None
    loss, p, downsample = best
    sharp = False
    if sharpen:
        begin = {**p, "amount_raw": math.log(math.expm1(0.3)), "log_ss": 0.0}
        loss_s, p_s = _optimise(problem, begin, downsample, steps)
        tried[f"{downsample} + sharpening"] = loss_s
        if loss_s < (1 - SHARPEN_GAIN) * loss:
            loss, p, sharp = loss_s, p_s, True
    return _result(problem, p, downsample, loss, tried, sharp)


def _result(problem: _Problem, p: dict[str, float], downsample: str, loss: float,
            tried: dict[str, float], sharp: bool) -> OpticsFit:
    with torch.no_grad():
        _, weights = _evaluate(problem, {k: torch.tensor(v, dtype=torch.float64)
                                         for k, v in p.items()}, downsample)
    sx, sy, theta = math.exp(p["log_sx"]), math.exp(p["log_sy"]), p["theta"]
    if sx < sy:  # one convention: σx the larger, θ its direction, in [0, π)
        sx, sy, theta = sy, sx, theta + math.pi / 2
    theta = theta % math.pi
    shift = tuple(MAX_SHIFT * math.tanh(p[k] / MAX_SHIFT) for k in ("dx", "dy"))
    sharpening = (float(F.softplus(torch.tensor(p["amount_raw"]))), math.exp(p["log_ss"])) \
        if sharp else None
    return OpticsFit(sx, sy, theta, downsample, weights[:3].T.tolist(), weights[3].tolist(),
                     sharpening, (shift[0], shift[1]), loss, tried, raw=dict(p))

"""The noise-level function (NLF) of a set of images: the standard deviation of their fine
residual per intensity bin and channel, measured in flat places.

- **With references** (aligned pairs: the noise-free model output of each image's HR), the
  residual is image − reference, high-passed as below (what a model misses at low
  frequencies — uneven light, a drifting exposure — is not noise): content cancels, and the
  reference says exactly where the image is flat and what its intensity is.
- **Without** (unpaired real LR), the residual is the image minus its Gaussian-smoothed self
  (σ = 1 px), scaled so that white noise of σ reads σ; the smoothed image gives the intensity,
  and the gradient of a more smoothed luma (σ = 1.5 px) says where it is flat.

That is the *fine* NLF, the one reported. The *coarse* NLF measures the same residual's
lower frequencies, the band between Gaussian smoothings at σ = 1.5 and 6 px (paired; what a
model leaves at still lower frequencies — vignetting, uneven light, a drifting exposure — is
not noise), or 1 and 3 px (unpaired): a JPEG keeps them where it removes the fine ones, chroma
noise above all, so they tell what each channel's sensor noise was. In every bin the flattest
``flat_fraction`` of the pixels is kept, intensities below 0.02 and above 0.98 (clipped) are
left out, and σ is estimated robustly (:func:`robust_std`). What is measured after a
camera's processing (JPEG, sharpening) is not the sensor's σ; calibration therefore compares the
NLF of real images with the NLF of simulated ones measured the same way (analysis by
synthesis), never one estimate with a model's σ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from .._filtering import filter_separable, gaussian_kernel1d
from .._luma import luma

RESIDUAL_SIGMA = 1.0  # px: the smoothing whose difference is the fine residual
COARSE_BAND = (1.5, 6.0)  # px: the band of a paired residual the coarse NLF measures
BAND_SIGMA = 3.0  # px: the outer smoothing of the unpaired coarse band
TEXTURE_SIGMA = 1.5  # px: the smoothing of the luma whose gradient measures texture
LEVEL_RANGE = (0.02, 0.98)  # intensities measured; beyond, the values clip
@dataclass
class NLF:
    """A measured noise-level function: ``bins`` intensity bins of width 1/bins over [0, 1];
    per channel c and bin b, ``level[c][b]`` the mean intensity of the pixels kept, ``std[c][b]``
    their residual σ (0–1 units) and ``count[c][b]`` how many there were (σ is NaN where fewer
    than ``min_count``)."""

    bins: int
    level: list[list[float]]
    std: list[list[float]]
    count: list[list[int]]

    def valid(self, c: int, b: int) -> bool:
        """Whether bin ``b`` of channel ``c`` was measured."""
        return math.isfinite(self.std[c][b])

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, σ on the 0–255 scale (None where not measured)."""
        return {"bins": self.bins,
                "level": [[round(v, 4) if math.isfinite(v) else None for v in row]
                          for row in self.level],
                "std_255": [[round(255 * v, 4) if math.isfinite(v) else None for v in row]
                            for row in self.std],
                "count": self.count}


def _smooth(x: Tensor, sigma: float) -> Tensor:
    size = 2 * math.ceil(3 * sigma) + 1
    k = gaussian_kernel1d(torch.full((x.shape[0],), sigma, dtype=torch.float64), size)
    return filter_separable(x, k.to(x.device))


def _gaussian2d(sigma: float | None, size: int) -> Tensor:
    """The sampled 2-D Gaussian of ``sigma`` on a size×size grid (a delta for None)."""
    if sigma is None:
        g = torch.zeros(size, size, dtype=torch.float64)
        g[size // 2, size // 2] = 1.0
        return g
    k = 2 * math.ceil(3 * sigma) + 1
    g1 = gaussian_kernel1d(torch.tensor([sigma]), k)[0].double()
    pad = (size - k) // 2
    return F.pad(torch.outer(g1, g1), (pad, pad, pad, pad))


def _white_gain(inner: float | None, outer: float) -> float:
    """σ of (G_inner − G_outer) ⋆ n for unit white noise n (G_None = δ)."""
    size = 2 * math.ceil(3 * outer) + 1
    return float((_gaussian2d(inner, size) - _gaussian2d(outer, size)).square().sum().sqrt())


def _texture(x: Tensor) -> Tensor:
    """Gradient magnitude of the smoothed luma of N×3×H×W → N×1×H×W."""
    s = _smooth(luma(x), TEXTURE_SIGMA)
    gx = F.pad(s[..., :, 2:] - s[..., :, :-2], (1, 1, 0, 0), mode="replicate") / 2
    gy = F.pad(s[..., 2:, :] - s[..., :-2, :], (0, 0, 1, 1), mode="replicate") / 2
    return torch.sqrt(gx * gx + gy * gy)


def residual_parts(images: Tensor, references: Tensor | None = None, scale: str = "fine",
                   border: int = 6) -> tuple[Tensor, Tensor, Tensor]:
    """(residual, intensity, texture) of a batch N×3×H×W of images at ``scale`` (``fine`` or
    ``coarse``, module doc), each flattened per channel over the batch (3×P; texture 1×P),
    ``border`` pixels cut off each side. Residuals are scaled so that white noise of σ reads
    σ."""
    if scale not in ("fine", "coarse"):
        raise ValueError(f"scale must be fine or coarse, got {scale!r}")
    x = images.float()
    if references is not None:
        ref = references.float()
        diff, level, tex = x - ref, ref, _texture(ref)
        if scale == "coarse":
            inner, outer = COARSE_BAND
            resid = (_smooth(diff, inner) - _smooth(diff, outer)) / _white_gain(inner, outer)
        else:
            resid = (diff - _smooth(diff, RESIDUAL_SIGMA)) / _white_gain(None, RESIDUAL_SIGMA)
    else:
        smooth = _smooth(x, RESIDUAL_SIGMA)
        level, tex = smooth, _texture(x)
        if scale == "fine":
            resid = (x - smooth) / _white_gain(None, RESIDUAL_SIGMA)
        else:
            resid = (smooth - _smooth(x, BAND_SIGMA)) / _white_gain(RESIDUAL_SIGMA, BAND_SIGMA)
    b = border

    def cut(t: Tensor) -> Tensor:
        t = t[..., b : t.shape[-2] - b, b : t.shape[-1] - b]
        return t.transpose(0, 1).reshape(t.shape[1], -1)

    return cut(resid), cut(level), cut(tex)


def robust_std(r: Tensor, estimator: str = "trimmed") -> float:
    """σ of the residuals ``r``: plain ``std``; ``mad`` (1.4826 × median absolute deviation);
    ``trimmed``: the std of the values within 3 MAD-σ of the median, rescaled for a Gaussian
    cut at ±3σ (0.9733), so outliers (texture, ringing) weigh little."""
    if estimator == "std":
        return float(r.std())
    med = r.median()
    mad = 1.4826 * float((r - med).abs().median())
    if estimator == "mad":
        return mad
    if mad <= 0:
        return float(r.std())
    kept = r[(r - med).abs() <= 3 * mad]
    return float(kept.std()) / 0.9733


def measure_nlf(images: Sequence[Tensor], references: Sequence[Tensor] | None = None,
                bins: int = 8, flat_fraction: float = 0.3, min_count: int | None = None,
                estimator: str = "trimmed", scale: str = "fine") -> NLF:
    """The NLF of ``images`` (each 3×H×W in [0, 1]); with ``references`` (same shapes), of
    image − reference; at ``scale`` ``fine`` (the NLF) or ``coarse``. A bin is measured from
    at least ``min_count`` kept pixels (default: 400, fewer for small image sets — a
    sixteenth of an even share of the kept pixels, at least 50). See the module doc."""
    if not images:
        raise ValueError("measure_nlf: no images")
    if references is not None and len(references) != len(images):
        raise ValueError("measure_nlf: one reference per image expected")
    by_size: dict[tuple[int, ...], list[int]] = {}
    for i, x in enumerate(images):
        by_size.setdefault(tuple(x.shape), []).append(i)
    parts = [residual_parts(torch.stack([images[i] for i in idx]),
                            torch.stack([references[i] for i in idx])
                            if references is not None else None, scale)
             for idx in by_size.values()]
    resid = torch.cat([p[0] for p in parts], dim=1)
    level = torch.cat([p[1] for p in parts], dim=1)
    tex = torch.cat([p[2] for p in parts], dim=1)[0]
    if min_count is None:
        min_count = int(max(50, min(400, flat_fraction * tex.numel() / (16 * bins))))
    idx = (level * bins).floor().clamp(0, bins - 1).long()
    idx[(level < LEVEL_RANGE[0]) | (level > LEVEL_RANGE[1])] = -1  # clipped: not measured
    out_level, out_std, out_count = [], [], []
    for c in range(3):
        lv, sd, ct = [], [], []
        for b in range(bins):
            sel = (idx[c] == b).nonzero()[:, 0]
            keep = int(flat_fraction * sel.numel())
            if keep >= min_count:
                flat = sel[torch.topk(tex[sel], keep, largest=False).indices]
                r = resid[c, flat]
                lv.append(float(level[c, flat].mean()))
                sd.append(robust_std(r, estimator))
                ct.append(int(flat.numel()))
            else:
                lv.append(float("nan"))
                sd.append(float("nan"))
                ct.append(keep)
        out_level.append(lv)
        out_std.append(sd)
        out_count.append(ct)
    return NLF(bins, out_level, out_std, out_count)

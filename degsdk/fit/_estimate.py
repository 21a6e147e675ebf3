"""Estimating a camera's degradation parameters from its images: white-noise σ (wavelet MAD),
JPEG quality (quantisation tables), and a one-parameter search for the value that best matches
real pairs (LR PSNR) or real LR statistics (Fréchet distance of features). Fitters use them to
fit what a method leaves to the user."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from PIL import Image
from torch import Tensor

from .._components import create_extractor
from .._interfaces import Degrader
from ..evaluation import patch_features
from ..metrics import frechet_distance, psnr
from ..seeding import Stream, derive_seed

# The JPEG standard's example luminance table (ITU-T T.81 Annex K), which libjpeg scales by
# quality; its sum is order-independent, so the table's storage order does not matter.
_IJG_LUMA_SUM = sum((
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99))
_MAD_TO_SIGMA = 0.6744897501960817  # the standard normal's median absolute value


def estimate_noise_sigma(images: Sequence[Tensor]) -> float:
    """σ (0–255 scale) of white Gaussian noise in ``images`` (each 3×H×W or 1×3×H×W in
    [0, 1]): per channel, the median absolute finest diagonal Haar detail over 0.6745
    (Donoho & Johnstone 1994), averaged over channels; the median over images. Texture leaks
    into the estimate; compare with the same estimate on noise-free images to remove it. On
    JPEG'd images it reads what the codec left of the noise, not the sensor's σ (1.5 for a σ
    of 5 after quality 80): to model a camera, use :func:`degsdk.calibrate.fit_sensor`, which
    simulates the noise through the camera's own JPEG."""
    if not images:
        raise ValueError("estimate_noise_sigma: no images")
    per_image = []
    for x in images:
        x = x.reshape(-1, *x.shape[-2:]).double() * 255
        h, w = x.shape[-2] - x.shape[-2] % 2, x.shape[-1] - x.shape[-1] % 2
        x = x[:, :h, :w]
        d = (x[:, 0::2, 0::2] - x[:, 0::2, 1::2] - x[:, 1::2, 0::2] + x[:, 1::2, 1::2]) / 2
        per_image.append(float(d.abs().flatten(1).median(1).values.mean()) / _MAD_TO_SIGMA)
    return float(torch.tensor(per_image).median())


def noise_beyond(real: Sequence[Tensor], clean_model: Sequence[Tensor]) -> float:
    """The white-noise σ (0–255) the real images carry beyond what a noise-free model's
    output shows: √(max(0, σ̂(real)² − σ̂(model)²)), so texture that leaks into both
    estimates cancels."""
    a, b = estimate_noise_sigma(real), estimate_noise_sigma(clean_model)
    return math.sqrt(max(0.0, a * a - b * b))


def jpeg_quality(path: str | Path) -> int | None:
    """The libjpeg quality (1–100) a JPEG file was saved with, from its luminance
    quantisation table; None for a file that is not a JPEG."""
    with Image.open(path) as im:
        if im.format != "JPEG":
            return None
        tables = getattr(im, "quantization", None) or {}
    if 0 not in tables:
        return None
    scale = 100.0 * sum(tables[0]) / _IJG_LUMA_SUM
    q = (200.0 - scale) / 2 if scale <= 100 else 5000.0 / scale
    return int(min(100, max(1, round(q))))


def jpeg_quality_of(paths: Sequence[str | Path]) -> int | None:
    """The median JPEG quality of the files that are JPEGs, when most of ``paths`` are;
    None when most are not (PNG, TIFF…: no compression to model)."""
    qs = [q for q in (jpeg_quality(p) for p in paths) if q is not None]
    if not paths or len(qs) * 2 <= len(paths):
        return None
    return int(sorted(qs)[len(qs) // 2])


def best_on_pairs(make: Callable[[float], Degrader], grid: Sequence[float],
                  hrs: Sequence[Tensor], lrs: Sequence[Tensor], seed: int = 0
                  ) -> tuple[float, list[float]]:
    """The grid value whose degrader (``make(value)``) best reproduces the real LR of aligned
    pairs: mean Y-channel PSNR of ``degrader(hr)`` against ``lr`` (each 3×H×W). Returns the
    best value and the PSNR of every grid value."""
    scores = []
    with torch.no_grad():
        for v in grid:
            deg = make(v)
            vals = [float(psnr(deg(h[None], seed=seed, indices=[i]).lr.clamp(0, 1),
                               lr[None], y_channel=True))
                    for i, (h, lr) in enumerate(zip(hrs, lrs, strict=True))]
            scores.append(sum(vals) / len(vals))
    best = max(range(len(grid)), key=lambda i: scores[i])
    return float(grid[best]), scores


def realism_distance(degrader: Degrader, clean: Sequence[Tensor], reference: Tensor,
                     extractor: str = "degradation_stats", patch: int = 64, seed: int = 0,
                     ) -> float:
    """Squared Fréchet distance between the features of ``patch``² tiles of the degraded
    ``clean`` images (each 3×H×W) and ``reference`` features (from :func:`reference_features`
    with the same extractor and patch), every feature dimension z-scored by the reference's
    statistics so that features of different units weigh alike."""
    ext = create_extractor(extractor)
    with torch.no_grad():
        gen = [degrader(x[None], seed=derive_seed(seed, 0, Stream.FIT_REALISM), indices=[i]).lr[0]
               for i, x in enumerate(clean)]
    feats = patch_features(ext, gen, patch).double()
    mean, std = reference.double().mean(0), reference.double().std(0).clamp(min=1e-9)
    return frechet_distance((reference.double() - mean) / std, (feats - mean) / std)


def reference_features(images: Sequence[Tensor], extractor: str = "degradation_stats",
                       patch: int = 64) -> Tensor:
    """Features of every ``patch``² tile of the real LR ``images`` (each 3×H×W)."""
    with torch.no_grad():
        return patch_features(create_extractor(extractor), images, patch)


def best_by_realism(make: Callable[[float], Degrader], grid: Sequence[float],
                    clean: Sequence[Tensor], real_lr: Sequence[Tensor],
                    extractor: str = "degradation_stats", patch: int = 64, seed: int = 0,
                    ) -> tuple[float, list[float]]:
    """The grid value whose degrader makes LR from ``clean`` closest to ``real_lr``
    (:func:`realism_distance`). Returns the best value and every grid value's distance."""
    ref = reference_features(real_lr, extractor, patch)
    dists = [realism_distance(make(v), clean, ref, extractor, patch, seed) for v in grid]
    best = min(range(len(grid)), key=lambda i: dists[i])
    return float(grid[best]), dists


def geometric_grid(low: float, high: float, n: int) -> list[float]:
    """``n`` values from ``low`` to ``high`` evenly spaced in log, rounded to 3 decimals."""
    if n == 1:
        return [round(low, 3)]
    return [round(low * (high / low) ** (i / (n - 1)), 3) for i in range(n)]

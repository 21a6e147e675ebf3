"""PSNR and SSIM with BasicSR's conventions (which scikit-image matches for SSIM with
``gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255``).

Inputs: tensors N×3×H×W / 3×H×W in [0, 1], or arrays H×W×3 (uint8, or float in [0, 1]).
Images are rounded to 8 bits first (``round8=True``), optionally cropped by ``crop_border``
pixels on each side, and compared in RGB or on the Y channel of ITU-R BT.601 YCbCr (16–235,
as MATLAB's ``rgb2ycbcr`` and BasicSR's ``to_y_channel``). Computation is in float64 on the
0–255 scale; a batch returns the per-image values' mean unless ``reduction="none"``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .._errors import InputError

Reduction = Literal["mean", "none"]


def _as_batch(x: Tensor | np.ndarray, name: str) -> Tensor:
    if isinstance(x, np.ndarray):
        arr = x.astype(np.float64)
        if x.dtype == np.uint8:
            arr = arr / 255.0
        if arr.ndim == 3:
            arr = arr[None]
        if arr.ndim != 4 or arr.shape[-1] != 3:
            raise InputError(f"{name}: expected an H×W×3 (or N×H×W×3) array, got {x.shape}")
        t = torch.from_numpy(arr).permute(0, 3, 1, 2)
    elif isinstance(x, Tensor):
        t = x[None] if x.ndim == 3 else x
        if t.ndim != 4 or t.shape[1] != 3:
            raise InputError(f"{name}: expected N×3×H×W or 3×H×W, got {tuple(x.shape)}")
        t = t.detach().to("cpu", torch.float64)
    else:
        raise InputError(f"{name}: expected a tensor or an array, got {type(x).__name__}")
    return t


def _prepare(a: Tensor | np.ndarray, b: Tensor | np.ndarray, crop_border: int, y_channel: bool,
             round8: bool) -> tuple[Tensor, Tensor]:
    x, y = _as_batch(a, "a"), _as_batch(b, "b")
    if x.shape != y.shape:
        raise InputError(f"images differ in shape: {tuple(x.shape)} vs {tuple(y.shape)}")
    x, y = x * 255.0, y * 255.0
    if round8:
        x, y = x.round().clamp(0, 255), y.round().clamp(0, 255)
    if crop_border:
        x = x[..., crop_border:-crop_border, crop_border:-crop_border]
        y = y[..., crop_border:-crop_border, crop_border:-crop_border]
    if y_channel:
        w = torch.tensor([65.481, 128.553, 24.966], dtype=torch.float64).view(1, 3, 1, 1)
        x = (x / 255.0 * w).sum(1, keepdim=True) + 16.0
        y = (y / 255.0 * w).sum(1, keepdim=True) + 16.0
    return x, y


def _reduce(v: Tensor, reduction: Reduction) -> float | Tensor:
    return float(v.mean()) if reduction == "mean" else v


def psnr(a: Tensor | np.ndarray, b: Tensor | np.ndarray, crop_border: int = 0,
         y_channel: bool = False, round8: bool = True,
         reduction: Reduction = "mean") -> float | Tensor:
    """Peak signal-to-noise ratio in dB (peak 255); ``inf`` for identical images."""
    x, y = _prepare(a, b, crop_border, y_channel, round8)
    mse = ((x - y) ** 2).flatten(1).mean(1)
    out = torch.where(mse == 0, torch.full_like(mse, math.inf), 10 * torch.log10(255.0**2 / mse))
    return _reduce(out, reduction)


def _gaussian_window(size: int = 11, sigma: float = 1.5) -> Tensor:
    ax = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-(ax**2) / (2 * sigma**2))
    return g / g.sum()


def ssim(a: Tensor | np.ndarray, b: Tensor | np.ndarray, crop_border: int = 0,
         y_channel: bool = False, round8: bool = True,
         reduction: Reduction = "mean") -> float | Tensor:
    """Structural similarity with an 11×11 Gaussian window (σ = 1.5) over the valid region,
    C1 = (0.01·255)², C2 = (0.03·255)², averaged over channels."""
    x, y = _prepare(a, b, crop_border, y_channel, round8)
    n, c, h, w = x.shape
    if h < 11 or w < 11:
        raise InputError(f"ssim needs images of at least 11×11 pixels, got {h}×{w}")
    g = _gaussian_window()

    def blur(t: Tensor) -> Tensor:  # valid separable filtering
        t = t.reshape(n * c, 1, *t.shape[-2:])
        t = F.conv2d(t, g.view(1, 1, 1, 11))
        return F.conv2d(t, g.view(1, 1, 11, 1)).view(n, c, h - 10, w - 10)

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu1, mu2 = blur(x), blur(y)
    s11 = blur(x * x) - mu1**2
    s22 = blur(y * y) - mu2**2
    s12 = blur(x * y) - mu1 * mu2
    m = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1**2 + mu2**2 + c1) * (s11 + s22 + c2))
    return _reduce(m.flatten(1).mean(1), reduction)

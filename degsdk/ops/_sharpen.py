"""Unsharp masking (USM) as Real-ESRGAN sharpens its HR targets: ``usm_sharpen`` (functional)
and the ``usm`` degrader (deterministic, same size); and ``unsharp_mask``, the plain linear
form a camera's ISP applies (no threshold).

out = m·clip(x + w·(x − blur(x))) + (1 − m)·x, with m = blur(|x − blur(x)|·255 > threshold),
blur = a Gaussian of odd size ``radius`` (+1 if even) and OpenCV's default σ for that size.
The Gaussian is applied separably (2·51 instead of 51² multiplies per pixel).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pydantic
import torch
from torch import Tensor

from .._filtering import filter_separable, gaussian_kernel1d
from .._interfaces import Degrader, DegraderConfig, SampleParams


def opencv_sigma(size: int) -> float:
    """σ that OpenCV's ``getGaussianKernel(size, 0)`` uses."""
    return 0.3 * ((size - 1) * 0.5 - 1) + 0.8


def usm_sharpen(x: Tensor, weight: float = 0.5, radius: int = 50,
                threshold: float = 10.0) -> Tensor:
    """Unsharp-mask N×C×H×W in [0, 1]; ``threshold`` on the 0–255 scale."""
    size = radius + 1 if radius % 2 == 0 else radius
    n = x.shape[0]
    k1 = gaussian_kernel1d(torch.full((n,), opencv_sigma(size), dtype=torch.float64), size)
    blur = filter_separable(x, k1)
    residual = x - blur
    mask = ((residual.abs() * 255.0) > threshold).to(x.dtype)
    soft = filter_separable(mask, k1)
    sharp = (x + weight * residual).clamp(0.0, 1.0)
    return soft * sharp + (1.0 - soft) * x


def unsharp_mask(x: Tensor, amount: Tensor, sigma: float) -> Tensor:
    """Linear unsharp masking of N×C×H×W: ``x + amount·(x − G_σ ⋆ x)`` with a Gaussian of
    ``sigma`` px (size 2·ceil(3σ)+1, reflect padding) and one ``amount`` (N,) per sample.
    Not clamped."""
    size = 2 * math.ceil(3 * sigma) + 1
    k1 = gaussian_kernel1d(torch.full((x.shape[0],), float(sigma), dtype=torch.float64), size)
    a = amount.to(device=x.device, dtype=x.dtype).view(-1, 1, 1, 1)
    return x + a * (x - filter_separable(x, k1))


class USMConfig(DegraderConfig):
    weight: float = pydantic.Field(default=0.5, ge=0, description="sharpening strength")
    radius: int = pydantic.Field(default=50, ge=3, description="Gaussian size (+1 if even)")
    threshold: float = pydantic.Field(default=10.0, ge=0, description="on the 0–255 scale")


class USMSharpen(Degrader):
    """Real-ESRGAN's unsharp mask (defaults: weight 0.5, radius 50, threshold 10). Apply it to
    HR targets before saving and degrading them. Params: ``{}``."""

    name = "usm"
    Config = USMConfig

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{} for _ in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        c: Any = self.config
        return usm_sharpen(hr, c.weight, c.radius, c.threshold)

"""``hf_kl``: KL(P_ref ‖ P) between histograms of the high-frequency residual
r = x − GaussianBlur_σ(x), per channel (the noise-distribution distance of InterFlow Fig. 6 /
C2N): ``bins`` bins on ``range``, ε added to both histograms before normalising; the result is
the mean over the three channels."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import torch
from torch import Tensor

from .._errors import InputError
from .._filtering import filter_separable, gaussian_kernel1d
from .._interfaces import check_images

ImageSet = Tensor | Sequence[Tensor]


def _residuals(images: ImageSet, sigma: float) -> Iterable[Tensor]:
    batches = [images] if isinstance(images, Tensor) else list(images)
    if not batches:
        raise InputError("hf_kl: empty image set")
    for x in batches:
        x = x[None] if x.ndim == 3 else x
        check_images(x.float(), "hf_kl images")
        x = x.detach().cpu().double()
        size = 2 * math.ceil(3 * sigma) + 1
        k = gaussian_kernel1d(torch.full((x.shape[0],), float(sigma), dtype=torch.float64), size)
        yield x - filter_separable(x, k.to(torch.float64))


def residual_histograms(images: ImageSet, sigma: float = 1.0, bins: int = 100,
                        value_range: tuple[float, float] = (-0.25, 0.25)) -> Tensor:
    """Per-channel counts (3, bins) of the high-frequency residual over all images."""
    counts = torch.zeros(3, bins, dtype=torch.float64)
    lo, hi = value_range
    for r in _residuals(images, sigma):
        for c in range(3):
            counts[c] += torch.histc(r[:, c].flatten(), bins=bins, min=lo, max=hi)
    return counts


def hf_kl(ref_images: ImageSet, images: ImageSet, sigma: float = 1.0, bins: int = 100,
          value_range: tuple[float, float] = (-0.25, 0.25), eps: float = 1e-6) -> float:
    """KL(P_ref ‖ P) of the residual histograms, mean over channels (0 for identical sets).
    Image sets are N×3×H×W tensors in [0, 1] or sequences of them (sizes may differ)."""
    p = residual_histograms(ref_images, sigma, bins, value_range) + eps
    q = residual_histograms(images, sigma, bins, value_range) + eps
    p, q = p / p.sum(1, keepdim=True), q / q.sum(1, keepdim=True)
    kl = (p * (p / q).log()).sum(1).mean()
    return float(kl) if math.isfinite(float(kl)) else math.inf

"""The spatially varying blur of DML (paper eq. 2–3): at each pixel the kernel is
k_ij = Σ_m C_ij(m)·φ_m, a combination of M basis kernels with per-pixel weights.

Because the combination is linear, the output is Σ_m C(m) ⊙ (I ⋆ φ_m): M ordinary
convolutions and a weighted sum (``basis_blur``). Nothing of size K²·H·W is ever built; the
peak extra memory is M·C·H·W. ``basis_blur_unfold`` computes the same thing the direct way
(unfold every K×K window, build every per-pixel kernel, take inner products) and serves as the
reference in tests and benchmarks.

Both correlate (no kernel flip, like ``F.conv2d``) with reflect padding, then keep every
``scale``-th pixel starting at 0 (the sampling step ↓_scale of eq. 1).

The M convolutions run as direct convolutions (``method="direct"``) or through the FFT
(``"fft"``: the padded image's spectrum times each kernel's, exact up to float rounding).
oneDNN is slow for a one-input-channel convolution with large kernels, above all in the
backward pass, so ``"auto"`` uses the FFT when gradients are needed and K ≥ 9 (measured
3.5× faster for a training step's blur at K = 15), and direct convolution otherwise.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from degsdk import InputError
from degsdk.ops import mirror_pad


def _check(hr: Tensor, kernels: Tensor, weights: Tensor, scale: int) -> int:
    if hr.ndim != 4 or kernels.ndim != 3 or weights.ndim != 4:
        raise InputError(f"basis_blur: expected hr N×C×H×W, kernels M×K×K, weights N×M×H×W; "
                         f"got {tuple(hr.shape)}, {tuple(kernels.shape)}, "
                         f"{tuple(weights.shape)}")
    m, k, k2 = kernels.shape
    n, _, h, w = hr.shape
    if k != k2 or k % 2 == 0:
        raise InputError(f"basis_blur: kernels must be square with an odd size, got {k}×{k2}")
    if tuple(weights.shape) != (n, m, h, w):
        raise InputError(f"basis_blur: weights {tuple(weights.shape)} do not match "
                         f"(N, M, H, W) = {(n, m, h, w)}")
    if scale < 1 or h % scale or w % scale:
        raise InputError(f"basis_blur: H×W {h}×{w} is not divisible by scale {scale}")
    return k


def _fft_correlate(x: Tensor, kernels: Tensor, scale: int) -> Tensor:
    """Valid correlation of x (B, 1, H+K−1, W+K−1) with kernels (M, K, K) → (B, M, H/s, W/s)."""
    k = kernels.shape[-1]
    size = x.shape[-2:]
    spec = torch.fft.rfft2(x, s=size) * torch.fft.rfft2(kernels.flip(-2, -1), s=size)
    y = torch.fft.irfft2(spec, s=size)[..., k - 1 :, k - 1 :]
    return y[..., ::scale, ::scale]


def basis_blur(hr: Tensor, kernels: Tensor, weights: Tensor, scale: int = 1,
               method: Literal["auto", "direct", "fft"] = "auto") -> Tensor:
    """hr N×C×H×W, kernels M×K×K, weights N×M×H×W → N×C×(H/scale)×(W/scale).

    Each channel is convolved with the M kernels (see the module doc for ``method``), then
    the results at the sampled pixels are weighted by the weights there and summed.
    Differentiable in all three inputs."""
    k = _check(hr, kernels, weights, scale)
    n, c, h, w = hr.shape
    m = kernels.shape[0]
    x = mirror_pad(hr, k // 2, k // 2, k // 2, k // 2).reshape(n * c, 1, h + k - 1, w + k - 1)
    kernels = kernels.to(hr.dtype)
    if method == "auto":
        needs_grad = torch.is_grad_enabled() and (
            hr.requires_grad or kernels.requires_grad or weights.requires_grad)
        method = "fft" if needs_grad and k >= 9 else "direct"
    if method == "fft":
        y = _fft_correlate(x, kernels, scale)
    elif method == "direct":
        y = F.conv2d(x, kernels[:, None], stride=scale)  # (N·C, M, H/s, W/s)
    else:
        raise InputError(f"basis_blur: method must be 'auto', 'direct' or 'fft', got {method!r}")
    y = y.reshape(n, c, m, h // scale, w // scale)
    cw = weights[:, None, :, ::scale, ::scale]  # (N, 1, M, H/s, W/s)
    return (y * cw).sum(2)


def basis_blur_unfold(hr: Tensor, kernels: Tensor, weights: Tensor, scale: int = 1) -> Tensor:
    """The same result the direct way, materialising N·C·K²·H·W window values and N·K²·H·W
    per-pixel kernels (slow and memory-hungry: the reference)."""
    k = _check(hr, kernels, weights, scale)
    n, c, h, w = hr.shape
    m = kernels.shape[0]
    x = mirror_pad(hr, k // 2, k // 2, k // 2, k // 2)
    windows = F.unfold(x, k).reshape(n, c, k * k, h, w)  # every K×K window
    per_pixel = (weights.reshape(n, m, 1, h, w)
                 * kernels.reshape(1, m, k * k, 1, 1).to(hr.dtype)).sum(1)  # (N, K², H, W)
    out = (windows * per_pixel[:, None]).sum(2)
    return out[..., ::scale, ::scale]

"""The domain-invariant condition h(x) = bicubic↓_k(x) + n, n ~ N(0, σ²) (paper §4.2)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from degsdk.ops import resize


def domain_invariant_condition(x: Tensor, down: int, sigma: float,
                               generators: Sequence[torch.Generator]) -> Tensor:
    """N×3×H×W in [0, 1] → N×3×(H/down)×(W/down): antialiased (MATLAB-like) bicubic
    downscaling plus Gaussian noise of std ``sigma`` (0.03 in the paper, on the [0, 1] scale)
    drawn from ``generators[i]`` for sample i. The noise hides what is left of the degradation
    after downscaling."""
    h, w = x.shape[-2:]
    if h % down or w % down:
        raise ValueError(f"condition: {h}×{w} is not divisible by the condition factor {down}")
    small = resize(x, (h // down, w // down), "bicubic", antialias=True)
    if sigma == 0:
        return small
    noise = torch.stack([torch.randn(small.shape[1:], generator=g, device=g.device,
                                     dtype=small.dtype) for g in generators]).to(x.device)
    return small + sigma * noise

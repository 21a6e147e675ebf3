"""Colour: the sRGB transfer function and its exact inverse (IEC 61966-2-1), and a 3×3 colour
matrix with an offset.

``srgb_to_linear`` "unprocesses" display values to linear light, where a sensor's noise and
a white balance act; ``linear_to_srgb`` encodes them back. Both map [0, 1] onto [0, 1] and are
each other's inverse to float rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

_A = 0.055
_GAMMA = 2.4
_LINEAR_SLOPE = 12.92
_SRGB_KNEE = 0.04045  # sRGB value where the linear toe ends
_LINEAR_KNEE = _SRGB_KNEE / _LINEAR_SLOPE


def srgb_to_linear(x: Tensor) -> Tensor:
    """sRGB values in [0, 1] → linear light in [0, 1] (the sRGB EOTF); any shape."""
    x = x.clamp(0.0, 1.0)
    return torch.where(x <= _SRGB_KNEE, x / _LINEAR_SLOPE, ((x + _A) / (1 + _A)) ** _GAMMA)


def linear_to_srgb(y: Tensor) -> Tensor:
    """Linear light in [0, 1] → sRGB values in [0, 1] (inverse of :func:`srgb_to_linear`)."""
    y = y.clamp(0.0, 1.0)
    return torch.where(y <= _LINEAR_KNEE, y * _LINEAR_SLOPE,
                       (1 + _A) * y.clamp(min=_LINEAR_KNEE) ** (1 / _GAMMA) - _A)


def srgb_slope(x: Tensor) -> Tensor:
    """d sRGB / d linear at the sRGB value ``x``: how much a small linear-light deviation
    grows when encoded (12.92 in the toe, falling to about 0.42 at white)."""
    y = srgb_to_linear(x)
    return torch.where(y <= _LINEAR_KNEE, torch.full_like(y, _LINEAR_SLOPE),
                       (1 + _A) / _GAMMA * y.clamp(min=_LINEAR_KNEE) ** (1 / _GAMMA - 1))


def colour_transform(x: Tensor, matrix: Sequence[Sequence[float]] | Tensor,
                     offset: Sequence[float] | Tensor = (0.0, 0.0, 0.0)) -> Tensor:
    """``out[c] = Σ_d matrix[c][d]·x[d] + offset[c]`` per pixel of N×3×H×W, clamped to
    [0, 1]."""
    m = torch.as_tensor(matrix, dtype=x.dtype, device=x.device).reshape(3, 3)
    o = torch.as_tensor(offset, dtype=x.dtype, device=x.device).reshape(1, 3, 1, 1)
    return (torch.einsum("cd,ndhw->nchw", m, x) + o).clamp(0.0, 1.0)

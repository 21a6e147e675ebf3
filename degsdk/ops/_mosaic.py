"""Bayer colour filter arrays: ``bayer_mosaic`` keeps one colour per pixel, ``demosaic``
interpolates the other two back, bilinearly or with Malvar, He & Cutler's gradient-corrected
5×5 filters ("High-quality linear interpolation for demosaicing of Bayer-patterned color
images", ICASSP 2004). A pattern names the colours of the top-left 2×2 block row by row.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from .._filtering import mirror_pad

BayerPattern = Literal["rggb", "bggr", "grbg", "gbrg"]
Demosaic = Literal["bilinear", "malvar"]
_CHANNEL = {"r": 0, "g": 1, "b": 2}


def bayer_masks(pattern: str, h: int, w: int, device: torch.device | None = None) -> Tensor:
    """3×H×W 0/1 masks: where the sensor of ``pattern`` sees red, green and blue."""
    if pattern not in ("rggb", "bggr", "grbg", "gbrg"):
        raise ValueError(f"Bayer pattern must be rggb, bggr, grbg or gbrg, got {pattern!r}")
    masks = torch.zeros(3, h, w, device=device)
    for k, colour in enumerate(pattern):
        dy, dx = divmod(k, 2)
        masks[_CHANNEL[colour], dy::2, dx::2] = 1.0
    return masks


def bayer_mosaic(x: Tensor, pattern: str = "rggb") -> Tensor:
    """N×3×H×W → N×1×H×W: at each pixel, the one colour the filter array passes."""
    return (x * bayer_masks(pattern, *x.shape[-2:], x.device).to(x.dtype)).sum(1, keepdim=True)


def _conv(x: Tensor, k: list[list[float]], scale: float) -> Tensor:
    w = torch.tensor(k, dtype=x.dtype, device=x.device)[None, None] / scale
    r = w.shape[-1] // 2
    return F.conv2d(mirror_pad(x, r, r, r, r), w)


# Malvar-He-Cutler filters (÷8): green at red/blue; red/blue at green in a red/blue row
# (then column: transposed); red at blue and blue at red.
_G_AT_RB = [[0, 0, -1, 0, 0], [0, 0, 2, 0, 0], [-1, 2, 4, 2, -1], [0, 0, 2, 0, 0],
            [0, 0, -1, 0, 0]]
_RB_AT_G_ROW = [[0, 0, 0.5, 0, 0], [0, -1, 0, -1, 0], [-1, 4, 5, 4, -1], [0, -1, 0, -1, 0],
                [0, 0, 0.5, 0, 0]]
_RB_AT_G_COL = [list(r) for r in zip(*_RB_AT_G_ROW, strict=True)]
_RB_AT_BR = [[0, 0, -1.5, 0, 0], [0, 2, 0, 2, 0], [-1.5, 0, 6, 0, -1.5], [0, 2, 0, 2, 0],
             [0, 0, -1.5, 0, 0]]


def _bilinear(raw: Tensor, masks: Tensor) -> Tensor:
    rb = [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    g = [[0, 1, 0], [1, 4, 1], [0, 1, 0]]
    out = [_conv(raw * masks[c], g if c == 1 else rb, 4.0) for c in range(3)]
    return torch.cat(out, dim=1)


def _malvar(raw: Tensor, masks: Tensor, pattern: str) -> Tensor:
    h = raw.shape[-2]
    g_est = _conv(raw, _G_AT_RB, 8.0)
    row_est = _conv(raw, _RB_AT_G_ROW, 8.0)
    col_est = _conv(raw, _RB_AT_G_COL, 8.0)
    cross_est = _conv(raw, _RB_AT_BR, 8.0)
    rows = torch.arange(h, device=raw.device).view(h, 1) % 2
    out = []
    for c in range(3):
        mine = masks[c].bool()
        if c == 1:
            out.append(torch.where(mine, raw, g_est))
            continue
        other = masks[2 - c].bool()
        # the row (0 or 1 within the 2×2 block) that holds this colour
        k = next(i for i, ch in enumerate(pattern) if _CHANNEL[ch] == c)
        in_my_row = rows == (k // 2)
        est = torch.where(other, cross_est, torch.where(in_my_row, row_est, col_est))
        out.append(torch.where(mine, raw, est))
    return torch.cat(out, dim=1)


def demosaic(raw: Tensor, pattern: str = "rggb", method: str = "malvar") -> Tensor:
    """N×1×H×W Bayer mosaic → N×3×H×W (not clamped: Malvar's filters can overshoot). Each
    sample is filtered on its own, so its result does not depend on the batch."""
    if method not in ("bilinear", "malvar"):
        raise ValueError(f"demosaic method must be bilinear or malvar, got {method!r}")
    masks = bayer_masks(pattern, *raw.shape[-2:], raw.device).to(raw.dtype)
    one = (lambda r: _bilinear(r, masks)) if method == "bilinear" else \
        (lambda r: _malvar(r, masks, pattern))
    return torch.cat([one(raw[i : i + 1]) for i in range(raw.shape[0])])

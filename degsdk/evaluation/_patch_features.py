"""Features of an image set for the Fréchet distance: each image is cut into a grid of
non-overlapping ``size``×``size`` patches (the remainder at the right/bottom is dropped), and
the extractor runs on every patch, so a few large images still give enough samples."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .._errors import InputError
from .._interfaces import Extractor


def patch_grid(image: Tensor, size: int) -> Tensor:
    """3×H×W → (rows·cols)×3×size×size, row-major."""
    c, h, w = image.shape
    rows, cols = h // size, w // size
    if rows == 0 or cols == 0:
        raise InputError(f"image {w}×{h} is smaller than the feature patch {size}×{size}")
    x = image[:, : rows * size, : cols * size]
    x = x.reshape(c, rows, size, cols, size).permute(1, 3, 0, 2, 4)
    return x.reshape(rows * cols, c, size, size)


def patch_features(extractor: Extractor, images: Sequence[Tensor], size: int,
                   batch_size: int = 64) -> Tensor:
    """(N, D) features of every ``size`` patch of ``images`` (each 3×H×W in [0, 1])."""
    patches = torch.cat([patch_grid(im, size) for im in images])
    feats = [extractor(patches[i : i + batch_size].contiguous())
             for i in range(0, len(patches), batch_size)]
    return torch.cat(feats).detach().cpu()

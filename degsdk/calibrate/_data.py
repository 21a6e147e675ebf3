"""Loading what a calibration measures: centre crops of images and of aligned pairs (a few
hundred pixels a side are enough to measure a camera, and keep every search cheap)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from torch import Tensor

from .._errors import ConfigError
from ..io import find_pairs, image_size, list_images, read_image

MAX_IMAGES = 12
MAX_SIDE = 256  # LR pixels a side


def centre_crop(x: Tensor, side: int, multiple: int = 1) -> Tensor:
    """The central crop of 3×H×W ``x`` at most ``side`` px per side, sides a multiple of
    ``multiple``."""
    h, w = (min(s, side) // multiple * multiple for s in x.shape[-2:])
    t, s = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2
    return x[:, t : t + h, s : s + w]


def spread(items: Sequence[Path], limit: int) -> list[Path]:
    """At most ``limit`` of ``items``, evenly spaced over the (sorted) list."""
    n = len(items)
    if n <= limit:
        return list(items)
    return [items[i * n // limit] for i in range(limit)]


def load_images(folder: str | os.PathLike[str], limit: int = MAX_IMAGES,
                side: int = MAX_SIDE, multiple: int = 1) -> tuple[list[Tensor], list[Path]]:
    """Centre crops of up to ``limit`` images of ``folder`` and the files they came from."""
    files = spread(list_images([folder]), limit)
    if not files:
        raise ConfigError(f"{folder}: no images")
    return [centre_crop(read_image(p), side, multiple) for p in files], files


def pair_scale(folder: str | os.PathLike[str]) -> int:
    """HR size / LR size of the pairs in ``folder``."""
    p = find_pairs(folder)[0]
    return image_size(p.hr)[1] // image_size(p.lr)[1]


def load_pairs(folder: str | os.PathLike[str], limit: int = MAX_IMAGES, side: int = MAX_SIDE
               ) -> tuple[list[Tensor], list[Tensor], list[Path], int]:
    """(HR crops, LR crops, LR files, scale) of up to ``limit`` aligned pairs: each LR
    centre-cropped to at most ``side`` px a side and its HR cut to the same region."""
    pairs = find_pairs(folder)
    k = pair_scale(folder)
    hrs, lrs, files = [], [], []
    for p in spread(pairs, limit):
        lr = read_image(p.lr)
        crop = centre_crop(lr, side)
        t, s = (lr.shape[-2] - crop.shape[-2]) // 2, (lr.shape[-1] - crop.shape[-1]) // 2
        hr = read_image(p.hr)
        hrs.append(hr[:, t * k : (t + crop.shape[-2]) * k, s * k : (s + crop.shape[-1]) * k])
        lrs.append(crop)
        files.append(p.lr)
    return hrs, lrs, files, k

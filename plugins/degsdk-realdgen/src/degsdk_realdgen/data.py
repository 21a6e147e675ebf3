"""Training images: HR folders (extractor pre-training) and real LR folders (the DDPM), read
once into memory, and random patches drawn from an explicit generator."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor

from degsdk import ConfigError, read_image
from degsdk.io import list_images
from degsdk.seeding import randint


def read_folders(folders: Sequence[Path], what: str, min_side: int) -> dict[str, Tensor]:
    """Every image under ``folders`` (recursively), name → 3×H×W; an image with a side under
    ``min_side`` is an error naming it."""
    out: dict[str, Tensor] = {}
    for folder in folders:
        if not Path(folder).is_dir():
            raise ConfigError(f"{what}: {folder} is not a folder")
        files = list_images([folder], recursive=True)
        if not files:
            raise ConfigError(f"{what}: {folder} holds no images")
        for f in files:
            img = read_image(f)
            if min(img.shape[-2:]) < min_side:
                raise ConfigError(f"{what}: {f} is {img.shape[-2]}×{img.shape[-1]}, below the "
                                  f"{min_side} px patch; lower --patch or leave it out")
            out[f"{Path(folder).name}/{f.relative_to(folder).as_posix()}"] = img
    return out


def random_patches(images: Sequence[Tensor], n: int, side: int, g: torch.Generator,
                   flips: bool = True) -> Tensor:
    """n random ``side``² crops (each of a random image, with a random one of the 8
    flips/transposes when ``flips``): n×3×side×side."""
    out = []
    for _ in range(n):
        img = images[randint(g, 0, len(images) - 1)]
        h, w = img.shape[-2:]
        t, s = randint(g, 0, h - side), randint(g, 0, w - side)
        p = img[:, t : t + side, s : s + side]
        if flips:
            k = randint(g, 0, 7)
            p = torch.rot90(p, k % 4, dims=(-2, -1))
            p = p.flip(-1) if k >= 4 else p
        out.append(p)
    return torch.stack(out).contiguous()

"""Training images: HR folders (extractor pre-training) and real LR folders (the DDPM), read
once into memory, and random patches drawn from an explicit generator."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor

from degsdk import ConfigError, read_image
from degsdk.io import list_images
from degsdk.training import random_crops


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
    flips/transposes when ``flips``; the core sampler): n×3×side×side."""
    return random_crops([(x,) for x in images], n, side, g,
                        flips="dihedral" if flips else "none")[0].contiguous()

"""A synthetic camera's data for tests of ``degsdk fit`` and of fitters: clean HR, aligned
pairs, unpaired real LR and test pairs, all made by a known degrader from synthetic photos."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from .._config import from_config
from ..io import write_image

#: The default truth: bicubic down ×2 (at level 2.5: blurrier than plain ×2) plus white
#: noise σ 3, no JPEG.
TRUTH: dict[str, Any] = {"name": "sequential", "params": {"ops": [
    {"name": "bicubic", "params": {"scale": 2, "level": 2.5}},
    {"name": "gaussian_noise", "params": {"sigma": 3.0}}]}}


def synthetic_photos(n: int, size: int = 96, seed: int = 0) -> Tensor:
    """``n`` piecewise-smooth test photos, n×3×size×size in [0, 1]: a colour gradient with
    16 overlapping discs of random colour and size (sharp edges, flat interiors, no pixel
    noise, so a noise estimate sees only what a degrader adds)."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(size, dtype=torch.float32),
                            torch.arange(size, dtype=torch.float32), indexing="ij")
    out = []
    for _ in range(n):
        a, b = torch.rand(3, 1, 1, generator=g), torch.rand(3, 1, 1, generator=g)
        img = a + (b - a) * (xx + yy)[None] / (2 * size)
        for _ in range(16):
            cy, cx = (torch.rand(2, generator=g) * size).tolist()
            r = float(torch.rand((), generator=g)) * size / 4 + 2
            colour = torch.rand(3, 1, 1, generator=g)
            inside = ((yy - cy) ** 2 + (xx - cx) ** 2 <= r * r)[None]
            img = torch.where(inside, colour, img)
        out.append(img.clamp(0, 1))
    return torch.stack(out)


def camera_test_data(root: str | Path, truth: dict[str, Any] | None = None, size: int = 96,
                     clean: int = 6, pairs: int = 6, real_lr: int = 6, test: int = 3,
                     seed: int = 0) -> dict[str, Path]:
    """Write a camera's data under ``root``: ``clean/`` (HR), ``pairs/{hr,lr}``,
    ``real_lr/`` and ``test/{hr,lr}``, every LR made by ``truth`` (a degrader config; default
    :data:`TRUTH`) from distinct synthetic photos. Returns the folders by the names
    ``degsdk.fit.fit`` takes (``clean_hr``, ``pairs``, ``real_lr``, ``test``)."""
    root = Path(root)
    deg = from_config(truth or TRUTH)
    photos = synthetic_photos(clean + pairs + real_lr + test, size, seed)
    with torch.no_grad():
        lrs = deg(photos, seed=seed, indices=list(range(len(photos)))).lr
    for i in range(len(photos)):
        name = f"{i:03d}.png"
        if i < clean:
            write_image(root / "clean" / name, photos[i])
        elif i < clean + pairs:
            write_image(root / "pairs" / "hr" / name, photos[i])
            write_image(root / "pairs" / "lr" / name, lrs[i])
        elif i < clean + pairs + real_lr:
            write_image(root / "real_lr" / name, lrs[i])
        else:
            write_image(root / "test" / "hr" / name, photos[i])
            write_image(root / "test" / "lr" / name, lrs[i])
    return {"clean_hr": root / "clean", "pairs": root / "pairs", "real_lr": root / "real_lr",
            "test": root / "test"}

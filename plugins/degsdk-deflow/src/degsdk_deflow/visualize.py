"""Pictures: a clean input and DeFlow samples at several temperatures (paper Fig. 4–5)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import Tensor

from degsdk.io import write_image

from .model import DeFlow


def temperature_strip(model: DeFlow, image: Tensor, temperatures: Sequence[float] = (0.0, 0.5,
                      1.0, 1.5), seeds: Sequence[int] = (0, 1), zoom: int = 2) -> Tensor:
    """3×H'×W' grid: one row per seed, one column per τ (τ = 0 is the input itself), each
    tile ``image`` (3×H×W in [0, 1]) translated with that seed and τ, enlarged ``zoom``×
    (nearest) so the noise stays visible; labels on a white strip above each column."""
    tiles = []
    with torch.no_grad():
        for seed in seeds:
            row = [model.apply(image[None], [{"seed": seed, "temperature": t}])[0]
                   for t in temperatures]
            tiles.append(torch.cat(row, -1))
    grid = torch.cat(tiles, -2)
    grid = grid.repeat_interleave(zoom, -2).repeat_interleave(zoom, -1)
    w = image.shape[-1] * zoom
    label = Image.new("RGB", (grid.shape[-1], 14), "white")
    draw = ImageDraw.Draw(label)
    for i, t in enumerate(temperatures):
        draw.text((i * w + 4, 1), f"tau = {t:g}", fill="black")
    strip = torch.from_numpy(np.asarray(label).copy()).permute(2, 0, 1).float() / 255
    return torch.cat([strip, grid], -2)


def save_temperature_strip(model: DeFlow, image: Tensor, path: str | Path,
                           **kwargs: object) -> Path:
    """Write :func:`temperature_strip` to ``path`` (PNG, atomically)."""
    write_image(path, temperature_strip(model, image, **kwargs))  # type: ignore[arg-type]
    return Path(path)

"""Pictures of a DML model (paper Fig. 2–3): the learned basis kernels and the weight maps it
predicts for an HR image."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from degsdk.io import write_image

from .model import DML


def _row(tiles: list[Tensor], gap: int = 4) -> Tensor:
    """Tiles 3×h×w of one height → one 3×h×W strip on white."""
    h = tiles[0].shape[-2]
    out = [torch.ones(3, h, gap)]
    for t in tiles:
        out += [t, torch.ones(3, h, gap)]
    return torch.cat(out, dim=-1)


def kernels_image(model: DML, cell: int = 64) -> Tensor:
    """The M basis kernels side by side, each scaled to its own maximum (white = max),
    enlarged to ``cell`` px with nearest neighbour. 3×cell×(M·(cell+4)+4)."""
    with torch.no_grad():
        k = model.kernels().cpu()
    k = k / k.amax(dim=(1, 2), keepdim=True)
    tiles = [F.interpolate(x[None, None], size=(cell, cell), mode="nearest-exact")[0]
             .expand(3, -1, -1) for x in k]
    return _row(tiles)


def weight_maps_image(model: DML, hr: Tensor, height: int = 160) -> Tensor:
    """The HR image followed by its M predicted weight maps (brighter = larger weight,
    0–1), all ``height`` px tall. hr: 3×H×W or 1×3×H×W in [0, 1]."""
    x = hr[None] if hr.ndim == 3 else hr
    with torch.no_grad():
        w = model.weight_maps(x.to(model.kernel_logits.device))[0].cpu()
    width = max(1, round(x.shape[-1] * height / x.shape[-2]))

    def fit(t: Tensor) -> Tensor:
        return F.interpolate(t[None], size=(height, width), mode="area")[0]

    tiles = [fit(x[0].cpu())] + [fit(m[None]).expand(3, -1, -1) for m in w]
    return _row(tiles)


def save_visuals(model: DML, hr: Tensor, folder: str | Path) -> tuple[Path, Path]:
    """Write ``kernels.png`` and ``weights.png`` into ``folder``; returns their paths."""
    folder = Path(folder)
    a, b = folder / "kernels.png", folder / "weights.png"
    write_image(a, kernels_image(model))
    write_image(b, weight_maps_image(model, hr))
    return a, b

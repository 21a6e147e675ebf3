"""A heat map of the bin weights (paper Fig. 4) and a table of the top bins."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import Tensor

from degsdk.io import write_image

from .space import DegradationSpace

CELL = 28


def _color(v: float) -> tuple[int, int, int]:
    """White (0) → dark red (1)."""
    v = min(max(v, 0.0), 1.0)
    return (255 - int(115 * v), int(255 * (1 - v) ** 1.5), int(255 * (1 - v) ** 1.5))


def heatmap_image(space: DegradationSpace, weights: Sequence[float] | Tensor) -> Image.Image:
    """One panel per bin of the third axis (if any); in each, rows are the second axis's bins
    (low at the top) and columns the first axis's; cell shade ∝ weight / max weight, with the
    weight in % written in cells above 1 %. Up to three axes."""
    axes = space.axes
    if not 1 <= len(axes) <= 3:
        raise ValueError(f"heat map: 1 to 3 axes supported, got {len(axes)}")
    shape = [a.bins for a in axes] + [1] * (3 - len(axes))
    w = np.asarray(torch.as_tensor(weights, dtype=torch.float64)).reshape(shape)
    top = float(w.max()) or 1.0
    cols, rows, panels = shape
    margin_l, margin_t, gap = 84, 34, 18
    width = margin_l + panels * (cols * CELL + gap)
    height = margin_t + rows * CELL + 40
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    name = lambda i: axes[i].name if i < len(axes) else ""  # noqa: E731
    for p in range(panels):
        x0 = margin_l + p * (cols * CELL + gap)
        if len(axes) == 3:
            lo, hi = axes[2].edges()[p]
            draw.text((x0, 19), f"{name(2)} {lo:g}-{hi:g}", fill="black")
        for r in range(rows):
            for c in range(cols):
                v = float(w[c, r, p])
                box = (x0 + c * CELL, margin_t + r * CELL, x0 + (c + 1) * CELL - 1,
                       margin_t + (r + 1) * CELL - 1)
                draw.rectangle(box, fill=_color(v / top), outline=(200, 200, 200))
                if v >= 0.01:
                    draw.text((box[0] + 2, box[1] + 8), f"{100 * v:.0f}",
                              fill="white" if v / top > 0.6 else "black")
        for c, (lo, _) in enumerate(axes[0].edges()):
            draw.text((x0 + c * CELL + 2, margin_t + rows * CELL + 2), f"{lo:g}", fill="black")
        draw.text((x0, margin_t + rows * CELL + 16), f"{name(0)} ->", fill="black")
    if len(axes) >= 2:
        draw.text((2, 4), f"{name(1)} (down)", fill="black")
        for r, (lo, hi) in enumerate(axes[1].edges()):
            draw.text((2, margin_t + r * CELL + 8), f"{lo:g}-{hi:g}", fill="black")
    return img


def save_heatmap(space: DegradationSpace, weights: Sequence[float] | Tensor,
                 path: str | Path) -> Path:
    """Write :func:`heatmap_image` as a PNG (atomically)."""
    arr = np.asarray(heatmap_image(space, weights)).copy()
    write_image(path, torch.from_numpy(arr).permute(2, 0, 1).float() / 255)
    return Path(path)


def top_bins_table(space: DegradationSpace, weights: Sequence[float] | Tensor,
                   distances: Sequence[float] | Tensor | None = None, k: int = 10) -> str:
    """A Markdown table of the ``k`` heaviest bins: rank, bin, weight, each axis's range and
    (if given) the squared Fréchet distance."""
    w = torch.as_tensor(weights, dtype=torch.float64)
    ranges = space.bin_ranges()
    names = [a.name for a in space.axes]
    head = ["rank", "bin", "weight", *names] + (["D_F²"] if distances is not None else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rank, b in enumerate(torch.argsort(w, descending=True)[:k].tolist(), 1):
        cells = [str(rank), str(b), f"{100 * float(w[b]):.2f} %"]
        cells += [f"{ranges[b][n][0]:g}–{ranges[b][n][1]:g}" for n in names]
        if distances is not None:
            cells.append(f"{float(torch.as_tensor(distances)[b]):.4g}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"

"""A contact sheet: one row per image, HR beside its LR (LR enlarged with nearest-neighbour
so its pixels stay visible), labelled, as one RGB picture."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont
from torch import Tensor

_LABEL_H = 18
_GAP = 6
_BACKGROUND = (255, 255, 255)


def _thumb(x: Tensor, height: int, nearest: bool) -> Image.Image:
    """3×H×W in [0, 1] → a PIL image ``height`` pixels tall."""
    h, w = x.shape[-2:]
    width = max(1, round(w * height / h))
    mode = "nearest-exact" if nearest else "area"
    y = F.interpolate(x[None].float().cpu(), size=(height, width), mode=mode)[0]
    arr = (y.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    return Image.fromarray(np.ascontiguousarray(arr), mode="RGB")


def contact_sheet(rows: Sequence[tuple[str, Tensor, Tensor]], height: int = 192) -> Image.Image:
    """Build a sheet from ``(name, hr 3×H×W, lr 3×h×w)`` rows; each row ``height`` px tall.

    The label under each LR gives its size and the ratio to the HR size.
    """
    font = ImageFont.load_default()
    tiles = []
    for name, hr, lr in rows:
        a, b = _thumb(hr, height, nearest=False), _thumb(lr, height, nearest=True)
        ratio = hr.shape[-1] / lr.shape[-1]
        # ASCII only: Pillow's built-in bitmap font has no × or ÷ glyphs.
        labels = (f"{name}  HR {hr.shape[-1]}x{hr.shape[-2]}",
                  f"LR {lr.shape[-1]}x{lr.shape[-2]}  (1/{ratio:g})")
        tiles.append((a, b, labels))
    width = max(a.width + b.width for a, b, _ in tiles) + 3 * _GAP
    total_h = len(tiles) * (height + _LABEL_H + _GAP) + _GAP
    sheet = Image.new("RGB", (width, total_h), _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    y = _GAP
    for a, b, labels in tiles:
        sheet.paste(a, (_GAP, y))
        sheet.paste(b, (2 * _GAP + a.width, y))
        draw.text((_GAP, y + height + 2), labels[0], fill=(0, 0, 0), font=font)
        draw.text((2 * _GAP + a.width, y + height + 2), labels[1], fill=(0, 0, 0), font=font)
        y += height + _LABEL_H + _GAP
    return sheet

"""The report's pictures, drawn with Pillow: a labelled crop grid and horizontal bar charts.

Text is ASCII (Pillow's default font has no arrows or ×)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont
from torch import Tensor

_WHITE = (255, 255, 255)
_BLACK = (0, 0, 0)
_GRAY = (150, 150, 150)
_BEST = (46, 125, 50)
_BAR = (100, 130, 190)
_GAP = 6


def _font(size: int = 13) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _to_pil(x: Tensor, size: int) -> Image.Image:
    """3×h×w in [0, 1] → size×size PIL image (nearest-neighbour, so pixels stay visible)."""
    y = F.interpolate(x[None].float().cpu(), size=(size, size), mode="nearest-exact")[0]
    arr = (y.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    return Image.fromarray(np.ascontiguousarray(arr), mode="RGB")


def crop_grid(columns: Sequence[str], rows: Sequence[tuple[str, Sequence[Tensor | None]]],
              tile: int = 192) -> Image.Image:
    """A grid of square crops: a header of ``columns`` names, then one row per
    ``(label, crops)``; a ``None`` crop's cell says "(none)"."""
    font = _font()
    label_w = max(90, max(int(font.getlength(label)) for label, _ in rows) + 2 * _GAP)
    head_h = 22
    width = label_w + len(columns) * (tile + _GAP) + _GAP
    height = head_h + len(rows) * (tile + _GAP) + _GAP
    im = Image.new("RGB", (width, height), _WHITE)
    draw = ImageDraw.Draw(im)
    for j, name in enumerate(columns):
        draw.text((label_w + j * (tile + _GAP), 4), name, fill=_BLACK, font=font)
    for i, (label, crops) in enumerate(rows):
        y = head_h + i * (tile + _GAP)
        draw.text((_GAP, y + tile // 2 - 7), label, fill=_BLACK, font=font)
        for j, crop in enumerate(crops):
            x = label_w + j * (tile + _GAP)
            if crop is None:
                draw.text((x + tile // 2 - 18, y + tile // 2 - 7), "(none)", fill=_GRAY,
                          font=font)
            else:
                im.paste(_to_pil(crop, tile), (x, y))
    return im


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "inf"
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 1e-3):
        return f"{v:.3g}"
    return f"{v:.4g}"


def bar_charts(panels: Sequence[tuple[str, Sequence[tuple[float | str, ...]], bool]],
               columns: int = 2, panel_w: int = 430) -> Image.Image:
    """Horizontal bar charts, one panel per ``(title, [(label, value)], higher_is_better)``;
    a bar given as ``(label, value, low, high)`` gets a whisker from low to high (e.g. the
    range over seeds). The best bar of each panel is green. Bars start at 0 (or below the
    panel's minimum when values are negative or all close together, e.g. PSNR, so
    differences stay visible)."""
    font, title_font = _font(12), _font(14)
    bar_h = 18
    label_w = max(int(font.getlength(str(t[0]))) for _, vals, _ in panels for t in vals) + 8
    panel_h = 30 + max(len(vals) for _, vals, _ in panels) * (bar_h + 4) + 8
    n_rows = math.ceil(len(panels) / columns)
    im = Image.new("RGB", (columns * panel_w, n_rows * panel_h), _WHITE)
    draw = ImageDraw.Draw(im)
    for k, (title, vals, higher) in enumerate(panels):
        x0, y0 = (k % columns) * panel_w, (k // columns) * panel_h
        hint = "higher is better" if higher else "lower is better"
        draw.text((x0 + 8, y0 + 6), f"{title}  ({hint})", fill=_BLACK, font=title_font)
        means = [float(t[1]) for t in vals]
        finite = [v for v in means if math.isfinite(v)]
        if not finite:
            continue
        ends = finite + [float(e) for t in vals for e in t[2:] if math.isfinite(float(e))]
        lo, hi = min(ends), max(ends)
        base = 0.0 if lo >= 0 and lo < 0.5 * hi else lo - 0.15 * (hi - lo or abs(hi) or 1.0)
        span = (hi - base) or 1.0
        best = max(finite) if higher else min(finite)
        bar_x = x0 + 8 + label_w
        bar_max = panel_w - label_w - 80
        for i, (item, v) in enumerate(zip(vals, means, strict=True)):
            y = y0 + 30 + i * (bar_h + 4)
            draw.text((x0 + 8, y + 2), str(item[0]), fill=_BLACK, font=font)
            if not math.isfinite(v):
                draw.text((bar_x, y + 2), _fmt(v), fill=_GRAY, font=font)
                continue
            length = max(1, round(bar_max * (v - base) / span))
            draw.rectangle((bar_x, y, bar_x + length, y + bar_h),
                           fill=_BEST if v == best else _BAR)
            end = length
            if len(item) == 4:
                a, b = (bar_x + round(bar_max * (float(e) - base) / span) for e in item[2:])
                mid = y + bar_h // 2
                draw.line((a, mid, b, mid), fill=_BLACK, width=2)
                draw.line((a, y + 3, a, y + bar_h - 3), fill=_BLACK, width=2)
                draw.line((b, y + 3, b, y + bar_h - 3), fill=_BLACK, width=2)
                end = max(end, b - bar_x)
            draw.text((bar_x + end + 4, y + 2), _fmt(v), fill=_BLACK, font=font)
    return im

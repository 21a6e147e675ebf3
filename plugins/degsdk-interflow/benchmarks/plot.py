"""Small PIL charts for the InterFlow benchmarks (no plotting library is a dependency): line
charts with markers and labelled axes, several panels side by side."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

COLOURS = [(214, 39, 40), (44, 160, 44), (31, 119, 180), (255, 127, 14), (148, 103, 189)]
W, H, PAD = 420, 320, 48


def _font(size: int = 12) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default()


def _ticks(lo: float, hi: float) -> list[float]:
    return [lo + (hi - lo) * i / 4 for i in range(5)]


def panel(title: str, series: Sequence[tuple[str, Sequence[float], Sequence[float], bool]],
          xlabel: str, ylabel: str, labels: Sequence[tuple[float, float, str]] = ()
          ) -> Image.Image:
    """One chart: ``series`` = (name, xs, ys, draw_line); ``labels`` = (x, y, text) notes."""
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    xs = [x for _, sx, _, _ in series for x in sx]
    ys = [y for _, _, sy, _ in series for y in sy]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    mx, my = (x1 - x0) * 0.05 or 1.0, (y1 - y0) * 0.08 or 1.0
    x0, x1, y0, y1 = x0 - mx, x1 + mx, y0 - my, y1 + my
    left, right, top, bottom = PAD + 10, W - 12, 40, H - PAD

    def px(x: float, y: float) -> tuple[float, float]:
        return (left + (x - x0) / (x1 - x0) * (right - left),
                bottom - (y - y0) / (y1 - y0) * (bottom - top))

    f, small = _font(13), _font(10)
    d.text((W // 2, 8), title, fill="black", font=f, anchor="mt")
    d.rectangle([left, top, right, bottom], outline="black")
    for t in _ticks(x0 + mx, x1 - mx):
        x, _ = px(t, y0)
        d.line([x, bottom, x, bottom + 4], fill="black")
        d.text((x, bottom + 6), f"{t:.3g}", fill="black", font=small, anchor="mt")
    for t in _ticks(y0 + my, y1 - my):
        _, y = px(x0, t)
        d.line([left - 4, y, left, y], fill="black")
        d.text((left - 6, y), f"{t:.3g}", fill="black", font=small, anchor="rm")
    d.text(((left + right) // 2, H - 14), xlabel, fill="black", font=small, anchor="mm")
    d.text((6, top - 14), ylabel, fill="black", font=small)
    for k, (name, sx, sy, line) in enumerate(series):
        c = COLOURS[k % len(COLOURS)]
        pts = [px(x, y) for x, y in zip(sx, sy, strict=True)]
        if line and len(pts) > 1:
            d.line(pts, fill=c, width=2)
        for x, y in pts:
            d.ellipse([x - 3, y - 3, x + 3, y + 3], fill=c)
        d.text((right - 8, top + 6 + 14 * k), name, fill=c, font=small, anchor="ra")
    for x, y, text in labels:
        p = px(x, y)
        d.text((p[0] + 4, p[1] - 12), text, fill="black", font=small)
    return img


def save_panels(panels: Sequence[Image.Image], out: Path) -> None:
    """The panels side by side, saved as PNG."""
    sheet = Image.new("RGB", (W * len(panels), H), "white")
    for i, p in enumerate(panels):
        sheet.paste(p, (W * i, 0))
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)

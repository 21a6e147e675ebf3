"""The calibration's picture, drawn with Pillow: per channel, the noise-level function of the
real LR beside that of the calibrated camera's LR (measured alike) and the sensor σ the model
puts in; and the fitted PSF as an image.

Text is ASCII (Pillow's default font has no σ or ×)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..ops import gaussian_kernel
from ._noise_fit import NoiseFit

_WHITE, _BLACK, _GRAY, _LIGHT = (255, 255, 255), (0, 0, 0), (120, 120, 120), (225, 225, 225)
_CHANNELS = (("R", (200, 40, 40)), ("G", (40, 140, 40)), ("B", (40, 70, 200)))
_PANEL_W, _PANEL_H, _PAD = 300, 230, 44


def _font(size: int = 13) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _nice_top(v: float) -> float:
    """A round axis maximum at or above ``v``."""
    if v <= 0 or not math.isfinite(v):
        return 1.0
    mag = 10 ** math.floor(math.log10(v))
    return next(m * mag for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * mag >= v)


def _dashed(draw: ImageDraw.ImageDraw, pts: Sequence[tuple[float, float]],
            colour: tuple[int, int, int], dash: float = 6.0) -> None:
    """A dashed polyline: on and off every ``dash`` px along its whole length."""
    walked = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        length = math.hypot(x1 - x0, y1 - y0)
        t = 0.0
        while t < length:
            step = min(dash - walked % dash, length - t)
            if int(walked // dash) % 2 == 0:
                a, b = t / length, (t + step) / length
                draw.line([(x0 + a * (x1 - x0), y0 + a * (y1 - y0)),
                           (x0 + b * (x1 - x0), y0 + b * (y1 - y0))], fill=colour, width=2)
            t += step
            walked += step


def _nlf_panel(im: Image.Image, left: int, top: int, fit: NoiseFit, c: int, ymax: float,
               truth: Callable[[float, int], float] | None) -> None:
    draw, font = ImageDraw.Draw(im), _font()
    name, colour = _CHANNELS[c]
    x0, y0 = left + _PAD, top + 24
    w, h = _PANEL_W - _PAD - 12, _PANEL_H - 24 - 34

    def at(x: float, y: float) -> tuple[float, float]:
        return x0 + x * w, y0 + h - min(y, ymax) / ymax * h

    for i in range(6):  # grid and ticks
        gy = ymax * i / 5
        draw.line([at(0, gy), at(1, gy)], fill=_LIGHT)
        draw.text((left + 6, at(0, gy)[1] - 7), f"{gy:g}", fill=_GRAY, font=font)
    for i in range(5):
        gx = i / 4
        draw.text((at(gx, 0)[0] - 10, y0 + h + 4), f"{gx:g}", fill=_GRAY, font=font)
    draw.rectangle([x0, y0, x0 + w, y0 + h], outline=_GRAY)
    draw.text((x0, top + 4), f"{name}: noise sd (0-255) vs intensity", fill=_BLACK, font=font)
    xs = np.linspace(0.02, 0.98, 49)
    if truth is not None:
        _dashed(draw, [at(x, 255 * truth(float(x), c)) for x in xs], _BLACK, dash=2.0)
    _dashed(draw, [at(x, 255 * fit.model_std(float(x), c)) for x in xs], colour)
    sim = [(fit.simulated.level[c][b], 255 * fit.simulated.std[c][b])
           for b in range(fit.simulated.bins) if fit.simulated.valid(c, b)]
    if len(sim) > 1:
        draw.line([at(x, y) for x, y in sim], fill=colour, width=2)
    for x, y in sim:
        px, py = at(x, y)
        draw.rectangle([px - 2, py - 2, px + 2, py + 2], fill=colour)
    for b in range(fit.real.bins):
        if fit.real.valid(c, b):
            px, py = at(fit.real.level[c][b], 255 * fit.real.std[c][b])
            draw.ellipse([px - 4, py - 4, px + 4, py + 4], outline=_BLACK, width=2)


def _psf_panel(im: Image.Image, left: int, top: int, psf: dict | None, lines: Sequence[str]
               ) -> None:
    draw, font = ImageDraw.Draw(im), _font()
    draw.text((left + 8, top + 4), "PSF (HR pixels)", fill=_BLACK, font=font)
    side = 120
    if psf:
        sx, sy, th = float(psf["sigma_x"]), float(psf["sigma_y"]), float(psf["theta"])
        size = min(31, 2 * math.ceil(3 * max(sx, sy)) + 1)
        k = gaussian_kernel(size, sx, sy, th).numpy()
        arr = (255 * (1 - k / k.max())).astype(np.uint8)
        tile = Image.fromarray(arr, mode="L").resize((side, side), Image.NEAREST).convert("RGB")
        im.paste(tile, (left + 8, top + 24))
    else:
        draw.text((left + 8, top + 60), "(none)", fill=_GRAY, font=font)
    for i, line in enumerate(lines):
        draw.text((left + 8, top + 30 + side + 14 * i), line, fill=_BLACK, font=font)


def calibration_figure(fit: NoiseFit, psf: dict | None, lines: Sequence[str], title: str,
                       truth: Callable[[float, int], float] | None = None) -> Image.Image:
    """R, G and B noise-level functions (circles: real LR; squares and line: the calibrated
    camera's LR, measured alike; dashes: the sensor σ the model adds; dots: ``truth(x, c)``,
    a known camera's sensor σ, when given) and the PSF panel with ``lines`` of text under
    it."""
    values = [255 * v for c in range(3) for row in (fit.real.std[c], fit.simulated.std[c])
              for v in row if math.isfinite(v)]
    values += [255 * fit.model_std(x, c) for c in range(3) for x in (0.05, 0.5, 0.95)]
    if truth is not None:
        values += [255 * truth(x, c) for c in range(3) for x in (0.05, 0.5, 0.95)]
    ymax = _nice_top(max(values) * 1.05 if values else 1.0)
    width, height = 4 * _PANEL_W + 10, _PANEL_H + 52
    im = Image.new("RGB", (width, height), _WHITE)
    draw = ImageDraw.Draw(im)
    draw.text((10, 6), title, fill=_BLACK, font=_font(14))
    for c in range(3):
        _nlf_panel(im, 5 + c * _PANEL_W, 26, fit, c, ymax, truth)
    _psf_panel(im, 5 + 3 * _PANEL_W, 26, psf, lines)
    legend = ("o real LR    -=- calibrated camera's LR (measured alike)    - - sensor noise "
              "the model adds (before sharpening and JPEG)"
              + ("    ... the true sensor noise" if truth is not None else ""))
    draw.text((10, height - 20), legend, fill=_GRAY, font=_font())
    return im

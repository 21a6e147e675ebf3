"""Synthetic cameras with a known truth, for tests and benchmarks of calibration and fitters:
written with numpy, scipy and Pillow only — none of degsdk's ops — so that a bug in the model
cannot hide in the truth.

Each camera: optics (PIL Gaussian blur, or a rotated anisotropic Gaussian by scipy), PIL's
antialiased bicubic shrink (in float), colour gains, Poisson–Gaussian noise per channel in sRGB
values or in linear light (the sRGB curve written out here), optional unsharp masking, 8-bit
rounding and Pillow's JPEG at a quality and chroma subsampling."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}


def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(y: np.ndarray) -> np.ndarray:
    y = np.clip(y, 0, 1)
    return np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.maximum(y, 0.0031308) ** (1 / 2.4)
                    - 0.055)


@dataclass(frozen=True)
class TruthCamera:
    """A camera with known parameters. ``pil_blur``: PIL's GaussianBlur radius (σ), else
    ``psf`` (σx, σy, θ) as a sampled rotated Gaussian; ``shot`` and ``read`` (σ on 0–255) per
    channel, in ``space``; ``sharpen``: (amount, σ) or None; ``jpeg``: (quality,
    subsampling) or None (PNG)."""

    scale: int = 2
    pil_blur: float | None = None
    psf: tuple[float, float, float] | None = None
    gains: tuple[float, float, float] = (1.0, 1.0, 1.0)
    space: str = "srgb"
    shot: tuple[float, float, float] = (0.0, 0.0, 0.0)
    read: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sharpen: tuple[float, float] | None = None
    jpeg: tuple[int, str] | None = None

    def noise_std(self, x: float, c: int) -> float:
        """The noise σ (0–1) this camera adds at the sRGB level ``x`` of channel ``c``, in
        sRGB values (a linear-light noise carried through the curve's slope)."""
        if self.space == "srgb":
            return math.sqrt(self.shot[c] * x + (self.read[c] / 255) ** 2)
        lin = float(srgb_to_linear(np.array(x)))
        eps = 1e-5
        slope = float((linear_to_srgb(np.array(lin + eps)) - linear_to_srgb(np.array(lin - eps)))
                      / (2 * eps))
        return slope * math.sqrt(self.shot[c] * lin + (self.read[c] / 255) ** 2)

    def config(self) -> dict[str, Any]:
        """This camera as a ``calibrated_camera`` config (PIL's blur, a cascade of box
        filters, becomes the Gaussian of its σ), e.g. to score SR trained on the truth."""
        sx, sy, th = self.psf or (self.pil_blur or 0.0, self.pil_blur or 0.0, 0.0)
        params: dict[str, Any] = {
            "scale": self.scale, "sensor_space": self.space,
            "colour": {"matrix": [[self.gains[0], 0, 0], [0, self.gains[1], 0],
                                  [0, 0, self.gains[2]]]},
            "noise": {"shot": list(self.shot), "read": list(self.read)},
            "jpeg": {"quality": self.jpeg[0], "subsampling": self.jpeg[1]} if self.jpeg
            else None}
        if sx > 0:
            params["psf"] = {"sigma_x": sx, "sigma_y": sy, "theta": th}
        if self.sharpen is not None:
            params["sharpen"] = {"amount": self.sharpen[0], "sigma": self.sharpen[1]}
        return {"name": "calibrated_camera", "params": params}

    def clean(self, hr: np.ndarray) -> np.ndarray:
        """The noise-free LR (float H×W×3 in [0, 1]), before the sensor."""
        if self.pil_blur is not None:
            x = np.asarray(Image.fromarray(hr).filter(ImageFilter.GaussianBlur(self.pil_blur)),
                           np.float64) / 255
        else:
            x = hr.astype(np.float64) / 255
            if self.psf is not None:
                sx, sy, th = self.psf
                r = math.ceil(3 * max(sx, sy))
                yy, xx = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float64)
                u = math.cos(th) * xx + math.sin(th) * yy
                v = -math.sin(th) * xx + math.cos(th) * yy
                k = np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))
                k /= k.sum()
                x = np.stack([ndimage.correlate(x[..., c], k, mode="mirror")
                              for c in range(3)], axis=-1)
        h, w = hr.shape[0] // self.scale, hr.shape[1] // self.scale
        if self.scale > 1:
            x = np.stack([np.asarray(Image.fromarray(x[..., c].astype(np.float32), mode="F")
                                     .resize((w, h), Image.BICUBIC), np.float64)
                          for c in range(3)], axis=-1)
        return np.clip(x * np.asarray(self.gains), 0, 1)

    def __call__(self, hr: np.ndarray, rng: np.random.Generator) -> bytes | np.ndarray:
        """The camera's file for one HR photo: JPEG bytes, or a uint8 array (PNG)."""
        x = self.clean(hr)
        shot, read = np.asarray(self.shot), (np.asarray(self.read) / 255) ** 2
        if self.space == "linear":
            lin = srgb_to_linear(x)
            lin = np.clip(lin + np.sqrt(shot * lin + read) * rng.standard_normal(x.shape), 0, 1)
            x = linear_to_srgb(lin)
        else:
            x = np.clip(x + np.sqrt(shot * x + read) * rng.standard_normal(x.shape), 0, 1)
        if self.sharpen is not None:
            amount, sigma = self.sharpen
            blur = np.stack([ndimage.gaussian_filter(x[..., c], sigma, mode="mirror",
                                                     truncate=3.0) for c in range(3)], -1)
            x = np.clip(x + amount * (x - blur), 0, 1)
        u8 = np.clip(np.round(x * 255), 0, 255).astype(np.uint8)
        if self.jpeg is None:
            return u8
        buf = io.BytesIO()
        Image.fromarray(u8).save(buf, format="JPEG", quality=self.jpeg[0],
                                 subsampling=_SUBSAMPLING[self.jpeg[1]])
        return buf.getvalue()


def save_output(out: bytes | np.ndarray, path: Path) -> Path:
    """Write a camera's output as path.jpg (bytes) or path.png (an array)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(out, bytes):
        path = path.with_suffix(".jpg")
        path.write_bytes(out)
    else:
        path = path.with_suffix(".png")
        Image.fromarray(out).save(path)
    return path


def decode_output(out: bytes | np.ndarray) -> np.ndarray:
    """A camera's output as a uint8 H×W×3 array."""
    return np.asarray(Image.open(io.BytesIO(out)).convert("RGB")) if isinstance(out, bytes) \
        else out


def write_truth_camera_data(camera: TruthCamera, root: Path,
                            photos: Callable[[int], Sequence[np.ndarray]]) -> dict[str, Path]:
    """``root/pairs/{hr,lr}``, ``root/real_lr`` and ``root/clean`` (HR) of ``camera``:
    ``photos(k)`` gives the HR photos (uint8 H×W×3, sides a multiple of the scale) of group k
    (0: the pairs, 1: the real LR, 2: the clean HR), so the groups can show other scenes."""
    rng = np.random.default_rng(0)
    for i, hr in enumerate(photos(0)):
        save_output(hr, root / "pairs" / "hr" / f"{i:02d}")
        save_output(camera(hr, rng), root / "pairs" / "lr" / f"{i:02d}")
    for i, hr in enumerate(photos(1)):
        save_output(camera(hr, rng), root / "real_lr" / f"{i:02d}")
    for i, hr in enumerate(photos(2)):
        save_output(hr, root / "clean" / f"{i:02d}")
    return {"pairs": root / "pairs", "real_lr": root / "real_lr", "clean_hr": root / "clean"}

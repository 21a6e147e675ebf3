"""``calibrated_camera``: a camera with the physics — optics, sensor, ISP and codec — whose
parameters ``degsdk calibrate`` (and the ``camera`` fitter of ``degsdk fit``) measure on a
real camera. Every stage is optional; per image, in order:

1. **Optics** (``psf``): the HR (sRGB values) blurred by a rotated anisotropic Gaussian
   (σx, σy in HR pixels, θ in radians from +x towards +y) or by a free k×k kernel.
2. **Sampling** (``scale``, ``downsample``): ``bicubic`` — antialiased, as PIL and MATLAB
   shrink — or ``area``, the k×k pixel integration of a sensor. ``scale: 1`` keeps the grid.
3. **Colour** (``colour``): a 3×3 matrix and an offset, the camera's colour response
   relative to the HR (white balance, colour matrix), in sRGB values.
4. **Sensor** (``sensor_space``, ``mosaic``, ``noise``): in linear light by default (the sRGB
   curve is undone, and re-applied after), optionally on a Bayer mosaic that is then
   demosaiced; Poisson–Gaussian noise per channel, variance ``shot_c·x + (read_c/255)²``.
   Linear light is where a sensor's noise is Poisson–Gaussian: once encoded, the noise grows
   in the shadows and shrinks in the highlights, as in real camera JPEGs. ``sensor_space:
   srgb`` adds the same law to the encoded values (what synthetic pipelines do);
   ``degsdk calibrate`` fits both and keeps the one whose noise-level function matches.
5. **ISP sharpening** (``sharpen``): linear unsharp masking, ``x + amount·(x − G_σ ⋆ x)``,
   applied after the noise as an ISP does (so it sharpens the noise too).
6. **Codec** (``jpeg``): JPEG at a quality with a chroma subsampling (4:4:4, 4:2:2, 4:2:0);
   without it the output is rounded to 8-bit values (``quantize``), as a saved file is.

Per-sample draws (each a fixed value unless given as a ``[low, high]`` range): the Gaussian
PSF's σx, σy and θ, the sharpening amount, the JPEG quality, and the noise seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import pydantic
import torch
from torch import Tensor

from .._filtering import filter2d
from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange, within
from ..seeding import draw_float, draw_int, draw_seed
from ._colour import colour_transform, linear_to_srgb, srgb_to_linear
from ._jpeg import JPEGQuality, Subsampling, jpeg_compress
from ._kernels import gaussian_kernel
from ._mosaic import BayerPattern, Demosaic, bayer_masks, bayer_mosaic, demosaic
from ._noise import signal_dependent_noise
from ._resize import resize
from ._sharpen import unsharp_mask

MAX_KERNEL = 61  # the largest PSF support (pixels a side)


def _per_channel(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("expected a number or 3 numbers (R, G, B)")
    if isinstance(v, int | float):
        return (float(v),) * 3
    return v


PerChannel = Annotated[tuple[float, float, float], pydantic.BeforeValidator(_per_channel)]
"""One non-negative number per channel (R, G, B); a single number means all three."""


class GaussianPSF(DegraderConfig):
    """A rotated anisotropic Gaussian PSF (HR pixels)."""

    type: Literal["gaussian"] = "gaussian"
    sigma_x: Annotated[FloatRange, within(gt=0, name="sigma_x")] = pydantic.Field(
        description="σ along the rotated x axis, HR px, or [low, high]")
    sigma_y: Annotated[FloatRange, within(gt=0, name="sigma_y")] | None = pydantic.Field(
        default=None, description="σ along the rotated y axis (None: = sigma_x)")
    theta: FloatRange = pydantic.Field(default=(0.0, 0.0),
                                       description="rotation in radians, +x towards +y")

    @property
    def kernel_size(self) -> int:
        """Odd support covering ±3σ of the widest draw, at most ``MAX_KERNEL``."""
        hi = max(self.sigma_x[1], (self.sigma_y or self.sigma_x)[1])
        return min(MAX_KERNEL, 2 * math.ceil(3 * hi) + 1)


class KernelPSF(DegraderConfig):
    """A free PSF: an odd k×k kernel (normalised to sum 1 when applied)."""

    type: Literal["kernel"]
    kernel: list[list[float]] = pydantic.Field(description="odd k×k weights, sum > 0")

    @pydantic.field_validator("kernel")
    @classmethod
    def _square_odd(cls, v: list[list[float]]) -> list[list[float]]:
        k = len(v)
        if k % 2 == 0 or k > MAX_KERNEL or any(len(row) != k for row in v):
            raise ValueError(f"kernel must be an odd k×k list of rows, k ≤ {MAX_KERNEL}")
        if not all(math.isfinite(x) for row in v for x in row) or sum(map(sum, v)) <= 0:
            raise ValueError("kernel weights must be finite and sum to more than 0")
        return v


def _psf_tag(v: Any) -> str:
    t = v.get("type", "gaussian") if isinstance(v, dict) else getattr(v, "type", "gaussian")
    return str(t)


PSF = Annotated[Annotated[GaussianPSF, pydantic.Tag("gaussian")]
                | Annotated[KernelPSF, pydantic.Tag("kernel")],
                pydantic.Discriminator(_psf_tag)]


class ColourResponse(DegraderConfig):
    matrix: tuple[tuple[float, float, float], tuple[float, float, float],
                  tuple[float, float, float]] = pydantic.Field(
        default=((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
        description="3×3: out[c] = Σ matrix[c][d]·in[d] + offset[c]")
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)


class SensorNoise(DegraderConfig):
    shot: PerChannel = pydantic.Field(
        default=(0.0, 0.0, 0.0), description="variance per unit signal (0–1 units), per channel")
    read: PerChannel = pydantic.Field(
        default=(0.0, 0.0, 0.0), description="signal-independent σ on the 0–255 scale, per "
        "channel")

    @pydantic.field_validator("shot", "read")
    @classmethod
    def _non_negative(cls, v: tuple[float, float, float]) -> tuple[float, float, float]:
        if any(not math.isfinite(x) or x < 0 for x in v):
            raise ValueError("must be finite and ≥ 0")
        return v

    def std(self, x: Tensor, channel: int) -> Tensor:
        """Noise σ (0–1 units) at signal ``x`` (in the sensor space) for one channel."""
        return torch.sqrt(self.shot[channel] * x.clamp(min=0) + (self.read[channel] / 255) ** 2)


class Sharpening(DegraderConfig):
    amount: Annotated[FloatRange, within(ge=0, le=10, name="amount")] = pydantic.Field(
        default=(0.5, 0.5), description="unsharp amount, or [low, high]")
    sigma: float = pydantic.Field(default=1.0, gt=0, le=10, description="Gaussian σ (px)")


class JPEGSettings(DegraderConfig):
    quality: JPEGQuality = pydantic.Field(default=(90, 90), description="1–100 or [low, high]")
    subsampling: Subsampling = "4:2:0"


class CalibratedCameraConfig(DegraderConfig):
    scale: int = pydantic.Field(default=1, ge=1, le=8, description="HR size / LR size")
    downsample: Literal["bicubic", "area"] = pydantic.Field(
        default="bicubic", description="bicubic (antialiased) or area (pixel integration)")
    psf: PSF | None = pydantic.Field(default=None, description="the optics' blur (None: none)")
    colour: ColourResponse | None = None
    sensor_space: Literal["linear", "srgb"] = pydantic.Field(
        default="linear", description="where mosaic and noise act: linear light or sRGB values")
    mosaic: BayerPattern | None = pydantic.Field(default=None, description="Bayer pattern")
    demosaic: Demosaic = "malvar"
    noise: SensorNoise | None = None
    sharpen: Sharpening | None = None
    jpeg: JPEGSettings | None = None
    quantize: bool = pydantic.Field(default=True, description="round to 8 bits without JPEG")


class CalibratedCamera(Degrader):
    """A camera's optics, sensor, ISP and codec (module doc). Params per sample:
    ``{"psf": [σx, σy, θ] or None, "sharpen": amount or None, "seed": int or None,
    "jpeg": quality or None}``."""

    name = "calibrated_camera"
    Config = CalibratedCameraConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: CalibratedCameraConfig = self.config  # type: ignore[assignment]

    @property
    def scale(self) -> float:
        return float(self.cfg.scale)

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        c, out = self.cfg, []
        for g in generators:
            p: SampleParams = {"psf": None, "sharpen": None, "seed": None, "jpeg": None}
            if isinstance(c.psf, GaussianPSF):
                sx = draw_float(g, c.psf.sigma_x)
                sy = draw_float(g, c.psf.sigma_y) if c.psf.sigma_y is not None else sx
                p["psf"] = [sx, sy, draw_float(g, c.psf.theta)]
            if c.sharpen is not None:
                p["sharpen"] = draw_float(g, c.sharpen.amount)
            if c.noise is not None:
                p["seed"] = draw_seed(g)
            if c.jpeg is not None:
                p["jpeg"] = draw_int(g, c.jpeg.quality)
            out.append(p)
        return out

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        x = self.optics(hr, params)
        x = self.sensor(x, [p["seed"] for p in params])
        return self.isp(x, params)

    # -- the stages (public for calibration: it simulates them apart) --------------------

    def psf_kernels(self, params: Sequence[SampleParams]) -> Tensor | None:
        """The PSF of each sample, N×k×k summing to 1 (None without a PSF)."""
        psf = self.cfg.psf
        if psf is None:
            return None
        if isinstance(psf, KernelPSF):
            k = torch.tensor(psf.kernel, dtype=torch.float64)
            return (k / k.sum()).to(torch.float32).expand(len(params), -1, -1)
        size = psf.kernel_size
        return torch.stack([gaussian_kernel(size, *p["psf"]) for p in params])

    def optics(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        """PSF, sampling and colour: N×3×H×W HR → N×3×(H/scale)×(W/scale), noise-free."""
        c = self.cfg
        kernels = self.psf_kernels(params)
        x = hr if kernels is None else filter2d(hr, kernels)
        if c.scale > 1:
            size = self.output_size(hr.shape[-2], hr.shape[-1])
            x = resize(x, size, c.downsample)
        if c.colour is not None:
            x = colour_transform(x, c.colour.matrix, c.colour.offset)
        return x.clamp(0.0, 1.0)

    def sensor(self, x: Tensor, seeds: Sequence[int | None]) -> Tensor:
        """Mosaic and noise in ``sensor_space``: N×3×h×w → N×3×h×w in [0, 1]."""
        c = self.cfg
        if c.noise is None and c.mosaic is None:
            return x
        y = srgb_to_linear(x) if c.sensor_space == "linear" else x
        if c.mosaic is not None:
            y = bayer_mosaic(y, c.mosaic)
        if c.noise is not None:
            shot = torch.tensor(c.noise.shot, dtype=y.dtype, device=y.device).view(1, 3, 1, 1)
            read = (torch.tensor(c.noise.read, dtype=y.dtype, device=y.device)
                    .view(1, 3, 1, 1) / 255.0) ** 2
            if c.mosaic is not None:  # each photosite has its colour's noise law
                masks = bayer_masks(c.mosaic, *y.shape[-2:], y.device).to(y.dtype)[None]
                shot, read = (shot * masks).sum(1, keepdim=True), (read * masks).sum(1, True)
            y = signal_dependent_noise(y, shot.expand(y.shape[0], -1, -1, -1),
                                       read.expand(y.shape[0], -1, -1, -1),
                                       [int(s) if s is not None else 0 for s in seeds])
        y = y.clamp(0.0, 1.0)
        if c.mosaic is not None:
            y = demosaic(y, c.mosaic, c.demosaic).clamp(0.0, 1.0)
        return linear_to_srgb(y) if c.sensor_space == "linear" else y

    def isp(self, x: Tensor, params: Sequence[SampleParams]) -> Tensor:
        """Sharpening and the codec (or 8-bit rounding): N×3×h×w → N×3×h×w in [0, 1]."""
        c = self.cfg
        if c.sharpen is not None:
            amount = torch.tensor([float(p["sharpen"]) for p in params])
            x = unsharp_mask(x, amount, c.sharpen.sigma).clamp(0.0, 1.0)
        if c.jpeg is not None:
            return jpeg_compress(x, [int(p["jpeg"]) for p in params], c.jpeg.subsampling)
        return (x * 255.0).round() / 255.0 if c.quantize else x

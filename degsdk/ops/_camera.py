"""A synthetic camera (degrader ``camera``): a known, realistic lens + sensor degradation for
tests and benchmarks, fully described by its config.

Per image, in order:

1. **Optics** — a Gaussian blur whose σ varies over the image:
   ``σ_lens(r) = (blur_center + blur_edge·r²)·m(s)`` with r the distance from the image centre
   (1 at the corners) and ``m(s) = 1 + blur_per_level·(s − 1)`` for zoom level s; plus defocus
   from a depth proxy ``d`` (the image's luminance smoothed at 1/16 of its size, scaled to
   [0, 1]): ``σ_dof = defocus·m(s)·|d − focus|``. The two add in quadrature. The spatially
   varying blur blends a stack of Gaussian blurs at fixed σ steps, linearly in σ.
2. **Lateral chromatic aberration** — red magnified by ``1 + ca·s``, blue by ``1 − ca·s``
   about the centre (bilinear resampling).
3. **Sensor sampling** — with ``scale`` k > 1, a k×k box average (pixel integration); k = 1
   keeps the HR grid (aligned output, like RealSR/City100).
4. **Colour** — white-balance gains ``exp(wb_shift·(s − 1)·u_c)``, u drawn per sample on the
   unit sphere (mean-free), so colour drifts smoothly with the level.
5. **Noise** — Poisson–Gaussian: variance ``shot·s·x + (read/255)²``.
6. **JPEG** at a quality drawn per sample from ``jpeg`` (None: no compression).

Everything is a smooth function of ``level``: blur, noise and colour change continuously as
a zoom lens's would, so multi-level sets (level 2, 3, 4 with scale 2, 3, 4, or aligned) of
the same scene can be generated. Per-sample draws: ``focus``, the white-balance direction,
the noise seed and the JPEG quality.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._luma import luma
from .._ranges import FloatRange, within
from ..seeding import draw_seed, normal, randint, uniform
from ._blur import gaussian_blur2d
from ._jpeg import JPEGQuality, jpeg_compress
from ._noise import poisson_gaussian_noise

_SIGMA_STEP = 0.25  # σ spacing of the blur stack (pixels)


class CameraConfig(DegraderConfig):
    level: float = pydantic.Field(default=1.0, ge=1.0, le=16.0, description="zoom level s")
    scale: int = pydantic.Field(default=1, ge=1, le=8, description="1 = aligned output")
    blur_center: float = pydantic.Field(default=0.5, ge=0, description="σ (px) at the centre")
    blur_edge: float = pydantic.Field(default=1.0, ge=0, description="extra σ at the corners")
    blur_per_level: float = pydantic.Field(default=0.35, ge=0)
    defocus: float = pydantic.Field(default=0.0, ge=0, description="σ per unit depth error")
    focus: Annotated[FloatRange, within(0, 1, name="focus")] = pydantic.Field(
        default=(0.3, 0.7), description="focus depth in [0, 1]")
    ca: float = pydantic.Field(default=0.0008, ge=0, le=0.05, description="CA per level")
    wb_shift: float = pydantic.Field(default=0.02, ge=0, le=0.5, description="log gain/level")
    shot: float = pydantic.Field(default=0.0008, ge=0, description="shot variance at s = 1")
    read: float = pydantic.Field(default=1.0, ge=0, description="read noise σ (0–255)")
    jpeg: JPEGQuality | None = pydantic.Field(default=(75, 95), description="None: no JPEG")


def radius2(h: int, w: int, device: torch.device) -> Tensor:
    """r² over an H×W grid: 0 at the centre, 1 at the corners."""
    y = torch.linspace(-1, 1, h, device=device).view(h, 1)
    x = torch.linspace(-1, 1, w, device=device).view(1, w)
    return (x**2 + y**2) / 2


def depth_proxy(x: Tensor) -> Tensor:
    """A smooth pseudo-depth in [0, 1] from content: luminance blurred at σ = min(H, W)/16,
    min-max scaled. x: 1×3×H×W → H×W."""
    h, w = x.shape[-2:]
    y = luma(x)
    sigma = max(1.0, min(h, w) / 16)
    size = min(2 * math.ceil(3 * sigma) + 1, 2 * min(h, w) - 1) | 1
    d = gaussian_blur2d(y, torch.tensor([sigma]), size)[0, 0]
    lo, hi = d.min(), d.max()
    return (d - lo) / (hi - lo) if float(hi - lo) > 1e-6 else torch.full_like(d, 0.5)


def spatially_varying_blur(x: Tensor, sigma: Tensor) -> Tensor:
    """Blur 1×C×H×W with a per-pixel σ map (H×W, pixels): blends Gaussian blurs at σ steps of
    0.25 px, linearly in σ (σ = 0 is the image itself)."""
    smax = float(sigma.max())
    n_steps = max(1, math.ceil(smax / _SIGMA_STEP))
    levels = [i * _SIGMA_STEP for i in range(n_steps + 1)]
    h, w = x.shape[-2:]
    stack = [x]
    for s in levels[1:]:
        size = min(2 * math.ceil(3 * s) + 1, 2 * min(h, w) - 1) | 1
        stack.append(gaussian_blur2d(x, torch.tensor([s], dtype=torch.float64), size))
    pos = (sigma / _SIGMA_STEP).clamp(0, n_steps)
    lo = pos.floor().clamp(max=n_steps - 1).long()
    t = (pos - lo.to(pos.dtype))[None, None]
    blurred = torch.stack(stack)  # L×1×C×H×W
    a = blurred.gather(0, lo[None, None, None].expand(1, *x.shape))[0]
    b = blurred.gather(0, (lo + 1).clamp(max=n_steps)[None, None, None].expand(1, *x.shape))[0]
    return a * (1 - t) + b * t


def chromatic_aberration(x: Tensor, amount: float) -> Tensor:
    """Magnify red by (1 + amount) and blue by (1 − amount) about the centre (bilinear)."""
    if amount == 0:
        return x
    out = [x[:, 1:2]]
    for ch, mag in ((0, 1 + amount), (2, 1 - amount)):
        theta = torch.tensor([[1 / mag, 0, 0], [0, 1 / mag, 0]], dtype=x.dtype,
                             device=x.device)[None]
        grid = F.affine_grid(theta, [1, 1, *x.shape[-2:]], align_corners=False)
        out.insert(ch, F.grid_sample(x[:, ch : ch + 1], grid, mode="bilinear",
                                     padding_mode="border", align_corners=False))
    return torch.cat(out, dim=1)


class Camera(Degrader):
    """A synthetic lens + sensor (see the module doc). Params per sample:
    ``{"focus": float, "wb": [u_r, u_g, u_b], "seed": int, "jpeg": int or None}``."""

    name = "camera"
    Config = CameraConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: CameraConfig = self.config  # type: ignore[assignment]

    @property
    def scale(self) -> float:
        return float(self.cfg.scale)

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        c = self.cfg
        out = []
        for g in generators:
            u = torch.tensor(normal(g, 3), dtype=torch.float64)
            u = u - u.mean()
            u = u / u.norm().clamp(min=1e-12)
            out.append({
                "focus": uniform(g, *c.focus),
                "wb": [float(v) for v in u],
                "seed": draw_seed(g),
                "jpeg": randint(g, *c.jpeg) if c.jpeg is not None else None,
            })
        return out

    def sigma_map(self, x: Tensor, focus: float) -> Tensor:
        """The per-pixel blur σ (HR pixels) for one image 1×3×H×W."""
        c = self.cfg
        m = 1 + c.blur_per_level * (c.level - 1)
        h, w = x.shape[-2:]
        lens = (c.blur_center + c.blur_edge * radius2(h, w, x.device)) * m
        if c.defocus == 0:
            return lens
        dof = c.defocus * m * (depth_proxy(x) - focus).abs()
        return torch.sqrt(lens**2 + dof**2)

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return torch.cat([self._one(hr[i : i + 1], p) for i, p in enumerate(params)])

    def _one(self, x: Tensor, p: SampleParams) -> Tensor:
        c, s = self.cfg, self.cfg.level
        x = spatially_varying_blur(x, self.sigma_map(x, float(p["focus"])))
        x = chromatic_aberration(x, c.ca * s)
        if c.scale > 1:
            x = F.avg_pool2d(x, c.scale)
        gains = torch.exp(c.wb_shift * (s - 1) * torch.tensor(p["wb"], dtype=x.dtype,
                                                              device=x.device))
        x = (x * gains.view(1, 3, 1, 1)).clamp(0, 1)
        x = poisson_gaussian_noise(x, [c.shot * s], [c.read], [p["seed"]])
        if p["jpeg"] is not None:
            x = jpeg_compress(x, [p["jpeg"]])
        return x

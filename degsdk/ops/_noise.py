"""Noise models, each with a per-sample seed so ``apply`` can recreate the field:

- ``gaussian_noise``: additive N(0, (σ/255)²), colour or gray (degrader ``gaussian_noise``);
- ``poisson_noise``: Real-ESRGAN/BasicSR shot noise, colour or gray (degrader ``poisson_noise``);
- ``poisson_gaussian_noise``: signal-dependent camera noise, variance a·x + (σ_read/255)²
  (degrader ``camera_noise``), on ``signal_dependent_noise`` (per-channel or per-pixel a, b);
- ``correlated_gaussian_noise``/speckle: BSRGAN's channel-correlated and multiplicative noise.

Fields are drawn on the CPU from the per-sample seed (identical on every device) and moved to
the input's device.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange, within
from ..seeding import bernoulli, draw_float, draw_seed, generator_from_seed, uniform


def gaussian_noise(x: Tensor, sigma: Sequence[float], gray: Sequence[bool],
                   seeds: Sequence[int]) -> Tensor:
    """Add N(0, (σ/255)²) noise to each sample and clamp to [0, 1].

    x: N×3×H×W; sigma: per-sample σ on the 0–255 scale; gray: per-sample flag for one noise
    field shared by the three channels; seeds: per-sample seeds of the noise field. Fields are
    drawn on the CPU (identical on every device) and moved to ``x.device``.
    """
    _, c, h, w = x.shape
    fields = []
    for s, g, seed in zip(sigma, gray, seeds, strict=True):
        gen = generator_from_seed(int(seed))
        f = torch.randn((1 if g else c, h, w), generator=gen, dtype=torch.float32)
        fields.append(f.expand(c, h, w) * (float(s) / 255.0))
    noise = torch.stack(fields).to(x.device)
    return (x + noise).clamp_(0.0, 1.0)


class GaussianNoiseConfig(DegraderConfig):
    sigma: Annotated[FloatRange, within(ge=0, name="σ")] = pydantic.Field(
        default=(1.0, 30.0), description="σ on the 0–255 scale, or [low, high]")
    gray_prob: float = pydantic.Field(
        default=0.0, ge=0.0, le=1.0, description="probability of gray (channel-shared) noise")


class GaussianNoise(Degrader):
    """Additive Gaussian noise. Params: ``{"sigma": float, "gray": bool, "seed": int}``."""

    name = "gaussian_noise"
    Config = GaussianNoiseConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: GaussianNoiseConfig = self.config  # type: ignore[assignment]
        self.sigma, self.gray_prob = cfg.sigma, cfg.gray_prob

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [
            {"sigma": draw_float(g, self.sigma), "gray": bernoulli(g, self.gray_prob),
             "seed": draw_seed(g)}
            for g in generators
        ]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return gaussian_noise(hr, [p["sigma"] for p in params], [p["gray"] for p in params],
                              [p["seed"] for p in params])


# Luma weights of torchvision's ``rgb_to_grayscale`` (used by BasicSR's gray Poisson noise).
_GRAY_WEIGHTS = (0.2989, 0.587, 0.114)


def _quantize(x: Tensor) -> Tensor:
    return (x * 255.0).round().clamp(0, 255) / 255.0


def _poisson_levels(x: Tensor) -> float:
    """2^ceil(log2(number of distinct values)) of an 8-bit-quantised image: BasicSR's
    photon-count scale (distinct values counted with a 256-bin histogram)."""
    codes = (x * 255.0).round().to(torch.int64).flatten()
    distinct = int((torch.bincount(codes, minlength=256) > 0).sum())
    return float(2 ** math.ceil(math.log2(max(1, distinct))))


def poisson_noise(x: Tensor, scale: Sequence[float], gray: Sequence[bool],
                  seeds: Sequence[int]) -> Tensor:
    """Real-ESRGAN shot noise (BasicSR ``add_poisson_noise_pt``, clip, no rounding).

    Each sample is quantised to 8 bits, counted in ``L = 2^ceil(log2(#values))`` levels,
    Poisson-resampled, and the difference times ``scale`` added; gray noise resamples the
    luma image and adds the same difference to all channels. x: N×3×H×W.
    """
    out = []
    for img, s, g, seed in zip(x.detach().cpu(), scale, gray, seeds, strict=True):
        gen = generator_from_seed(int(seed))
        if g:
            w = torch.tensor(_GRAY_WEIGHTS, dtype=img.dtype).view(3, 1, 1)
            base = _quantize((img * w).sum(0, keepdim=True))
        else:
            base = _quantize(img)
        levels = _poisson_levels(base)
        noise = torch.poisson(base * levels, generator=gen) / levels - base
        out.append(img + float(s) * noise.expand_as(img))
    return torch.stack(out).to(x.device).clamp_(0.0, 1.0)


def signal_dependent_noise(x: Tensor, shot: Tensor, read_var: Tensor,
                           seeds: Sequence[int]) -> Tensor:
    """``x + sqrt(shot·x + read_var)·n``, n ~ N(0, 1) per element of x (N×C×H×W), each
    sample's field drawn on the CPU from its seed. ``shot`` and ``read_var`` broadcast against
    x: N×1×1×1 per sample, N×C×1×1 per channel, N×1×H×W per pixel (a mosaic). Not clamped."""
    _, c, h, w = x.shape
    fields = torch.stack([
        torch.randn((c, h, w), generator=generator_from_seed(int(seed)), dtype=torch.float32)
        for seed in seeds]).to(x.device)
    return x + torch.sqrt(shot * x.clamp(min=0) + read_var) * fields


def poisson_gaussian_noise(x: Tensor, shot: Sequence[float], read: Sequence[float],
                           seeds: Sequence[int]) -> Tensor:
    """Camera noise: x + sqrt(a·x + (σ_read/255)²)·n, n ~ N(0, 1) per pixel and channel
    (the heteroscedastic Gaussian model of a Poisson–Gaussian sensor). ``shot`` is a (variance
    per unit signal, [0, 1] units), ``read`` σ on the 0–255 scale, one of each per sample.
    Clamped to [0, 1]."""
    n = x.shape[0]
    a = torch.tensor(list(shot), dtype=x.dtype, device=x.device).view(n, 1, 1, 1)
    b = (torch.tensor(list(read), dtype=x.dtype, device=x.device).view(n, 1, 1, 1) / 255.0) ** 2
    return signal_dependent_noise(x, a, b, seeds).clamp_(0.0, 1.0)


def correlated_gaussian_field(h: int, w: int, level: float, gen: torch.Generator) -> Tensor:
    """BSRGAN's channel-correlated noise: N(0, |L²·Uᵀ D U|) per pixel with D = diag(U[0,1]³),
    U an orthonormal basis of a uniform 3×3 matrix and L = level/255. Returns 3×H×W."""
    d = torch.diag(torch.rand(3, generator=gen, dtype=torch.float64))
    u = torch.linalg.svd(torch.rand(3, 3, generator=gen, dtype=torch.float64))[0]
    cov = ((level / 255.0) ** 2 * (u.T @ d @ u)).abs()
    # Like numpy's multivariate_normal: factor through the SVD (|cov| need not be PSD).
    _, s, vt = torch.linalg.svd(cov)
    factor = s.sqrt()[:, None] * vt
    z = torch.randn(h * w, 3, generator=gen, dtype=torch.float64)
    return (z @ factor).T.reshape(3, h, w).to(torch.float32)


class PoissonNoiseConfig(DegraderConfig):
    scale: Annotated[FloatRange, within(ge=0, name="scale")] = pydantic.Field(
        default=(0.05, 3.0), description="noise scale")
    gray_prob: float = pydantic.Field(default=0.0, ge=0.0, le=1.0)


class PoissonNoise(Degrader):
    """Real-ESRGAN shot noise. Params: ``{"scale": float, "gray": bool, "seed": int}``."""

    name = "poisson_noise"
    Config = PoissonNoiseConfig

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        c: Any = self.config
        return [{"scale": draw_float(g, c.scale), "gray": bernoulli(g, c.gray_prob),
                 "seed": draw_seed(g)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return poisson_noise(hr, [p["scale"] for p in params], [p["gray"] for p in params],
                             [p["seed"] for p in params])


class CameraNoiseConfig(DegraderConfig):
    shot: Annotated[FloatRange, within(ge=0, name="shot")] = pydantic.Field(
        default=(0.0005, 0.01), description="signal-dependent variance per unit signal")
    read: Annotated[FloatRange, within(ge=0, name="read")] = pydantic.Field(
        default=(0.5, 4.0), description="read noise σ (0–255)")


class CameraNoise(Degrader):
    """Poisson–Gaussian sensor noise, variance a·x + (σ_read/255)².
    Params: ``{"shot": a, "read": σ_read, "seed": int}``."""

    name = "camera_noise"
    Config = CameraNoiseConfig

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        c: Any = self.config
        return [{"shot": uniform(g, *c.shot), "read": uniform(g, *c.read),
                 "seed": draw_seed(g)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return poisson_gaussian_noise(hr, [p["shot"] for p in params],
                                      [p["read"] for p in params], [p["seed"] for p in params])

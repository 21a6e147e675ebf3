"""Additive Gaussian noise with a per-sample σ on the 0–255 scale: ``gaussian_noise``
(functional) and the ``GaussianNoise`` degrader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pydantic
import torch
from torch import Tensor

from ..interfaces import Degrader, DegraderConfig, SampleParams
from ..ranges import FloatRange, draw_float
from ..seeding import bernoulli, draw_seed, generator_from_seed


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
    sigma: FloatRange = pydantic.Field(
        default=(1.0, 30.0), description="σ on the 0–255 scale, or [low, high]")
    gray_prob: float = pydantic.Field(
        default=0.0, ge=0.0, le=1.0, description="probability of gray (channel-shared) noise")

    @pydantic.field_validator("sigma")
    @classmethod
    def _non_negative(cls, v: tuple[float, float]) -> tuple[float, float]:
        if v[0] < 0:
            raise ValueError("σ must be ≥ 0")
        return v


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

"""Tiny learned components of each kind, for weight tests (registered by ``toy_plugin``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor, nn

import degsdk
from degsdk.seeding import draw_seed, generator_from_seed


class ToyBlurConfig(degsdk.DegraderConfig):
    kernel_size: int = pydantic.Field(default=5, ge=1)
    noise_sigma: float = pydantic.Field(default=2.0, ge=0)


class ToyLearnedBlur(degsdk.Degrader, degsdk.PretrainedMixin):
    """A learned blur kernel plus Gaussian noise; ``noise_sigma`` is a runtime option."""

    name = "toy_learned_blur"
    Config = ToyBlurConfig
    runtime_params = ("noise_sigma",)

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        k = self.config.kernel_size  # type: ignore[attr-defined]
        self.kernel = nn.Parameter(torch.full((1, 1, k, k), 1.0 / (k * k)))

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{"seed": draw_seed(g)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        k = self.kernel.shape[-1]
        x = F.conv2d(F.pad(hr, (k // 2,) * 4, mode="replicate"),
                     self.kernel.expand(3, 1, k, k), groups=3)
        sigma = self.config.noise_sigma / 255  # type: ignore[attr-defined]
        noise = torch.stack([torch.randn(hr.shape[1:], generator=generator_from_seed(p["seed"]))
                             for p in params])
        return (x + sigma * noise).clamp(0, 1).detach()


class ToySR(degsdk.SRModel, degsdk.PretrainedMixin):
    name = "toy_sr"

    def __init__(self, scale: int = 2, channels: int = 8) -> None:
        super().__init__()
        self.scale = scale
        self.body = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1), nn.ReLU(),
                                  nn.Conv2d(channels, 3 * scale * scale, 3, padding=1))

    def forward(self, lr: Tensor) -> Tensor:
        return F.pixel_shuffle(self.body(lr), self.scale)


class ToyFeatures(degsdk.Extractor, degsdk.PretrainedMixin):
    name = "toy_features"

    def __init__(self, dim: int = 16) -> None:
        super().__init__()
        self.dim = dim
        self.conv = nn.Conv2d(3, dim, 3, padding=1)

    def forward(self, images: Tensor) -> Tensor:
        return self.conv(images).mean(dim=(2, 3))


class ToyPlugin:
    @degsdk.hookimpl
    def degsdk_register_degraders(self, register: Any) -> None:
        register(ToyLearnedBlur.name, ToyLearnedBlur)

    @degsdk.hookimpl
    def degsdk_register_sr_models(self, register: Any) -> None:
        register(ToySR.name, ToySR)

    @degsdk.hookimpl
    def degsdk_register_extractors(self, register: Any) -> None:
        register(ToyFeatures.name, ToyFeatures)


def randomize(module: nn.Module, seed: int = 0) -> nn.Module:
    """Give every parameter distinct, reproducible values (so round trips are meaningful)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.rand(p.shape, generator=g) * 0.1)
    return module

"""Gaussian blur with a per-sample σ: ``gaussian_kernel1d``/``gaussian_blur2d`` (functional)
and the ``GaussianBlur`` degrader."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
from torch import Tensor

from .._filtering import filter2d, filter_separable, gaussian_kernel1d
from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange, within
from ..seeding import draw_float
from ._kernels import MixedKernels, is_separable, kernel_from_params


def gaussian_blur2d(x: Tensor, sigma: Tensor, kernel_size: int) -> Tensor:
    """Isotropic Gaussian blur with one σ per sample.

    x: N×C×H×W float; sigma: (N,) in pixels; kernel_size: odd. Reflect padding (the edge pixel
    is not repeated, as scipy.ndimage's ``mode="mirror"``).
    """
    return filter_separable(x, gaussian_kernel1d(sigma.to(x.device), kernel_size))


def auto_kernel_size(sigma_max: float) -> int:
    """The odd size covering ±3σ: ``2·ceil(3σ) + 1``."""
    return 2 * math.ceil(3 * sigma_max) + 1


class GaussianBlurConfig(DegraderConfig):
    sigma: Annotated[FloatRange, within(gt=0, name="σ"),
                     pydantic.Field(description="σ in pixels, or [low, high]")] = (0.2, 3.0)
    kernel_size: int | None = pydantic.Field(
        default=None, description="odd kernel size; default 2·ceil(3·σ_max)+1")

    @pydantic.field_validator("kernel_size")
    @classmethod
    def _odd(cls, v: int | None) -> int | None:
        if v is not None and (v < 3 or v % 2 == 0):
            raise ValueError("kernel_size must be an odd integer ≥ 3")
        return v


class GaussianBlur(Degrader):
    """Isotropic Gaussian blur; σ drawn per sample from ``sigma``. Params: ``{"sigma": float}``.
    """

    name = "gaussian_blur"
    Config = GaussianBlurConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: GaussianBlurConfig = self.config  # type: ignore[assignment]
        self.sigma = cfg.sigma
        self.kernel_size = cfg.kernel_size or auto_kernel_size(cfg.sigma[1])

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"sigma": draw_float(g, self.sigma)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        sigma = torch.tensor([float(p["sigma"]) for p in params], dtype=torch.float64)
        return gaussian_blur2d(hr, sigma, self.kernel_size).clamp_(0.0, 1.0)


def blur_with(x: Tensor, params: list[dict[str, Any]]) -> Tensor:
    """Filter each sample of N×C×H×W with the kernel its params describe (reflect padding).

    Samples are grouped by kernel size; isotropic Gaussians run separably, pulses are
    skipped; the rest as dense per-sample kernels, at their own size (not padded).
    """
    groups: dict[tuple[str, int], list[int]] = {}
    for i, p in enumerate(params):
        if p["type"] == "pulse":
            continue
        key = ("sep" if is_separable(p) else "dense", int(p["size"]))
        groups.setdefault(key, []).append(i)

    def run(kind: str, size: int, idx: list[int]) -> Tensor:
        xs = x if len(idx) == x.shape[0] else x[idx]
        if kind == "sep":
            sig = torch.tensor([float(params[i]["sigma_x"]) for i in idx], dtype=torch.float64)
            return filter_separable(xs, gaussian_kernel1d(sig, size))
        return filter2d(xs, torch.stack([kernel_from_params(params[i]) for i in idx]))

    if len(groups) == 1 and len(next(iter(groups.values()))) == x.shape[0]:
        (kind, size), idx = next(iter(groups.items()))
        return run(kind, size, idx)
    out = x.clone()
    for (kind, size), idx in groups.items():
        out[idx] = run(kind, size, idx)
    return out


class KernelBlurConfig(MixedKernels):
    pass


class KernelBlur(Degrader):
    """Blur with a random kernel per sample: Gaussian (iso/aniso), generalized Gaussian,
    plateau or sinc, with Real-ESRGAN's type probabilities and ranges by default.
    Params: the kernel's parameters, e.g. ``{"type": "aniso", "size": 13, "sigma_x": 1.2,
    "sigma_y": 2.0, "theta": 0.3}``."""

    name = "kernel_blur"
    Config = KernelBlurConfig

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        cfg: Any = self.config
        return [cfg.draw(g) for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return blur_with(hr, list(params)).clamp_(0.0, 1.0)

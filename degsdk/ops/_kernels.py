"""Blur kernels: Gaussian (isotropic/anisotropic), generalized Gaussian, plateau, sinc
(circular low-pass) and pulse, plus per-sample random draws of mixed kernel types with the
parameter distributions of Real-ESRGAN (BasicSR ``random_mixed_kernels``).

Kernels are built in float64 and returned as float32 (k, k) tensors that sum to 1. The grid is
centred: entry ``[r, c]`` sits at ``y = r - k//2``, ``x = c - k//2``; ``theta`` rotates the
first axis (σx) from +x towards +y.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import pydantic
import torch
from torch import Tensor

from .._errors import InputError
from .._interfaces import DegraderConfig
from .._ranges import FloatRange, within
from ..seeding import choice, uniform

KernelType = Literal["iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso",
                     "plateau_aniso"]
KERNEL_TYPES: tuple[str, ...] = ("iso", "aniso", "generalized_iso", "generalized_aniso",
                                 "plateau_iso", "plateau_aniso")


def _grid(size: int) -> tuple[Tensor, Tensor]:
    if size < 1 or size % 2 == 0:
        raise InputError(f"kernel size must be a positive odd integer, got {size}")
    ax = torch.arange(size, dtype=torch.float64) - size // 2
    yy, xx = torch.meshgrid(ax, ax, indexing="ij")
    return xx, yy


def _mahalanobis2(size: int, sigma_x: float, sigma_y: float, theta: float) -> Tensor:
    """xᵀ Σ⁻¹ x on the grid, Σ = R diag(σx², σy²) Rᵀ with R the rotation by ``theta``."""
    xx, yy = _grid(size)
    c, s = math.cos(theta), math.sin(theta)
    u = c * xx + s * yy  # coordinate along the σx axis
    v = -s * xx + c * yy  # along the σy axis
    return (u / sigma_x) ** 2 + (v / sigma_y) ** 2


def _normalise(k: Tensor) -> Tensor:
    return (k / k.sum()).to(torch.float32)


def gaussian_kernel(size: int, sigma_x: float, sigma_y: float | None = None,
                    theta: float = 0.0) -> Tensor:
    """Bivariate Gaussian ``exp(-½ xᵀΣ⁻¹x)``; isotropic when ``sigma_y`` is None."""
    return _normalise(torch.exp(-0.5 * _mahalanobis2(size, sigma_x, sigma_y or sigma_x, theta)))


def generalized_gaussian_kernel(size: int, sigma_x: float, sigma_y: float | None,
                                theta: float, beta: float) -> Tensor:
    """Generalized Gaussian ``exp(-½ (xᵀΣ⁻¹x)^β)`` (β = 1 is the Gaussian)."""
    d2 = _mahalanobis2(size, sigma_x, sigma_y or sigma_x, theta)
    return _normalise(torch.exp(-0.5 * d2**beta))


def plateau_kernel(size: int, sigma_x: float, sigma_y: float | None, theta: float,
                   beta: float) -> Tensor:
    """Plateau-shaped ``1 / (1 + (xᵀΣ⁻¹x)^β)``."""
    d2 = _mahalanobis2(size, sigma_x, sigma_y or sigma_x, theta)
    return _normalise(1.0 / (1.0 + d2**beta))


def sinc_kernel(size: int, omega_c: float) -> Tensor:
    """Circular low-pass (2-D sinc) with cutoff ``omega_c`` in radians (π = Nyquist):
    ``ω J1(ω r) / (2π r)``, centre value ``ω² / 4π``."""
    xx, yy = _grid(size)
    r = torch.sqrt(xx**2 + yy**2)
    safe = torch.where(r == 0, torch.ones_like(r), r)
    k = omega_c * torch.special.bessel_j1(omega_c * safe) / (2 * math.pi * safe)
    k = torch.where(r == 0, torch.full_like(r, omega_c**2 / (4 * math.pi)), k)
    return _normalise(k)


def pulse_kernel(size: int = 1) -> Tensor:
    """The identity kernel (1 at the centre)."""
    k = torch.zeros(size, size, dtype=torch.float64)
    k[size // 2, size // 2] = 1.0
    return k.to(torch.float32)


def pad_kernel(kernel: Tensor, size: int) -> Tensor:
    """Zero-pad a (k, k) kernel to (size, size), centred."""
    p = (size - kernel.shape[-1]) // 2
    return torch.nn.functional.pad(kernel, (p, p, p, p)) if p > 0 else kernel


def kernel_from_params(p: dict[str, Any]) -> Tensor:
    """Build the kernel described by a drawn-parameter dict (see ``MixedKernels.draw``)."""
    t, size = p["type"], int(p["size"])
    if t == "sinc":
        return sinc_kernel(size, float(p["omega_c"]))
    if t == "pulse":
        return pulse_kernel(size)
    sx = float(p["sigma_x"])
    sy = float(p.get("sigma_y") or sx)
    theta = float(p.get("theta", 0.0))
    if t in ("iso", "aniso"):
        return gaussian_kernel(size, sx, sy, theta)
    if t.startswith("generalized"):
        return generalized_gaussian_kernel(size, sx, sy, theta, float(p["beta"]))
    if t.startswith("plateau"):
        return plateau_kernel(size, sx, sy, theta, float(p["beta"]))
    raise InputError(f"unknown kernel type {t!r}; expected one of {(*KERNEL_TYPES, 'sinc')}")


def is_separable(p: dict[str, Any]) -> bool:
    """True for kernels that factor into a row and a column filter (isotropic Gaussian,
    pulse)."""
    return p["type"] in ("iso", "pulse")


class MixedKernels(DegraderConfig):
    """A distribution over blur kernels, as Real-ESRGAN's ``random_mixed_kernels`` plus its
    sinc branch. Defaults are Real-ESRGAN x4plus's first-stage kernel."""

    sizes: list[int] = pydantic.Field(
        default_factory=lambda: list(range(7, 22, 2)), description="odd sizes, drawn uniformly")
    types: list[KernelType] = pydantic.Field(default_factory=lambda: list(KERNEL_TYPES))
    probs: list[pydantic.NonNegativeFloat] = pydantic.Field(
        default_factory=lambda: [0.45, 0.25, 0.12, 0.03, 0.12, 0.03])
    sigma: Annotated[FloatRange, within(gt=0, name="sigma")] = (0.2, 3.0)
    beta_g: FloatRange = (0.5, 4.0)
    beta_p: FloatRange = (1.0, 2.0)
    sinc_prob: float = pydantic.Field(default=0.1, ge=0, le=1)

    @pydantic.model_validator(mode="after")
    def _check(self) -> MixedKernels:
        if not self.sizes or any(s < 1 or s % 2 == 0 for s in self.sizes):
            raise ValueError(f"sizes must be odd positive integers, got {self.sizes}")
        if len(self.types) != len(self.probs) or not self.types or sum(self.probs) <= 0:
            raise ValueError("types and probs must be non-empty lists of the same length with "
                             "a positive sum")
        return self

    def draw(self, g: torch.Generator) -> dict[str, Any]:
        """One kernel's parameters from generator ``g`` (JSON values)."""
        size = self.sizes[choice(g, [1.0] * len(self.sizes))]
        if uniform(g, 0.0, 1.0) < self.sinc_prob:
            low = math.pi / 3 if size < 13 else math.pi / 5
            return {"type": "sinc", "size": size, "omega_c": uniform(g, low, math.pi)}
        t = self.types[choice(g, self.probs)]
        p: dict[str, Any] = {"type": t, "size": size,
                             "sigma_x": uniform(g, *self.sigma)}
        if t.endswith("aniso"):
            p["sigma_y"] = uniform(g, *self.sigma)
            p["theta"] = uniform(g, -math.pi, math.pi)
        if t.startswith(("generalized", "plateau")):
            lo, hi = self.beta_g if t.startswith("generalized") else self.beta_p
            # As BasicSR: half the draws below β = 1, half above (for a range around 1).
            p["beta"] = uniform(g, lo, min(1.0, hi)) if uniform(g, 0, 1) < 0.5 else uniform(
                g, max(1.0, lo), hi)
        return p


def final_sinc_draw(g: torch.Generator, sizes: list[int], prob: float) -> dict[str, Any]:
    """Real-ESRGAN's final filter: with probability ``prob`` a sinc of cutoff U[π/3, π] and a
    random size, otherwise a pulse (no filtering)."""
    if uniform(g, 0.0, 1.0) < prob:
        size = sizes[choice(g, [1.0] * len(sizes))]
        return {"type": "sinc", "size": size, "omega_c": uniform(g, math.pi / 3, math.pi)}
    return {"type": "pulse", "size": 1}


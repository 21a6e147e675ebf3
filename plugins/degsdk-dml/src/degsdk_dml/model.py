"""``dml``: the learned DML degradation as a degsdk Degrader.

LR = ↓_scale( Σ_m C(m) ⊙ (HR ⋆ φ_m) ) + AWGN, with M basis kernels φ_m (K×K, each a softmax
over its K² taps: non-negative and summing to 1) and the weight maps C = F(HR) of
``WeightNet``. ``noise_sigma`` (0–255 scale, paper §3.3: 5) is a runtime option: the weights
fix everything else. Per-sample params: ``{"noise_seed"}`` (absent when ``noise_sigma`` is 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pydantic
import torch
from torch import Tensor, nn

from degsdk import Degrader, DegraderConfig, PretrainedMixin, SampleParams
from degsdk.seeding import draw_seed, generator_from_seed

from .basis_blur import basis_blur
from .weight_net import WeightNet


class DMLConfig(DegraderConfig):
    scale: int = pydantic.Field(default=1, ge=1, le=4, description="1 = aligned pairs")
    num_kernels: int = pydantic.Field(default=8, ge=1, le=64, description="M")
    kernel_size: int = pydantic.Field(default=15, ge=1, le=41, description="K (odd)")
    width: int = pydantic.Field(default=16, ge=2, le=256, description="WeightNet width")
    levels: int = pydantic.Field(default=2, ge=0, le=5, description="WeightNet poolings")
    noise_sigma: float = pydantic.Field(default=5.0, ge=0, le=255,
                                        description="AWGN σ on the 0–255 scale; 0 disables")
    version: Literal["1", "2"] = pydantic.Field(
        default="2", description="2: the batch runs as one batch (outputs within "
        "batch_tolerance of a sample run alone); 1: one sample at a time (bit-identical in "
        "any batch, slower)")

    @pydantic.field_validator("kernel_size")
    @classmethod
    def _odd(cls, v: int) -> int:
        if v % 2 == 0:
            raise ValueError(f"kernel_size must be odd, got {v}")
        return v


def gaussian_logits(num: int, size: int, generator: torch.Generator) -> Tensor:
    """Initial kernel logits: isotropic Gaussians with σ spread geometrically over
    [0.4, 0.2·K] (so the basis starts as blurs of every width), plus N(0, 0.1²) noise."""
    r = torch.arange(size, dtype=torch.float32) - size // 2
    r2 = r[:, None] ** 2 + r[None, :] ** 2
    hi = max(0.5, 0.2 * size)
    sigmas = torch.tensor([0.4 * (hi / 0.4) ** (i / max(num - 1, 1)) for i in range(num)])
    logits = -r2[None] / (2 * sigmas[:, None, None] ** 2)
    return logits + 0.1 * torch.randn(logits.shape, generator=generator)


class DML(Degrader, PretrainedMixin):
    """The DML degradation model; see the module doc. ``predict`` is the differentiable
    noise-free LR used in training."""

    name = "dml"
    Config = DMLConfig
    runtime_params = ("noise_sigma", "version")
    batch_tolerance = 1e-5  # measured ≤ 3e-7 on CPU (float32 rounding of batched convolutions)

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: DMLConfig = self.config  # type: ignore[assignment]
        c = self.cfg
        with torch.random.fork_rng(devices=[]):  # layer constructors draw from the global RNG
            self.net = WeightNet(c.num_kernels, c.width, c.levels)
        self.kernel_logits = nn.Parameter(torch.zeros(c.num_kernels, c.kernel_size,
                                                      c.kernel_size))
        self.reset_parameters(torch.Generator().manual_seed(0))
        self.eval()

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Initialise everything from ``generator`` (never the global RNG)."""
        self.net.reset_parameters(generator)
        with torch.no_grad():
            self.kernel_logits.copy_(gaussian_logits(self.cfg.num_kernels,
                                                     self.cfg.kernel_size, generator))

    @property
    def scale(self) -> float:
        return float(self.cfg.scale)

    def kernels(self) -> Tensor:
        """The basis kernels φ, M×K×K, each non-negative and summing to 1."""
        m, k, _ = self.kernel_logits.shape
        return torch.softmax(self.kernel_logits.reshape(m, k * k), dim=1).reshape(m, k, k)

    def weight_maps(self, hr: Tensor) -> Tensor:
        """The per-pixel combination weights C = F(HR), N×M×H×W in (0, 1)."""
        return self.net(hr)

    def predict(self, hr: Tensor) -> Tensor:
        """The noise-free LR, N×3×(H/scale)×(W/scale), differentiable (not clamped)."""
        return basis_blur(hr, self.kernels(), self.weight_maps(hr), self.cfg.scale)

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        if self.cfg.noise_sigma == 0:
            return [{} for _ in generators]
        return [{"noise_seed": draw_seed(g)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        x = hr.to(self.kernel_logits.device)
        with torch.no_grad():
            if self.cfg.version == "1":  # bit-identical in any batch
                lr = torch.cat([self.predict(x[i : i + 1]) for i in range(x.shape[0])])
            else:  # batched: within batch_tolerance of each sample alone
                lr = self.predict(x)
            sigma = self.cfg.noise_sigma / 255.0
            if sigma > 0:
                noise = torch.stack([
                    torch.randn(lr.shape[1:], generator=generator_from_seed(p["noise_seed"]))
                    for p in params]).to(lr.device)
                lr = lr + sigma * noise
        return lr.clamp(0, 1).to(hr.device, torch.float32)

"""``deflow``: DeFlow (Wolf et al., CVPR 2021) as a degsdk Degrader.

One conditional flow f(·; h) maps clean and degraded images to latents; clean latents are
N(0, I), degraded ones N(μ_u, I + Σ_u) (per latent, the same at every position). A clean image
x is degraded by eq. 40:

    y = f⁻¹( f(x; h(x)) + τ·u ; h(x) ),   u ~ N(μ_u, Σ_u),   h(x) = bicubic↓_k(x) + N(0, σ²)

so τ = 0 returns x. The output has the input's size (scale 1): compose it after a downscale to
make LR images. Per-sample params: ``{"seed", "temperature"}`` (the seed drives h's noise and
u). Inputs whose sides are not multiples of ``size_multiple`` are reflect-padded and cropped
back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from degsdk import Degrader, DegraderConfig, PretrainedMixin, SampleParams
from degsdk.nn.flow import ConditionalFlow, dequantize
from degsdk.nn.rrdb import RRDBEncoder
from degsdk.seeding import draw_seed, generator_from_seed

from .condition import domain_invariant_condition
from .latent_shift import LatentShift

PRESETS: dict[str, dict[str, Any]] = {
    # trains on 2 CPU cores in under an hour
    "tiny": {"levels": 3, "flow_steps": 4, "hidden": 32, "nf": 16, "blocks": 2, "gc": 8},
    # the paper's (NTIRE/DPED: hidden 64; AIM: 128), RRDB 23 blocks of 64 channels
    "paper": {"levels": 3, "flow_steps": 16, "hidden": 64, "nf": 64, "blocks": 23, "gc": 32},
}


class DeFlowConfig(DegraderConfig):
    levels: int = pydantic.Field(default=3, ge=1, le=5, description="L")
    flow_steps: int = pydantic.Field(default=4, ge=1, le=32, description="K flow steps per level")
    hidden: int = pydantic.Field(default=32, ge=4, le=512, description="coupling width")
    nf: int = pydantic.Field(default=16, ge=4, le=256, description="RRDB encoder width")
    blocks: int = pydantic.Field(default=2, ge=1, le=32, description="RRDB blocks")
    gc: int = pydantic.Field(default=8, ge=2, le=128, description="RRDB growth channels")
    cond_down: int = pydantic.Field(default=4, description="h's bicubic factor k (2, 4, 8, 16)")
    cond_sigma: float = pydantic.Field(default=0.03, ge=0, le=1,
                                       description="h's noise std on the [0, 1] scale")
    eps: float = pydantic.Field(default=1e-3, gt=0, le=0.1, description="coupling scale floor")
    shift_init: float = pydantic.Field(default=0.01, gt=0, le=1,
                                       description="M = shift_init·I at init")
    bins: int = pydantic.Field(default=32, ge=2, le=256, description="dequantisation bins")
    normalize: bool = pydantic.Field(default=False,
                                     description="map the degraded domain to clean channel "
                                     "statistics (paper §5.4, AIM)")
    temperature: float = pydantic.Field(default=1.0, ge=0, le=10,
                                        description="τ: scales the latent shift u (eq. 40)")
    version: Literal["1", "2"] = pydantic.Field(
        default="2", description="2: the batch runs as one batch (outputs within "
        "batch_tolerance of a sample run alone); 1: one sample at a time (bit-identical in "
        "any batch, slower)")

    @pydantic.field_validator("cond_down")
    @classmethod
    def _power_of_two(cls, v: int) -> int:
        if v not in (2, 4, 8, 16):
            raise ValueError(f"cond_down must be 2, 4, 8 or 16, got {v}")
        return v


class DeFlow(Degrader, PretrainedMixin):
    """The DeFlow model and degrader; see the module doc. Training uses
    :meth:`log_likelihood` (unpaired, eq. 7) and :meth:`paired_log_likelihood` (eq. 5)."""

    name = "deflow"
    Config = DeFlowConfig
    runtime_params = ("temperature", "version")
    batch_tolerance = 1e-5  # measured ≤ 1e-6 on CPU (float32 rounding of batched kernels)

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: DeFlowConfig = self.config  # type: ignore[assignment]
        self.encoder, self.flow, self.shifts = self._layers(torch.Generator().manual_seed(0))
        # channel statistics (row 0: clean, row 1: degraded), used when ``normalize``
        self.register_buffer("domain_mean", torch.zeros(2, 3))
        self.register_buffer("domain_std", torch.ones(2, 3))
        self.eval()

    def _layers(self, generator: torch.Generator
                ) -> tuple[RRDBEncoder, ConditionalFlow, nn.ModuleList]:
        """New encoder, flow and latent shifts, initial weights drawn from ``generator``."""
        c = self.cfg
        upsample = max(0, (c.cond_down // 2).bit_length() - 1)
        encoder = RRDBEncoder(3, c.nf, c.blocks, c.gc, upsample=upsample, generator=generator)
        flow = ConditionalFlow(3, c.levels, c.flow_steps, encoder.out_channels, c.hidden, c.eps,
                               generator=generator)
        m = self.size_multiple
        shifts = nn.ModuleList(LatentShift(ch, c.shift_init)
                               for ch, _, _ in flow.latent_shapes(m, m))
        return encoder, flow, shifts

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Re-initialise every parameter from ``generator`` only (never the global RNG), in
        place, and reset the domain statistics."""
        for mine, fresh in zip((self.encoder, self.flow, self.shifts), self._layers(generator),
                               strict=True):
            mine.load_state_dict(fresh.state_dict())
        self.domain_mean.zero_()
        self.domain_std.fill_(1.0)

    @property
    def scale(self) -> float:
        return 1.0

    @property
    def size_multiple(self) -> int:
        """Image sides must be multiples of this (2^L and the condition factor)."""
        return max(2 ** self.cfg.levels, self.cfg.cond_down)

    # -- the model ------------------------------------------------------------------------
    def conditions(self, x: Tensor, generators: Sequence[torch.Generator]) -> list[Tensor]:
        """The encoder's feature map for every flow level, from h(x)."""
        h = domain_invariant_condition(x, self.cfg.cond_down, self.cfg.cond_sigma, generators)
        return self.encoder(h, self.flow.level_sizes(*x.shape[-2:]))

    def to_degraded_stats(self, y: Tensor) -> Tensor:
        """Clean-domain statistics → degraded-domain statistics (identity unless
        ``normalize``)."""
        if not self.cfg.normalize:
            return y
        mc, sc = self.domain_mean[0].view(1, 3, 1, 1), self.domain_std[0].view(1, 3, 1, 1)
        md, sd = self.domain_mean[1].view(1, 3, 1, 1), self.domain_std[1].view(1, 3, 1, 1)
        return ((y - mc) / sc * sd + md).clamp(0, 1)

    def to_clean_stats(self, y: Tensor) -> Tensor:
        """Degraded images mapped to the clean domain's channel statistics (paper §5.4)."""
        if not self.cfg.normalize:
            return y
        mc, sc = self.domain_mean[0].view(1, 3, 1, 1), self.domain_std[0].view(1, 3, 1, 1)
        md, sd = self.domain_mean[1].view(1, 3, 1, 1), self.domain_std[1].view(1, 3, 1, 1)
        return ((y - md) / sd * sc + mc).clamp(0, 1)

    def log_likelihood(self, x: Tensor, degraded: Tensor,
                       generators: Sequence[torch.Generator]) -> Tensor:
        """log p(x | h(x)) per sample (eq. 38), in nats, for a batch mixing both domains:
        ``degraded[i]`` selects the prior N(μ_u, I + Σ_u) over N(0, I). Includes the
        dequantisation term −D·ln(bins). ``x`` must already be in the model's statistics
        (see :meth:`to_clean_stats`)."""
        conds = self.conditions(x, generators)
        xq, const = dequantize(x, self.cfg.bins, generators)
        latents, logdet = self.flow.encode(xq, conds)
        logp = sum(s.log_prob(z, degraded) for s, z in zip(self.shifts, latents, strict=True))
        return logdet + logp + const

    def paired_log_likelihood(self, x: Tensor, y: Tensor,
                              generators: Sequence[torch.Generator]) -> Tensor:
        """log p(y | x) per sample (eq. 5) for aligned pairs: |det Df(y)|·N(f(y); f(x) + μ_u,
        Σ_u), both encoded under h(x); with the dequantisation term."""
        conds = self.conditions(x, generators)
        xq, _ = dequantize(x, self.cfg.bins, generators)
        yq, const = dequantize(y, self.cfg.bins, generators)
        z_x, _ = self.flow.encode(xq, conds)
        z_y, logdet = self.flow.encode(yq, conds)
        logp = sum(s.conditional_log_prob(zy, zx)
                   for s, zy, zx in zip(self.shifts, z_y, z_x, strict=True))
        return logdet + logp + const

    def translate(self, x: Tensor, generators: Sequence[torch.Generator],
                  temperature: float | Sequence[float]) -> Tensor:
        """Eq. 40 for a batch whose sides are multiples of :attr:`size_multiple`: encode
        under h(x), add τ·u per latent, decode under the same h(x); clamp to [0, 1]."""
        taus = ([float(temperature)] * x.shape[0] if isinstance(temperature, int | float)
                else [float(t) for t in temperature])
        conds = self.conditions(x, generators)
        latents, _ = self.flow.encode(x, conds)
        shifted = []
        for shift, z in zip(self.shifts, latents, strict=True):
            u = torch.stack([shift.sample(tuple(z.shape[1:]), g) for g in generators])
            shifted.append(z + z.new_tensor(taus).view(-1, 1, 1, 1) * u)
        y, _ = self.flow.decode(shifted, conds)
        return self.to_degraded_stats(y).clamp(0, 1)

    # -- the Degrader contract ------------------------------------------------------------
    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"seed": draw_seed(g), "temperature": self.cfg.temperature}
                for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        device = self.domain_mean.device
        m = self.size_multiple
        h, w = hr.shape[-2:]
        ph, pw = -h % m, -w % m
        x = hr.to(device)
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="reflect" if min(h, w) > max(ph, pw)
                      else "replicate")
        gens = [generator_from_seed(int(p["seed"])) for p in params]
        taus = [float(p["temperature"]) for p in params]
        with torch.no_grad():
            if self.cfg.version == "1":  # one at a time: bit-identical in any batch
                y = torch.cat([self.translate(x[i : i + 1], gens[i : i + 1], taus[i])
                               for i in range(len(params))])
            else:  # batched: within batch_tolerance of each sample alone
                y = self.translate(x, gens, taus)
        return y[..., :h, :w].to(hr.device, torch.float32)

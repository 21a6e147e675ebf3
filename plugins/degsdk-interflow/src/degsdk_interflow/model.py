"""``interflow``: InterFlow (Park, Kim, Baik, Kim, ICML 2023) as a degsdk Degrader.

A conditional flow z = f(I_s; I_HR) maps an LR image I_s *registered to its HR* (so at HR
size, as RealSR v2 stores it) to a latent, conditioned on the HR image through an RRDB encoder
run on the space-to-depth ×4 HR (the official code's conditioning). Each trained zoom level s
has its own Gaussian N(μ_s, M_s·M_sᵀ) (:class:`~degsdk_interflow.priors.LevelPriors`).

As a degrader it generates from the HR alone (paper §3.1): z is drawn from the level's
Gaussian — between trained levels from the blended parameters, see
:mod:`~degsdk_interflow.level_map` — with temperature τ, and decoded under the HR condition.
Per-sample params: ``{"seed", "level", "temperature"}``; ``level`` is a number or a
``[low, high]`` range drawn per sample (default: the trained range). The output is aligned
(HR size, scale 1); ``downscale: true`` resizes it to the LR grid (HR size / level,
antialiased bicubic) for a fixed level. Levels outside the trained range extrapolate, with a
warning. Inputs whose sides are not multiples of :attr:`InterFlow.size_multiple` are
reflect-padded and cropped back.

The other way the paper generates (eq. 6–7, from captured LR at two levels) is
:meth:`InterFlow.interpolate_captured`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Annotated, Any, Literal

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from degsdk import (
    Degrader,
    DegraderConfig,
    FloatRange,
    InputError,
    PretrainedMixin,
    SampleParams,
    warn_user,
)
from degsdk.nn.flow import ConditionalFlow
from degsdk.nn.rrdb import RRDBEncoder
from degsdk.ops import mirror_pad, resize
from degsdk.seeding import draw_float, draw_seed, generator_from_seed

from .level_map import blend_weight, outside
from .priors import LevelPriors, MeanKind

PRESETS: dict[str, dict[str, Any]] = {
    # trains on 2 CPU cores in well under an hour
    "tiny": {"flow_levels": 2, "flow_steps": 4, "hidden": 32, "nf": 16, "blocks": 2, "gc": 8},
    # the paper's (appendix A, official code): K = 16, L = 2, hidden 64, RRDB 23×64
    "paper": {"flow_levels": 2, "flow_steps": 16, "hidden": 64, "nf": 64, "blocks": 23,
              "gc": 32},
}


class InterFlowConfig(DegraderConfig):
    trained_levels: list[float] = pydantic.Field(
        default_factory=lambda: [2.0, 4.0], min_length=2,
        description="the zoom levels the model was trained on (increasing)")
    flow_levels: int = pydantic.Field(default=2, ge=1, le=4, description="L")
    flow_steps: int = pydantic.Field(default=4, ge=1, le=32, description="K flow steps per "
                                     "level")
    hidden: int = pydantic.Field(default=32, ge=4, le=512, description="coupling width")
    nf: int = pydantic.Field(default=16, ge=4, le=256, description="RRDB encoder width")
    blocks: int = pydantic.Field(default=2, ge=1, le=32, description="RRDB blocks")
    gc: int = pydantic.Field(default=8, ge=2, le=128, description="RRDB growth channels")
    eps: float = pydantic.Field(default=1e-3, gt=0, le=0.1, description="coupling scale floor")
    prior_mean: MeanKind = pydantic.Field(
        default="scalar", description="scalar: one mean per level (official code); channel: "
        "a mean per latent channel (paper text)")
    mean_init: float = pydantic.Field(default=0.1, ge=0, le=10, description="level means "
                                      "start at linspace(−m·⌊n/2⌋, m·⌊n/2⌋, n)")
    std_init: float = pydantic.Field(default=0.1, gt=0, le=10, description="M_s = std_init·I "
                                     "at init")
    bins: int = pydantic.Field(default=256, ge=2, le=65536, description="dequantisation bins")
    scale_bins: list[Annotated[int, pydantic.Field(ge=1, le=64)]] = pydantic.Field(
        default_factory=list, description="[brightness, gradient] bins of the fitted local "
        "latent scale (scale_map.py); empty: none, the paper's prior")
    level_temperatures: list[Annotated[float, pydantic.Field(gt=0, le=10)]] = pydantic.Field(
        default_factory=list, description="τ factor per trained level, fitted on the training "
        "levels (blended between levels like the priors); empty: 1 each")
    calibration: list[tuple[float, float]] = pydantic.Field(
        default_factory=list, description="(level, blend weight) points measured on held-out "
        "captured levels")
    level: Annotated[FloatRange, pydantic.Field(description="zoom level, or [low, high] drawn "
                                                "per sample")] | None = None
    temperature: float = pydantic.Field(default=1.0, ge=0, le=10, description="τ: scales the "
                                        "latent's spread (0: the mean)")
    mapping: Literal["calibrated", "linear"] = pydantic.Field(
        default="calibrated", description="level → blend weight: through the calibration "
        "points when there are any, or linear")
    downscale: bool = pydantic.Field(default=False, description="resize the output to the LR "
                                     "grid (HR size / level; a fixed level only)")

    @pydantic.field_validator("trained_levels")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if any(s <= 0 for s in v) or any(b <= a for a, b in pairwise(v)):
            raise ValueError(f"expected increasing positive levels, got {v}")
        return v

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> InterFlowConfig:
        lo, hi = self.trained_levels[0], self.trained_levels[-1]
        if len(self.scale_bins) not in (0, 2):
            raise ValueError(f"scale_bins {self.scale_bins} must be [] or [brightness bins, "
                             "gradient bins]")
        if self.level_temperatures and (len(self.level_temperatures)
                                        != len(self.trained_levels)):
            raise ValueError(f"level_temperatures {self.level_temperatures} must have one "
                             f"value per trained level {self.trained_levels}")
        for s, w in self.calibration:
            if not lo < s < hi or s in self.trained_levels:
                raise ValueError(f"calibration point level {s} must lie strictly inside a "
                                 f"trained bracket of {self.trained_levels}")
            if not -1 <= w <= 2:
                raise ValueError(f"calibration weight {w} at level {s} is not in [-1, 2]")
        if self.level is not None and self.level[0] <= 0:
            raise ValueError(f"level {_fmt(self.level)} must be positive")
        if self.downscale and (self.level is None or self.level[0] != self.level[1]):
            raise ValueError("downscale: true needs a fixed level (a number), since each level "
                             "has its own LR grid")
        return self


class InterFlow(Degrader, PretrainedMixin):
    """The InterFlow model and degrader; see the module doc. Training uses :meth:`conditions`,
    :meth:`encode` and :meth:`decode` with the losses of :mod:`degsdk_interflow.losses`."""

    name = "interflow"
    Config = InterFlowConfig
    runtime_params = ("level", "temperature", "mapping", "downscale")
    batch_tolerance = 1e-5  # batched float32 kernels round differently per batch size

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: InterFlowConfig = self.config  # type: ignore[assignment]
        self._warned_levels: set[float] = set()
        self.encoder, self.flow, self.priors = self._layers(torch.Generator().manual_seed(0))
        if self.cfg.level is not None and (outside(self.cfg.level[0], self.cfg.trained_levels)
                                           or outside(self.cfg.level[1],
                                                      self.cfg.trained_levels)):
            warn_user(f"interflow: level {_fmt(self.cfg.level)} is outside the trained "
                      f"levels {self.cfg.trained_levels[0]:g}–"
                      f"{self.cfg.trained_levels[-1]:g}: it extrapolates the latent "
                      "priors (expect artefacts, paper Fig. 10)")
            self._warned_levels.update(self.cfg.level)
        self.eval()

    def _layers(self, g: torch.Generator) -> tuple[RRDBEncoder, ConditionalFlow, LevelPriors]:
        c = self.cfg
        encoder = RRDBEncoder(48, c.nf, c.blocks, c.gc, upsample=1, generator=g)
        flow = ConditionalFlow(3, c.flow_levels, c.flow_steps, encoder.out_channels, c.hidden,
                               c.eps, split_levels=(), generator=g)
        priors = LevelPriors(c.trained_levels, self.latent_channels, c.prior_mean,
                             c.mean_init, c.std_init, c.scale_bins)
        return encoder, flow, priors

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Re-initialise every parameter from ``generator`` only, in place."""
        for mine, fresh in zip((self.encoder, self.flow, self.priors), self._layers(generator),
                               strict=True):
            mine.load_state_dict(fresh.state_dict())

    @property
    def latent_channels(self) -> int:
        """C of the single latent: 3·4^L (48 for L = 2)."""
        return 3 * 4 ** self.cfg.flow_levels

    @property
    def size_multiple(self) -> int:
        """Image sides must be multiples of this (the ×4 space-to-depth and 2^L)."""
        return max(4, 2 ** self.cfg.flow_levels)

    @property
    def scale(self) -> float:
        if self.cfg.downscale and self.cfg.level is not None:
            return float(self.cfg.level[0])
        return 1.0

    # -- the model ------------------------------------------------------------------------
    def conditions(self, hr: Tensor) -> list[Tensor]:
        """The encoder's feature map for every flow level, from the space-to-depth ×4 HR."""
        return self.encoder(F.pixel_unshuffle(hr, 4), self.flow.level_sizes(*hr.shape[-2:]))

    def encode(self, lr: Tensor, conds: Sequence[Tensor]) -> tuple[Tensor, Tensor]:
        """Aligned LR N×3×H×W → (z N×C×H/2^L×W/2^L, log|det| per sample)."""
        latents, logdet = self.flow.encode(lr, conds)
        return latents[-1], logdet

    def decode(self, z: Tensor, conds: Sequence[Tensor]) -> Tensor:
        """Latent → aligned LR (not clamped)."""
        return self.flow.decode([z], conds)[0]

    def blend_weight(self, level: float) -> tuple[int, float]:
        """(lower trained level's index, weight) for ``level`` under ``mapping``."""
        cal = self.cfg.calibration if self.cfg.mapping == "calibrated" else ()
        return blend_weight(level, self.cfg.trained_levels, cal)

    def generate(self, hr: Tensor, levels: Sequence[float], temperatures: Sequence[float],
                 generators: Sequence[torch.Generator]) -> Tensor:
        """From HR alone (§3.1), sides multiples of :attr:`size_multiple`: z_i drawn from
        level ``levels[i]``'s (blended) Gaussian at ``temperatures[i]`` with
        ``generators[i]``, decoded under the HR condition; clamped to [0, 1]."""
        return self.decode_prior(hr, [self.blend_weight(v) for v in levels], temperatures,
                                 generators)

    def decode_prior(self, hr: Tensor, blends: Sequence[tuple[int, float]],
                     temperatures: Sequence[float],
                     generators: Sequence[torch.Generator]) -> Tensor:
        """As :meth:`generate`, with each sample's prior given as (lower trained level's
        index, weight) instead of a level. A sample's τ is multiplied by the blended
        ``level_temperatures`` and its spread by the local scale map, when fitted."""
        conds = self.conditions(hr)
        cell = 2 ** self.cfg.flow_levels
        shape = (hr.shape[-2] // cell, hr.shape[-1] // cell)
        zs = []
        for i, ((lower, weight), tau, g) in enumerate(zip(blends, temperatures, generators,
                                                         strict=True)):
            mean, factor = self.priors.blended(lower, weight)
            scale = self.priors.scale_map(hr[i], cell, lower, weight)
            zs.append(self.priors.draw(mean, factor, shape, float(tau) * self.level_temperature(
                lower, weight), g, scale))
        return self.decode(torch.stack(zs), conds).clamp(0, 1)

    def level_temperature(self, lower: int, weight: float) -> float:
        """The fitted τ factor between trained levels ``lower`` and ``lower + 1`` at
        ``weight`` (1 when none is fitted)."""
        t = self.cfg.level_temperatures
        return 1.0 if not t else (1 - float(weight)) * t[lower] + float(weight) * t[lower + 1]

    def interpolate_captured(self, hr: Tensor, lr_low: Tensor, lr_high: Tensor,
                             weight: float | Tensor) -> Tensor:
        """Eq. 6–7: encode the captured LR of two levels under the same HR condition, blend
        the latents (1 − w)·z_low + w·z_high and decode; clamped to [0, 1]. ``weight`` is a
        number or one per sample (N)."""
        conds = self.conditions(hr)
        z_low, _ = self.encode(lr_low, conds)
        z_high, _ = self.encode(lr_high, conds)
        w = torch.as_tensor(weight, dtype=z_low.dtype, device=z_low.device)
        w = w.view(-1, 1, 1, 1) if w.ndim else w
        return self.decode((1 - w) * z_low + w * z_high, conds).clamp(0, 1)

    # -- the Degrader contract ------------------------------------------------------------
    def _level_range(self) -> tuple[float, float]:
        lv = self.cfg.level
        return (float(lv[0]), float(lv[1])) if lv is not None else (
            self.cfg.trained_levels[0], self.cfg.trained_levels[-1])

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        rng = self._level_range()
        out: list[SampleParams] = []
        for g in generators:
            seed = draw_seed(g)
            level = rng[0] if rng[0] == rng[1] else draw_float(g, rng)
            out.append({"seed": seed, "level": level, "temperature": self.cfg.temperature})
        return out

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        levels = [float(p["level"]) for p in params]
        if self.cfg.downscale and any(v != self.scale for v in levels):
            raise InputError(f"interflow: downscale is set for level {self.scale:g}, but the "
                             f"params ask for levels {sorted(set(levels))}")
        far = sorted({v for v in levels if outside(v, self.cfg.trained_levels)}
                     - self._warned_levels)
        if far:  # each level once per model (the constructor warned of a configured one)
            self._warned_levels.update(far)
            warn_user(f"interflow: level{'s' if len(far) > 1 else ''} "
                      f"{', '.join(f'{v:g}' for v in far)} "
                      f"{'are' if len(far) > 1 else 'is'} outside the trained levels "
                      f"{self.cfg.trained_levels[0]:g}–{self.cfg.trained_levels[-1]:g} and "
                      "extrapolate")
        device = self.priors.factors.device
        x = pad_to_multiple(hr.to(device), self.size_multiple)
        h, w = hr.shape[-2:]
        gens = [generator_from_seed(int(p["seed"])) for p in params]
        with torch.no_grad():
            y = self.generate(x, levels, [float(p["temperature"]) for p in params], gens)
        y = y[..., :h, :w]
        if self.cfg.downscale:
            y = resize(y, self.output_size(h, w), "bicubic", antialias=True)
        return y.to(hr.device, torch.float32)


def pad_to_multiple(x: Tensor, m: int) -> Tensor:
    """Mirror-pad the bottom and right of N×C×H×W so both sides are multiples of ``m``."""
    return mirror_pad(x, 0, -x.shape[-1] % m, 0, -x.shape[-2] % m)


def _fmt(level: tuple[float, float]) -> str:
    return f"{level[0]:g}" if level[0] == level[1] else f"[{level[0]:g}, {level[1]:g}]"

"""Real-ESRGAN's second-order degradation (Wang et al., ICCVW 2021) as a degrader,
``realesrgan``, with the defaults of Real-ESRGAN's ``train_realesrnet_x4plus`` options.

Order (per sample): kernel-1 blur → random resize → Gaussian or Poisson noise → JPEG →
[kernel-2 blur, p 0.8] → random resize (relative to the final size) → noise → final stage in
random order: {resize to 1/scale + sinc (or pulse) filter, JPEG} → round to 8 bits.

Differences from the original ``feed_data``, on purpose: every random choice (resize
direction, scale and mode, noise type, final order) is drawn per sample, not once per batch;
JPEG uses the real codec (libjpeg via Pillow) at an integer quality drawn uniformly from the
range instead of DiffJPEG's float quality. The HR sharpening (``gt_usm``) is the separate
``usm`` op, applied to the HR before it is saved and degraded.

The community's variants (traiNNer-redux, neosr; ``degsdk import``) are options: a first-blur
and JPEG probabilities, resize mode lists with probabilities (nearest-exact and Lanczos too),
the final sinc's sizes. At their defaults nothing extra is drawn.

``version`` pins behaviour: changes that alter outputs for a given seed get a new version, and
old versions stay reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from .._errors import InputError
from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange
from ..seeding import bernoulli, draw_seed, randint, uniform
from ._blur import blur_with
from ._jpeg import JPEGQuality, jpeg_compress
from ._kernels import MixedKernels, final_sinc_draw
from ._noise import gaussian_noise, poisson_noise
from ._parallel import map_samples
from ._resample import resample
from ._resize import RESIZE_MODES, ResizeStage, StageMode, check_mode_probs, draw_mode

LATEST_VERSION = "1"


class NoiseStage(DegraderConfig):
    """Gaussian (probability ``gaussian_prob``) or Poisson noise, gray with ``gray_prob``."""

    gaussian_prob: float = pydantic.Field(default=0.5, ge=0, le=1)
    gaussian_sigma: FloatRange = (1.0, 30.0)
    poisson_scale: FloatRange = (0.05, 3.0)
    gray_prob: float = pydantic.Field(default=0.4, ge=0, le=1)

    def draw(self, g: torch.Generator) -> dict[str, Any]:
        if bernoulli(g, self.gaussian_prob):
            p = {"kind": "gaussian", "sigma": uniform(g, *self.gaussian_sigma)}
        else:
            p = {"kind": "poisson", "scale": uniform(g, *self.poisson_scale)}
        return {**p, "gray": bernoulli(g, self.gray_prob), "seed": draw_seed(g)}


def _kernels2() -> MixedKernels:
    return MixedKernels(sigma=(0.2, 1.5))


class RealESRGANConfig(DegraderConfig):
    version: Literal["1"] = LATEST_VERSION
    scale: int = pydantic.Field(default=4, ge=1, le=8)
    kernel1: MixedKernels = pydantic.Field(default_factory=MixedKernels)
    resize1: ResizeStage = pydantic.Field(default_factory=ResizeStage)
    noise1: NoiseStage = pydantic.Field(default_factory=NoiseStage)
    jpeg1: JPEGQuality = (30, 95)
    second_blur_prob: float = pydantic.Field(default=0.8, ge=0, le=1)
    kernel2: MixedKernels = pydantic.Field(default_factory=_kernels2)
    resize2: ResizeStage = pydantic.Field(
        default_factory=lambda: ResizeStage(probs=(0.3, 0.4, 0.3), range=(0.3, 1.2)))
    noise2: NoiseStage = pydantic.Field(
        default_factory=lambda: NoiseStage(gaussian_sigma=(1.0, 25.0),
                                           poisson_scale=(0.05, 2.5)))
    jpeg2: JPEGQuality = (30, 95)
    final_sinc_prob: float = pydantic.Field(default=0.8, ge=0, le=1)
    # Options of the community's variants (traiNNer-redux, neosr). At their defaults nothing
    # extra is drawn, so Real-ESRGAN's draws (and outputs) are unchanged; when set, their
    # draws come after all others, so the other draws stay the same too.
    first_blur_prob: float = pydantic.Field(
        default=1.0, ge=0, le=1, description="probability of the first blur (traiNNer-redux "
        "blur_prob; Real-ESRGAN always blurs)")
    jpeg1_prob: float = pydantic.Field(default=1.0, ge=0, le=1,
                                       description="probability of the first JPEG")
    jpeg2_prob: float = pydantic.Field(default=1.0, ge=0, le=1,
                                       description="probability of the final JPEG")
    final_modes: list[StageMode] = pydantic.Field(
        default_factory=lambda: list(RESIZE_MODES), min_length=1,
        description="modes of the final resize, one drawn per sample")
    final_mode_probs: list[pydantic.NonNegativeFloat] | None = pydantic.Field(
        default=None, description="probability of each final mode (None: equal)")
    final_sinc_sizes: list[int] | None = pydantic.Field(
        default=None, description="odd sizes of the final sinc filter (None: kernel1's)")

    @pydantic.model_validator(mode="after")
    def _check_final(self) -> RealESRGANConfig:
        check_mode_probs(self.final_modes, self.final_mode_probs, "final_mode_probs")
        sizes = self.final_sinc_sizes
        if sizes is not None and (not sizes or any(v < 1 or v % 2 == 0 for v in sizes)):
            raise ValueError(f"final_sinc_sizes must be odd positive integers, got {sizes}")
        return self


def _noise(x: Tensor, p: dict[str, Any]) -> Tensor:
    if p["kind"] == "gaussian":
        return gaussian_noise(x, [p["sigma"]], [p["gray"]], [p["seed"]])
    return poisson_noise(x, [p["scale"]], [p["gray"]], [p["seed"]])


def _jpeg(x: Tensor, quality: int | None) -> Tensor:
    """JPEG at ``quality``; None (a variant's skipped JPEG): unchanged."""
    return x if quality is None else jpeg_compress(x, [quality])


def _resize(x: Tensor, size: tuple[int, int] | None, factor: float | None, mode: str) -> Tensor:
    if mode == "lanczos" and size is None:  # the size F.interpolate gives for a scale factor
        size = (math.floor(x.shape[-2] * float(factor)),  # type: ignore[arg-type]
                math.floor(x.shape[-1] * float(factor)))  # type: ignore[arg-type]
    if size is not None and (size[0] < 1 or size[1] < 1):
        raise InputError(f"realesrgan: an intermediate size became {size}; use larger inputs")
    if mode == "lanczos":
        return resample(x, size, "lanczos")  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {"size": size} if size is not None else {"scale_factor": factor}
    return F.interpolate(x, mode=mode, **kwargs)


class RealESRGAN(Degrader):
    """Real-ESRGAN's second-order pipeline, every random choice per sample.
    Input H, W divisible by ``scale``; output H/scale × W/scale, 8-bit valued."""

    name = "realesrgan"
    Config = RealESRGANConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: RealESRGANConfig = self.config  # type: ignore[assignment]

    @property
    def scale(self) -> float:
        return float(self.cfg.scale)

    def min_size(self) -> int:
        """Smallest input side whose intermediate images still fit the largest kernel."""
        c = self.cfg
        radius = max(*c.kernel1.sizes, *c.kernel2.sizes, *(c.final_sinc_sizes or [1])) // 2
        need = max((radius + 1) / c.resize1.range[0],
                   (radius + 1) * c.scale / c.resize2.range[0], (radius + 1) * c.scale)
        return c.scale * math.ceil(need / c.scale)

    def check_input(self, hr: Tensor) -> None:
        super().check_input(hr)
        m = self.min_size()
        if min(hr.shape[-2:]) < m:
            raise InputError(f"realesrgan: inputs must be at least {m}×{m} (got "
                             f"{hr.shape[-2]}×{hr.shape[-1]}): its smallest intermediate image "
                             "must exceed the 21×21 kernels' radius")

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        c = self.cfg
        out = []
        for g in generators:
            out.append({
                "version": c.version,
                "kernel1": c.kernel1.draw(g),
                "resize1": c.resize1.draw(g),
                "noise1": c.noise1.draw(g),
                "jpeg1": randint(g, *c.jpeg1),
                "blur2": bernoulli(g, c.second_blur_prob),
                "kernel2": c.kernel2.draw(g),
                "resize2": c.resize2.draw(g),
                "noise2": c.noise2.draw(g),
                "final": {
                    "resize_first": bernoulli(g, 0.5),
                    "mode": draw_mode(g, c.final_modes, c.final_mode_probs),
                    "sinc": final_sinc_draw(g, c.final_sinc_sizes or c.kernel1.sizes,
                                            c.final_sinc_prob),
                    "jpeg": randint(g, *c.jpeg2),
                },
            })
            p = out[-1]
            # The variants' switches (drawn last; None: the step is skipped).
            if c.first_blur_prob < 1 and not bernoulli(g, c.first_blur_prob):
                p["kernel1"] = None
            if c.jpeg1_prob < 1 and not bernoulli(g, c.jpeg1_prob):
                p["jpeg1"] = None
            if c.jpeg2_prob < 1 and not bernoulli(g, c.jpeg2_prob):
                p["final"]["jpeg"] = None
        return out

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        h, w = hr.shape[-2:]
        s = self.cfg.scale
        # Stage 1's blur runs on the whole batch (same size); after the per-sample resize the
        # sizes differ, so each sample's chain runs on its own, samples in parallel threads.
        blurred = [i for i, p in enumerate(params) if p["kernel1"] is not None]
        x1 = hr
        if len(blurred) == len(params):
            x1 = blur_with(hr, [p["kernel1"] for p in params])
        elif blurred:
            x1 = hr.clone()
            x1[blurred] = blur_with(hr[blurred], [params[i]["kernel1"] for i in blurred])
        out = map_samples(lambda i: self._rest(x1[i : i + 1], params[i], h, w, s),
                          list(range(len(params))))
        return torch.cat(out)

    @staticmethod
    def _rest(x: Tensor, p: SampleParams, h: int, w: int, s: int) -> Tensor:
        r = p["resize1"]
        x = _resize(x, None, r["factor"], r["mode"])
        x = _noise(x, p["noise1"]).clamp_(0, 1)
        x = _jpeg(x, p["jpeg1"])
        if p["blur2"]:
            x = blur_with(x, [p["kernel2"]])
        r = p["resize2"]
        x = _resize(x, (int(h / s * r["factor"]), int(w / s * r["factor"])), None, r["mode"])
        x = _noise(x, p["noise2"]).clamp_(0, 1)
        f = p["final"]
        if f["resize_first"]:
            x = _resize(x, (h // s, w // s), None, f["mode"])
            x = blur_with(x, [f["sinc"]]).clamp_(0, 1)
            x = _jpeg(x, f["jpeg"])
        else:
            x = _jpeg(x, f["jpeg"])
            x = _resize(x, (h // s, w // s), None, f["mode"])
            x = blur_with(x, [f["sinc"]])
        return ((x * 255.0).round().clamp(0, 255) / 255.0).contiguous()

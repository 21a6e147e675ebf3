"""Resize by a float ``factor`` (output/input): ``resize`` (functional) and ``Resize``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange
from ..seeding import choice, uniform

ResizeMode = Literal["bicubic", "bilinear", "area", "nearest"]
RESIZE_MODES = ("area", "bilinear", "bicubic")  # Real-ESRGAN's random choice
StageMode = Literal["area", "bilinear", "bicubic", "nearest-exact", "lanczos"]
"""Modes of a random resize stage: ``F.interpolate``'s area, bilinear, bicubic (no
antialiasing, as Real-ESRGAN) and nearest-exact, and degsdk's Lanczos-3 (``resample``)."""


def resize(x: Tensor, size: tuple[int, int], mode: ResizeMode = "bicubic",
           antialias: bool = True) -> Tensor:
    """Resize N×C×H×W to N×C×size.

    ``bicubic``/``bilinear`` with ``antialias=True`` widen the filter when shrinking, as PIL
    and MATLAB's ``imresize`` do (bicubic then uses a = -0.5, PIL's kernel); with
    ``antialias=False`` they are plain interpolation (a = -0.75, as OpenCV and Real-ESRGAN).
    ``area`` averages source pixels (exact box average for integer factors); ``nearest`` takes
    the pixel under each output pixel's centre (PIL's NEAREST). Bicubic output is clamped to
    [0, 1].
    """
    h, w = int(size[0]), int(size[1])
    if mode == "nearest":
        y = F.interpolate(x, size=(h, w), mode="nearest-exact")
    elif mode == "area":
        y = F.interpolate(x, size=(h, w), mode="area")
    else:
        y = F.interpolate(x, size=(h, w), mode=mode, align_corners=False, antialias=antialias)
    return y.clamp_(0.0, 1.0) if mode == "bicubic" else y


class ResizeConfig(DegraderConfig):
    factor: float = pydantic.Field(
        default=0.25, gt=0, le=16, description="output size / input size (0.25 = ×4 down)")
    mode: ResizeMode = "bicubic"
    antialias: bool = pydantic.Field(
        default=True, description="widen bicubic/bilinear filters when shrinking (PIL-like)")


class Resize(Degrader):
    """Deterministic resize by ``factor``; ``scale`` is ``1/factor``. Input sizes must make
    ``size·factor`` whole numbers. Params: ``{}``."""

    name = "resize"
    Config = ResizeConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: ResizeConfig = self.config  # type: ignore[assignment]
        self.factor, self.mode, self.antialias = cfg.factor, cfg.mode, cfg.antialias

    @property
    def scale(self) -> float:
        return 1.0 / self.factor

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{} for _ in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        size = self.output_size(hr.shape[-2], hr.shape[-1])
        return resize(hr, size, self.mode, self.antialias)


class ResizeStage(DegraderConfig):
    """Up/down/keep with probabilities ``probs``; factor U[1, high] up or U[low, 1] down;
    mode drawn from ``modes`` with ``mode_probs`` (default: area/bilinear/bicubic, equally)."""

    probs: tuple[float, float, float] = (0.2, 0.7, 0.1)
    range: FloatRange = (0.15, 1.5)
    modes: list[StageMode] = pydantic.Field(
        default_factory=lambda: list(RESIZE_MODES), min_length=1,
        description="resize modes, one drawn per sample")
    mode_probs: list[pydantic.NonNegativeFloat] | None = pydantic.Field(
        default=None, description="probability of each mode (None: equal)")

    @pydantic.model_validator(mode="after")
    def _probs_fit_modes(self) -> ResizeStage:
        check_mode_probs(self.modes, self.mode_probs, "mode_probs")
        return self

    def draw(self, g: torch.Generator) -> dict[str, Any]:
        kind = ("up", "down", "keep")[choice(g, self.probs)]
        lo, hi = self.range
        factor = uniform(g, 1.0, hi) if kind == "up" else uniform(g, lo, 1.0) if (
            kind == "down") else 1.0
        return {"kind": kind, "factor": factor, "mode": draw_mode(g, self.modes,
                                                                  self.mode_probs)}


def check_mode_probs(modes: Sequence[str], probs: Sequence[float] | None, name: str) -> None:
    """``probs`` (if given) has one entry per mode and a positive sum."""
    if probs is not None and (len(probs) != len(modes) or sum(probs) <= 0):
        raise ValueError(f"{name} needs one probability per mode ({len(modes)}) with a "
                         f"positive sum, got {list(probs)}")


def draw_mode(g: torch.Generator, modes: Sequence[str], probs: Sequence[float] | None) -> str:
    """One of ``modes`` with ``probs`` (None: equally likely; one draw either way)."""
    return modes[choice(g, list(probs) if probs is not None else [1.0] * len(modes))]


class RandomResizeConfig(DegraderConfig):
    factor: float = pydantic.Field(default=0.25, gt=0, le=16,
                                   description="final size / input size")
    stage: ResizeStage = pydantic.Field(default_factory=ResizeStage,
                                        description="the random intermediate resize")


class RandomResize(Degrader):
    """Real-ESRGAN-style random resize, then an exact final size: per sample, up/down/keep by
    a random factor with a random mode (area/bilinear/bicubic, no antialiasing, as
    ``F.interpolate``), then resize to ``factor`` × the input size with another random mode.
    Params: ``{"kind", "factor", "mode", "final_mode"}``."""

    name = "random_resize"
    Config = RandomResizeConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: RandomResizeConfig = self.config  # type: ignore[assignment]

    @property
    def scale(self) -> float:
        return 1.0 / self.cfg.factor

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{**self.cfg.stage.draw(g), "final_mode": RESIZE_MODES[choice(g, [1, 1, 1])]}
                for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        size = self.output_size(hr.shape[-2], hr.shape[-1])
        out = []
        for i, p in enumerate(params):
            x = F.interpolate(hr[i : i + 1], scale_factor=p["factor"], mode=p["mode"])
            out.append(F.interpolate(x, size=size, mode=p["final_mode"]))
        return torch.cat(out).clamp_(0.0, 1.0)

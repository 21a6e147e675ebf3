"""Resizing with a named filter, as image tools offer it: a separable convolution whose kernel
is widened by the shrink factor when downscaling (antialiasing, as PIL, ImageMagick and
chaiNNer do), with each output pixel's weights renormalised at the image border.
``resample`` (functional) and the ``Resample`` degrader, which draws a filter per sample and
optionally goes through an intermediate size first (a down-up chain, wtp_dataset_destroyer's
``resize`` with ``spread``).

Filters (``x`` in input pixels, before widening): ``box`` (1 on (−½, ½]); ``linear`` (the
triangle 1 − |x|); the Mitchell–Netravali cubics ``catmull_rom`` (B = 0, C = ½: PIL's
BICUBIC), ``mitchell`` (B = C = ⅓) and ``bspline`` (B = 1, C = 0); ``lanczos`` (sinc(x)·sinc(x/3),
|x| < 3: PIL's LANCZOS); ``gauss`` (exp(−x²/2σ²), σ = ½, |x| < 2). ``nearest`` and ``area`` use
torch's ``nearest-exact`` and ``area``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

import pydantic
import torch
import torch.nn.functional as F
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import FloatRange, within
from ..seeding import draw_float, randint

ResampleFilter = Literal["nearest", "box", "linear", "catmull_rom", "mitchell", "bspline",
                         "lanczos", "gauss", "area"]
FILTERS: tuple[str, ...] = ("nearest", "box", "linear", "catmull_rom", "mitchell", "bspline",
                            "lanczos", "gauss", "area")


def _cubic(b: float, c: float) -> Callable[[Tensor], Tensor]:
    """The Mitchell–Netravali cubic with parameters (B, C), support 2."""
    def k(x: Tensor) -> Tensor:
        x = x.abs()
        near = ((12 - 9 * b - 6 * c) * x**3 + (-18 + 12 * b + 6 * c) * x**2 + (6 - 2 * b)) / 6
        far = ((-b - 6 * c) * x**3 + (6 * b + 30 * c) * x**2 + (-12 * b - 48 * c) * x
               + (8 * b + 24 * c)) / 6
        return torch.where(x < 1, near, torch.where(x < 2, far, torch.zeros_like(x)))
    return k


def _lanczos(x: Tensor) -> Tensor:
    return torch.where(x.abs() < 3, torch.sinc(x) * torch.sinc(x / 3), torch.zeros_like(x))


KERNELS: dict[str, tuple[Callable[[Tensor], Tensor], float]] = {  # kernel, support
    "box": (lambda x: ((x > -0.5) & (x <= 0.5)).to(x.dtype), 0.5),
    "linear": (lambda x: (1 - x.abs()).clamp(min=0), 1.0),
    "catmull_rom": (_cubic(0.0, 0.5), 2.0),
    "mitchell": (_cubic(1 / 3, 1 / 3), 2.0),
    "bspline": (_cubic(1.0, 0.0), 2.0),
    "lanczos": (_lanczos, 3.0),
    "gauss": (lambda x: torch.where(x.abs() < 2, torch.exp(-2 * x**2), torch.zeros_like(x)),
              2.0),
}


def resample_weights(n_in: int, n_out: int, filt: str, dtype: torch.dtype = torch.float64,
                     device: torch.device | str = "cpu") -> Tensor:
    """The n_out × n_in matrix of one axis: row i holds the normalised weights of output pixel
    i (centre (i + ½)·n_in/n_out in input coordinates)."""
    kernel, support = KERNELS[filt]
    step = n_in / n_out
    stretch = max(1.0, step)  # widen the kernel when shrinking
    centre = (torch.arange(n_out, dtype=torch.float64) + 0.5) * step
    pos = torch.arange(n_in, dtype=torch.float64) + 0.5
    w = kernel((pos[None, :] - centre[:, None]) / stretch)
    w = w * ((pos[None, :] - centre[:, None]).abs() < support * stretch + 0.5)
    w = w / w.sum(dim=1, keepdim=True)
    return w.to(device=device, dtype=dtype)


def resample(x: Tensor, size: tuple[int, int], filt: str = "catmull_rom") -> Tensor:
    """Resize N×C×H×W to N×C×``size`` with the named filter (module doc); clamped to [0, 1]."""
    h, w = int(size[0]), int(size[1])
    if filt == "nearest":
        return F.interpolate(x, size=(h, w), mode="nearest-exact")
    if filt == "area":
        return F.interpolate(x, size=(h, w), mode="area")
    wy = resample_weights(x.shape[-2], h, filt, x.dtype, x.device)
    wx = resample_weights(x.shape[-1], w, filt, x.dtype, x.device)
    return torch.einsum("ih,nchw,jw->ncij", wy, x, wx).clamp(0, 1)


class ResampleConfig(DegraderConfig):
    factor: float = pydantic.Field(default=0.25, gt=0, le=16,
                                   description="output size / input size (0.25: ×4 down)")
    filters: list[ResampleFilter] = pydantic.Field(
        default=["catmull_rom"], min_length=1,
        description="filters, one drawn per sample (and per stage of a down-up chain)")
    down_up: Annotated[FloatRange, within(gt=0, le=1, name="down_up")] | None = pydantic.Field(
        default=None, description="with a range [low, high] ⊂ (0, 1]: first resize to this "
        "fraction of the output size (drawn per sample), then to the output size")


class Resample(Degrader):
    """Resize by ``factor`` with a named filter per sample, optionally through a smaller
    intermediate size. Params: ``{"filter"}``, plus ``{"via", "via_filter"}`` in a chain."""

    name = "resample"
    Config = ResampleConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: ResampleConfig = self.config  # type: ignore[assignment]
        self.factor, self.filters, self.down_up = cfg.factor, list(cfg.filters), cfg.down_up

    @property
    def scale(self) -> float:
        return 1.0 / self.factor

    def _pick(self, g: torch.Generator) -> str:
        return self.filters[randint(g, 0, len(self.filters) - 1)]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        out: list[SampleParams] = []
        for g in generators:
            p: SampleParams = {"filter": self._pick(g)}
            if self.down_up is not None:
                p["via"] = draw_float(g, self.down_up)
                p["via_filter"] = self._pick(g)
            out.append(p)
        return out

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        h, w = self.output_size(hr.shape[-2], hr.shape[-1])
        out = []
        for i, p in enumerate(params):
            x = hr[i : i + 1]
            if "via" in p:
                vh = max(1, math.floor(h * float(p["via"]) + 0.5))
                vw = max(1, math.floor(w * float(p["via"]) + 0.5))
                x = resample(x, (vh, vw), str(p["via_filter"]))
            out.append(resample(x, (h, w), str(p["filter"])))
        return torch.cat(out)

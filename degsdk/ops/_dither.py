"""Colour quantisation with dithering: each channel reduced to ``levels`` evenly spaced values,
the rounding error spread by an ordered (Bayer) threshold map or by Floyd–Steinberg error
diffusion. ``dither`` (functional) and the ``dither`` degrader with a per-sample level count
(wtp_dataset_destroyer's ``dithering``).

- ``none``: plain rounding, round(v·(L−1))/(L−1).
- ``ordered``: floor(v·(L−1) + (M(y, x) + ½)/n²)/(L−1), M the n×n Bayer index matrix tiled
  from the top-left; the mean over a tile is kept.
- ``floyd_steinberg``: pixels in raster order; each is rounded and its error e added to the
  unprocessed neighbours: 7/16·e right, 3/16·e below left, 5/16·e below, 1/16·e below right.
  Computed along anti-diagonal wavefronts (pixel (y, x) at step x + 2y, after every pixel it
  depends on), so it runs as tensor ops on the input's device.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import pydantic
import torch
from torch import Tensor

from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import IntRange, within
from ..seeding import draw_int

DitherMethod = Literal["none", "ordered", "floyd_steinberg"]
DITHER_METHODS: tuple[str, ...] = ("none", "ordered", "floyd_steinberg")


def bayer_matrix(n: int) -> Tensor:
    """The n×n Bayer index matrix (n a power of two), entries 0…n²−1."""
    if n < 1 or n & (n - 1):
        raise ValueError(f"Bayer matrix size must be a power of two, got {n}")
    m = torch.zeros(1, 1, dtype=torch.int64)
    while m.shape[0] < n:
        m = torch.cat([torch.cat([4 * m, 4 * m + 2], 1), torch.cat([4 * m + 3, 4 * m + 1], 1)])
    return m


def _steps(levels: Tensor, x: Tensor) -> Tensor:
    """(N,) level counts → N×1×1×1 step counts L − 1 in ``x``'s dtype and device."""
    return (levels.to(device=x.device, dtype=x.dtype) - 1).view(-1, 1, 1, 1)


def floyd_steinberg(x: Tensor, levels: Tensor) -> Tensor:
    """Floyd–Steinberg error diffusion of N×C×H×W to ``levels[i]`` values per channel."""
    n, c, h, w = x.shape
    steps = _steps(levels, x).view(-1, 1, 1)
    buf = torch.zeros(n, c, h + 1, w + 2, dtype=x.dtype, device=x.device)
    buf[:, :, :h, 1 : w + 1] = x
    out = torch.empty_like(x)
    rows = torch.arange(h, device=x.device)
    for t in range(w + 2 * (h - 1)):
        ys = rows[max(0, (t - w + 2) // 2) : min(h - 1, t // 2) + 1]
        xs = t - 2 * ys
        v = buf[:, :, ys, xs + 1]
        q = (torch.round(v * steps) / steps).clamp(0, 1)
        e = v - q
        out[:, :, ys, xs] = q
        buf[:, :, ys + 1, xs] += e * (3 / 16)
        buf[:, :, ys + 1, xs + 1] += e * (5 / 16)
        buf[:, :, ys + 1, xs + 2] += e * (1 / 16)
        buf[:, :, ys, xs + 2] += e * (7 / 16)
    return out


def ordered_dither(x: Tensor, levels: Tensor, size: int = 4) -> Tensor:
    """Ordered dithering of N×C×H×W to ``levels[i]`` values with a ``size``² Bayer map."""
    h, w = x.shape[-2:]
    m = bayer_matrix(size).to(device=x.device, dtype=x.dtype)
    reps = (-(-h // size), -(-w // size))
    threshold = ((m + 0.5) / size**2).repeat(*reps)[:h, :w]
    steps = _steps(levels, x)
    return (torch.floor(x * steps + threshold) / steps).clamp(0, 1)


def dither(x: Tensor, levels: Sequence[int], method: str = "floyd_steinberg",
           bayer_size: int = 4) -> Tensor:
    """Quantise each sample of N×C×H×W in [0, 1] to its own ``levels[i]`` (2–256) values per
    channel with ``method`` (``none``, ``ordered`` or ``floyd_steinberg``); same shape out."""
    lv = torch.as_tensor([int(v) for v in levels], dtype=torch.int64)
    if len(lv) != x.shape[0] or bool((lv < 2).any()):
        raise ValueError("dither: one level count ≥ 2 per sample expected")
    if method == "none":
        steps = _steps(lv, x)
        return torch.round(x * steps) / steps
    if method == "ordered":
        return ordered_dither(x, lv, bayer_size)
    if method == "floyd_steinberg":
        return floyd_steinberg(x, lv)
    raise ValueError(f"dither method must be one of {DITHER_METHODS}, got {method!r}")


class DitherConfig(DegraderConfig):
    levels: Annotated[IntRange, within(2, 256, name="levels")] = pydantic.Field(
        default=(4, 32), description="values per channel after quantisation (2–256), or "
        "[low, high]")
    method: DitherMethod = pydantic.Field(
        default="floyd_steinberg", description="none, ordered (Bayer) or floyd_steinberg")
    bayer_size: Literal[2, 4, 8] = pydantic.Field(
        default=4, description="side of the Bayer threshold map (ordered only)")


class Dither(Degrader):
    """Colour quantisation with dithering. Params: ``{"levels": int}``."""

    name = "dither"
    Config = DitherConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        cfg: DitherConfig = self.config  # type: ignore[assignment]
        self.levels, self.method, self.bayer_size = cfg.levels, cfg.method, cfg.bayer_size

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"levels": draw_int(g, self.levels)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return dither(hr, [int(p["levels"]) for p in params], self.method, self.bayer_size)

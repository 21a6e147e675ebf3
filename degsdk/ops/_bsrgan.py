"""BSRGAN's degradation models (Zhang et al., ICCV 2021), as released in cszn/BSRGAN
``utils_blindsr.py``: ``bsrgan`` (``degradation_bsrgan``) and ``bsrgan_plus``
(``degradation_bsrgan_plus``), every random choice drawn per sample from its generator.

``bsrgan`` (scale sf, default 4): with p 0.25 (sf = 4 only) pre-halve the image (half the time
with a MATLAB-like antialiased bicubic, otherwise a random plain interpolation) and continue
with sf = 2; then 7 ops in random order with downsample3 kept after downsample2 — two blurs
(50 % anisotropic Gaussian with variances U[0, 4+sf], size 7–25; else isotropic σ U[0, 2+0.2sf]),
downsample2 (p 0.75 resize by 1/U[1, 2sf], else a shifted Gaussian blur σ U[0.1, 0.6sf] and
decimation by sf), downsample3 (to the pre-downsample2 size / sf), Gaussian noise (level
randint[2, 25]; 40 % colour, 40 % gray, 20 % channel-correlated), JPEG (p 0.9, quality
randint[30, 95]) and the camera ISP (not released: skipped); then a final JPEG.

Params record the shuffled op order by name (``version`` "2", the default; version "1"
recorded indices, and its params still replay).

``bsrgan_plus``: 13 ops — blur, resize (up p 0.2 by U[1, 2], down p 0.7 by U[0.5/sf, 1]),
Gaussian noise, Poisson noise (p 0.1), speckle noise (p 0.1), ISP (skipped), JPEG, then blur,
resize, Gaussian, Poisson, speckle, ISP — fully shuffled with p ``shuffle_prob`` (0.5), else
only the noise ops 2–5 and 9–12 shuffled in place; then resize to 1/sf (random interpolation)
and a final JPEG. Its ``use_sharp`` HR sharpening is the separate ``usm`` op (apply it to the
HR first).

Departures, on purpose: OpenCV's linear/cubic/area resizes are torch's ``bilinear``/``bicubic``
(a = -0.75, like OpenCV)/``area``; MATLAB ``imresize`` is an antialiased bicubic (a = -0.5);
JPEG uses libjpeg through Pillow; the final random crop is left to the data loader (the
degrader maps the whole image).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pydantic
import scipy.ndimage as ndi
import torch
import torch.nn.functional as F
from torch import Tensor

from .._errors import InputError
from .._filtering import filter2d, filter_separable, gaussian_kernel1d
from .._interfaces import Degrader, DegraderConfig, SampleParams
from ..seeding import (
    bernoulli,
    choice,
    draw_seed,
    generator_from_seed,
    permutation,
    randint,
    uniform,
)
from ._jpeg import jpeg_compress
from ._kernels import gaussian_kernel
from ._noise import correlated_gaussian_field
from ._parallel import map_samples

CV2_MODES = ("bilinear", "bicubic", "area")  # OpenCV INTER_LINEAR, INTER_CUBIC, INTER_AREA
LATEST_VERSION = "2"
# Version 1 recorded the shuffled op order as these ops' indices; version 2 records their
# names. The draws and the output images are the same in both versions.
BSRGAN_OPS = ("blur1", "blur2", "downsample2", "downsample3", "noise", "jpeg", "isp")
BSRGAN_PLUS_OPS = ("blur_a", "resize_a", "noise_a", "poisson_a", "speckle_a", "isp_a", "jpeg",
                   "blur_b", "resize_b", "noise_b", "poisson_b", "speckle_b", "isp_b")


def _named(order: list[int], version: str, ops: tuple[str, ...]) -> list[int] | list[str]:
    """The order as recorded in the params: indices (version 1) or op names (version 2+)."""
    return order if version == "1" else [ops[i] for i in order]


def _indices(order: list[int | str], ops: tuple[str, ...]) -> list[int]:
    """The recorded order (indices or names) as indices."""
    return [op if isinstance(op, int) else ops.index(op) for op in order]
_MIN_SIDE = 64


# --------------------------------------------------------------------------- draws
def _draw_mode(g: torch.Generator) -> str:
    return CV2_MODES[choice(g, [1, 1, 1])]


def draw_blur(g: torch.Generator, sf: int) -> dict[str, Any]:
    """``add_blur``: half anisotropic (variances U[0, 4+sf], θ U[0, π]), half isotropic
    (σ U[0, 2+0.2·sf]); odd size 2·randint[2, 11]+3 (7–25)."""
    if uniform(g, 0, 1) < 0.5:
        wd2 = 4.0 + sf
        l1, l2 = wd2 * uniform(g, 0, 1), wd2 * uniform(g, 0, 1)
        return {"type": "aniso", "size": 2 * randint(g, 2, 11) + 3,
                "theta": uniform(g, 0, math.pi), "var1": l1, "var2": l2}
    return {"type": "iso", "size": 2 * randint(g, 2, 11) + 3,
            "sigma": (2.0 + 0.2 * sf) * uniform(g, 0, 1)}


def draw_gaussian_noise(g: torch.Generator) -> dict[str, Any]:
    """``add_Gaussian_noise(2, 25)``: level randint[2, 25]; 40 % colour, 40 % gray, 20 %
    channel-correlated."""
    level = randint(g, 2, 25)
    r = uniform(g, 0, 1)
    kind = "color" if r > 0.6 else "gray" if r < 0.4 else "correlated"
    return {"level": level, "kind": kind, "seed": draw_seed(g)}


def draw_poisson(g: torch.Generator) -> dict[str, Any]:
    """``add_Poisson_noise``: photon scale 10^U[2, 4]; half colour, half gray."""
    return {"vals": 10 ** (2 * uniform(g, 0, 1) + 2.0), "gray": bernoulli(g, 0.5),
            "seed": draw_seed(g)}


def draw_resize(g: torch.Generator, sf: int) -> dict[str, Any]:
    """``add_resize``: up (p 0.2) by U[1, 2], down (p 0.7) by U[0.5/sf, 1], else keep."""
    r = uniform(g, 0, 1)
    factor = uniform(g, 1, 2) if r > 0.8 else uniform(g, 0.5 / sf, 1) if r < 0.7 else 1.0
    return {"factor": factor, "mode": _draw_mode(g)}


# --------------------------------------------------------------------------- ops
def cv2_resize(x: Tensor, h: int, w: int, mode: str) -> Tensor:
    """OpenCV-like resize of 1×C×H×W to (h, w) (no antialiasing), clipped to [0, 1]."""
    if h < 1 or w < 1:
        raise InputError(f"bsrgan: an intermediate image became {h}×{w}; use larger inputs")
    if mode == "area":
        y = F.interpolate(x, size=(h, w), mode="area")
    else:
        y = F.interpolate(x, size=(h, w), mode=mode, align_corners=False)
    return y.clamp_(0.0, 1.0)


def blur(x: Tensor, p: dict[str, Any]) -> Tensor:
    """``add_blur`` with drawn params (mirror padding; kernels are symmetric, so correlation
    equals scipy's convolution)."""
    size = int(p["size"])
    if p["type"] == "iso":
        sigma = max(float(p["sigma"]), 1e-6)
        return filter_separable(x, gaussian_kernel1d(torch.tensor([sigma]), size))
    # Covariance V·diag(l1, l2)·V with V the reflection [[c, s], [s, -c]]: eigenvalue l1 along
    # (cos θ, sin θ) — a Gaussian rotated by θ with σ = sqrt(l).
    k = gaussian_kernel(size, math.sqrt(max(p["var1"], 1e-12)),
                        math.sqrt(max(p["var2"], 1e-12)), float(p["theta"]))
    return filter2d(x, k[None])


def shifted_gaussian(sigma: float, sf: int, size: int = 25) -> Tensor:
    """BSRGAN's downsample kernel: a ``size`` Gaussian (MATLAB ``fspecial``) shifted by
    (sf-1)/2 pixels towards the top-left with linear interpolation (``shift_pixel``)."""
    ax = np.arange(size) - (size - 1) / 2
    k = np.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2 * max(sigma, 1e-6) ** 2))
    k[k < np.finfo(float).eps * k.max()] = 0
    k /= k.sum()
    shift = (sf - 1) * 0.5
    coords = np.clip(np.arange(size, dtype=np.float64) + shift, 0, size - 1)
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    shifted = ndi.map_coordinates(k, [yy, xx], order=1, mode="nearest")
    return torch.from_numpy(shifted / shifted.sum()).to(torch.float32)


def bsrgan_noise(x: Tensor, p: dict[str, Any], multiplicative: bool = False) -> Tensor:
    """``add_Gaussian_noise`` (or ``add_speckle_noise`` when ``multiplicative``), clipped."""
    _, c, h, w = x.shape
    g = generator_from_seed(int(p["seed"]))
    s = p["level"] / 255.0
    if p["kind"] == "color":
        n = torch.randn((c, h, w), generator=g) * s
    elif p["kind"] == "gray":
        n = (torch.randn((1, h, w), generator=g) * s).expand(c, h, w)
    else:
        n = correlated_gaussian_field(h, w, 25.0, g)  # L = noise_level2 = 25, as released
    n = n.to(x.device)[None]
    base = x.clamp(0, 1) if multiplicative else x
    return (base + (base * n if multiplicative else n)).clamp_(0.0, 1.0)


def poisson(x: Tensor, p: dict[str, Any]) -> Tensor:
    """``add_Poisson_noise``: quantise to 8 bits, then Poisson at ``vals`` photons per unit
    (colour), or add the luma image's Poisson residual to every channel (gray)."""
    g = generator_from_seed(int(p["seed"]))
    img = ((x.detach().cpu() * 255.0).round().clamp(0, 255) / 255.0)[0].double()
    vals = float(p["vals"])
    if not p["gray"]:
        out = torch.poisson(img * vals, generator=g) / vals
    else:
        w = torch.tensor([0.299, 0.587, 0.114], dtype=torch.float64).view(3, 1, 1)
        gray = ((img * w).sum(0, keepdim=True) * 255.0).round().clamp(0, 255) / 255.0
        out = img + (torch.poisson(gray * vals, generator=g) / vals - gray)
    return out.clamp(0.0, 1.0).to(torch.float32)[None].to(x.device)


def jpeg(x: Tensor, quality: int) -> Tensor:
    return jpeg_compress(x, [quality])


# --------------------------------------------------------------------------- degraders
class _BSRGANFamily(Degrader):
    """Shared by ``bsrgan`` and ``bsrgan_plus``: integer ``scale``, a minimum input size."""

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.sf: int = self.config.scale  # type: ignore[attr-defined]

    @property
    def scale(self) -> float:
        return float(self.sf)

    def check_input(self, hr: Tensor) -> None:
        super().check_input(hr)
        if min(hr.shape[-2:]) < _MIN_SIDE:
            raise InputError(f"{self.name}: inputs must be at least {_MIN_SIDE}×{_MIN_SIDE}, "
                             f"got {hr.shape[-2]}×{hr.shape[-1]}")


class BSRGANConfig(DegraderConfig):
    version: Literal["1", "2"] = LATEST_VERSION
    scale: int = pydantic.Field(default=4, ge=2, le=4, description="sf: 2, 3 or 4")
    prehalve_prob: float = pydantic.Field(default=0.25, ge=0, le=1,
                                          description="scale2_prob (used when scale is 4)")
    jpeg_prob: float = pydantic.Field(default=0.9, ge=0, le=1)


class BSRGAN(_BSRGANFamily):
    """``degradation_bsrgan`` per sample (no ISP, no crop). Input sides divisible by
    ``scale`` and at least 64; output 8-bit valued (JPEG last)."""

    name = "bsrgan"
    Config = BSRGANConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: BSRGANConfig = self.config  # type: ignore[assignment]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        out = []
        for g in generators:
            sf = self.cfg.scale
            prehalve = None
            if sf == 4 and bernoulli(g, self.cfg.prehalve_prob):
                prehalve = "matlab" if bernoulli(g, 0.5) else _draw_mode(g)
                sf = 2
            order = permutation(g, 7)
            i2, i3 = order.index(2), order.index(3)
            if i2 > i3:  # keep downsample3 after downsample2
                order[i2], order[i3] = order[i3], order[i2]
            if bernoulli(g, 0.75):
                ds2 = {"kind": "resize", "factor": uniform(g, 1, 2 * sf), "mode": _draw_mode(g)}
            else:
                ds2 = {"kind": "shifted_gaussian", "sigma": uniform(g, 0.1, 0.6 * sf)}
            out.append({
                "version": self.cfg.version, "sf": sf, "prehalve": prehalve,
                "order": _named(order, self.cfg.version, BSRGAN_OPS),
                "blur1": draw_blur(g, sf), "blur2": draw_blur(g, sf), "ds2": ds2,
                "ds3_mode": _draw_mode(g), "noise": draw_gaussian_noise(g),
                "jpeg": randint(g, 30, 95) if bernoulli(g, self.cfg.jpeg_prob) else None,
                "final_jpeg": randint(g, 30, 95),
            })
        return out

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return torch.cat(map_samples(lambda i: self._one(hr[i : i + 1], params[i]),
                                     list(range(len(params)))))

    @staticmethod
    def _one(x: Tensor, p: SampleParams) -> Tensor:
        sf = int(p["sf"])
        h, w = x.shape[-2:]
        if p["prehalve"] == "matlab":
            x = F.interpolate(x, size=(h // 2, w // 2), mode="bicubic", align_corners=False,
                              antialias=True).clamp_(0, 1)
        elif p["prehalve"] is not None:
            x = cv2_resize(x, h // 2, w // 2, p["prehalve"])
        a = b = 0
        for op in _indices(p["order"], BSRGAN_OPS):
            if op in (0, 1):
                x = blur(x, p["blur1" if op == 0 else "blur2"])
            elif op == 2:
                b, a = x.shape[-2:]
                d = p["ds2"]
                if d["kind"] == "resize":
                    x = cv2_resize(x, int(b / d["factor"]), int(a / d["factor"]), d["mode"])
                else:
                    x = filter2d(x, shifted_gaussian(d["sigma"], sf)[None])[..., ::sf, ::sf]
                    x = x.clamp(0.0, 1.0).contiguous()
            elif op == 3:
                x = cv2_resize(x, int(b / sf), int(a / sf), p["ds3_mode"])
            elif op == 4:
                x = bsrgan_noise(x, p["noise"])
            elif op == 5 and p["jpeg"] is not None:
                x = jpeg(x, p["jpeg"])
            # op 6: the camera ISP model was not released; skipped as in the public code.
        return jpeg(x, p["final_jpeg"])


class BSRGANPlusConfig(DegraderConfig):
    version: Literal["1", "2"] = LATEST_VERSION
    scale: int = pydantic.Field(default=4, ge=2, le=4)
    shuffle_prob: float = pydantic.Field(default=0.5, ge=0, le=1)
    poisson_prob: float = pydantic.Field(default=0.1, ge=0, le=1)
    speckle_prob: float = pydantic.Field(default=0.1, ge=0, le=1)


class BSRGANPlus(_BSRGANFamily):
    """``degradation_bsrgan_plus`` per sample (no ISP, no crop; sharpen the HR with ``usm``).
    Input sides divisible by ``scale`` and at least 64."""

    name = "bsrgan_plus"
    Config = BSRGANPlusConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.cfg: BSRGANPlusConfig = self.config  # type: ignore[assignment]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        c, sf = self.cfg, self.cfg.scale
        out = []
        for g in generators:
            if bernoulli(g, c.shuffle_prob):
                order, shuffle = permutation(g, 13), "full"
            else:
                order, shuffle = list(range(13)), "local"
                order[2:6] = [order[2:6][i] for i in permutation(g, 4)]
                order[9:13] = [order[9:13][i] for i in permutation(g, 4)]
            ops: dict[str, Any] = {}
            for first in ("a", "b"):
                ops[f"blur_{first}"] = draw_blur(g, sf)
                ops[f"resize_{first}"] = draw_resize(g, sf)
                ops[f"noise_{first}"] = draw_gaussian_noise(g)
                ops[f"poisson_{first}"] = draw_poisson(g) if bernoulli(g, c.poisson_prob) else None
                ops[f"speckle_{first}"] = draw_gaussian_noise(g) if bernoulli(
                    g, c.speckle_prob) else None
            out.append({"version": c.version, "shuffle": shuffle,
                        "order": _named(order, c.version, BSRGAN_PLUS_OPS), **ops,
                        "jpeg": randint(g, 30, 95), "final_mode": _draw_mode(g),
                        "final_jpeg": randint(g, 30, 95)})
        return out

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        sf = self.cfg.scale
        return torch.cat(map_samples(lambda i: self._one(hr[i : i + 1], params[i], sf),
                                     list(range(len(params)))))

    @staticmethod
    def _one(x: Tensor, p: SampleParams, sf: int) -> Tensor:
        h, w = x.shape[-2:]
        for op in _indices(p["order"], BSRGAN_PLUS_OPS):
            part = "a" if op < 7 else "b"
            kind = op if op < 7 else op - 7
            if kind == 0:
                x = blur(x, p[f"blur_{part}"])
            elif kind == 1:
                r = p[f"resize_{part}"]
                hh, ww = x.shape[-2:]
                x = cv2_resize(x, int(r["factor"] * hh), int(r["factor"] * ww), r["mode"])
            elif kind == 2:
                x = bsrgan_noise(x, p[f"noise_{part}"])
            elif kind == 3 and p[f"poisson_{part}"] is not None:
                x = poisson(x, p[f"poisson_{part}"])
            elif kind == 4 and p[f"speckle_{part}"] is not None:
                x = bsrgan_noise(x, p[f"speckle_{part}"], multiplicative=True)
            elif op == 6:
                x = jpeg(x, p["jpeg"])
            # kind 5 (and op 12): the camera ISP model was not released; skipped.
        x = cv2_resize(x, h // sf, w // sf, p["final_mode"])
        return jpeg(x, p["final_jpeg"])

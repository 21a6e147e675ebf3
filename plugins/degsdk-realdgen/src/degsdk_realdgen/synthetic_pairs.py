"""Synthetic camera pairs for the DDPM stage (degsdk's departure from the paper, issue 30).

The paper trains the DDPM on real LR x alone, conditioned on c = M(E_deg(x), E_cont(↑x)).
E_cont(↑x) already shows x's degradation, so the denoiser can reproduce a training LR without
reading the degradation vector, and at generation, where the content comes from a clean HR,
the reference hardly matters (``benchmarks/realdgen_condition_probe.py``). A synthetic pair
has the generation's form instead: an HR patch y, a camera θ drawn at random, the target
x = D_θ(y), and a *reference* r = D_θ(y') of another HR patch y' through the same camera
(θ replayed exactly); the condition is c = M(E_deg(r), E_cont(y)), so the only way to the
target's degradation is the reference's vector.

Cameras are drawn half from the core ``realesrgan`` pipeline (the extractors' training
family: blur, resizes, Gaussian/Poisson noise, JPEG) and half from the core ``camera``
(spatially varying lens blur, chromatic aberration, white-balance casts, Poisson–Gaussian
noise, JPEG or none), each with its parameters drawn from ``CAMERA_RANGES`` — uniformly, except
the noise's shot and read terms, drawn log-uniformly so that nearly clean cameras are as common
as noisy ones (at mid-grey, drawn uniformly: median noise σ 13/255, 0.1 % of the cameras below
2/255, and a light-noise reference's camera came out too noisy; log-uniformly: median 5.8/255,
14 % below 2/255; issue 30).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any

import torch
from torch import Tensor

import degsdk
from degsdk import Degrader
from degsdk.seeding import draw_seed, generator_from_seed, uniform

from .data import random_patches

# ranges of the drawn ``camera`` configs (level 2 with no blur growth, so colour casts and
# chromatic aberration apply while σ stays the drawn one)
CAMERA_RANGES: dict[str, tuple[float, float]] = {
    "blur_center": (0.0, 3.5), "blur_edge": (0.0, 1.5), "ca": (0.0, 0.002),
    "wb_shift": (0.0, 0.15), "shot": (1e-5, 0.004), "read": (0.2, 12.0),
    "jpeg": (40.0, 95.0),
}
LOG_UNIFORM = frozenset({"shot", "read"})
"""The ``CAMERA_RANGES`` entries drawn log-uniformly (their low end must be > 0)."""
NO_JPEG_PROBABILITY = 0.3


@cache
def _pipeline(scale: int) -> Degrader:
    """The core ``realesrgan`` pipeline at ``scale`` (its parameters are drawn per sample, so
    one instance serves every pair)."""
    return degsdk.create("realesrgan", scale=scale)


def draw_camera(g: torch.Generator, scale: int, hr_side: int) -> Degrader:
    """A random camera at ``scale`` for HR patches of ``hr_side`` px: ``realesrgan`` (when
    the patches are as large as it needs) or a ``camera`` with drawn parameters."""
    pipeline = _pipeline(scale)
    if uniform(g, 0, 1) < 0.5 and hr_side >= pipeline.min_size():
        return pipeline
    r = {k: math.exp(uniform(g, math.log(lo), math.log(hi))) if k in LOG_UNIFORM
         else uniform(g, lo, hi) for k, (lo, hi) in CAMERA_RANGES.items()}
    q = round(r.pop("jpeg"))
    jpeg: Any = None if uniform(g, 0, 1) < NO_JPEG_PROBABILITY else (q, q)
    return degsdk.create("camera", scale=scale, level=2.0, blur_per_level=0.0, jpeg=jpeg, **r)


def camera_pairs(images: Sequence[Tensor], n: int, side: int, scale: int,
                 g: torch.Generator) -> tuple[Tensor, Tensor, Tensor]:
    """n synthetic pairs from the HR ``images``: (HR y n×3×S×S, target D_θ(y) n×3×s×s,
    reference D_θ(y') n×3×s×s) with S = side × scale, s = side, θ drawn per pair and
    replayed on the reference's own HR patch y'."""
    hr = random_patches(images, 2 * n, side * scale, g).view(n, 2, 3, side * scale,
                                                            side * scale)
    targets, refs = [], []
    for i in range(n):
        camera = draw_camera(g, scale, side * scale)
        theta = camera.sample(hr[i, :1], [generator_from_seed(draw_seed(g))])
        lr = camera.apply(hr[i], theta * 2)
        targets.append(lr[0])
        refs.append(lr[1])
    return hr[:, 0], torch.stack(targets), torch.stack(refs)

"""Fitters for the classic pipelines ``bicubic`` and ``camera``: their blur level, noise and
JPEG, fitted to the user's camera.

1. **Level** (the blur): with aligned pairs at the target scale, the value on a geometric
   grid whose noise-free output best reproduces the pairs' real LR (Y PSNR); without pairs,
   the value whose LR made from the clean HR is closest to the real LR (Fréchet distance of
   ``degradation_stats`` tiles).
2. **Noise**: with pairs, the white-noise σ of the residual real LR − noise-free model output;
   without, the σ the real LR carry beyond the noise-free model output of the clean HR
   (:func:`~degsdk.fit.noise_beyond`); below 0.5, no noise.
3. **JPEG**: the quality read from the real LR files' quantisation tables (±5); no JPEG
   when they are not JPEG files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import Tensor

from .._components import create
from .._config import from_config
from .._fitter import FitContext, FitData, FitResult, Fitter
from .._interfaces import Degrader
from ..io import find_pairs, list_images, read_image
from ._estimate import (
    best_by_realism,
    best_on_pairs,
    estimate_noise_sigma,
    geometric_grid,
    jpeg_quality_of,
    noise_beyond,
)

MAX_IMAGES = 8
MAX_SIDE = 384  # HR pixels: centre crops keep a grid search cheap on large photos


def centre_crop(x: Tensor, side: int, multiple: int) -> Tensor:
    """The central crop of 3×H×W ``x`` at most ``side`` px per side, sides a multiple of
    ``multiple``."""
    h, w = (min(s, side) // multiple * multiple for s in x.shape[-2:])
    t, s = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2
    return x[:, t : t + h, s : s + w]


def load_folder(folder: Any, limit: int = MAX_IMAGES, side: int = MAX_SIDE,
                multiple: int = 1) -> list[Tensor]:
    """Up to ``limit`` images of ``folder``, centre-cropped (:func:`centre_crop`)."""
    return [centre_crop(read_image(p), side, multiple) for p in list_images([folder])[:limit]]


def load_pairs(data: FitData, side: int = MAX_SIDE) -> tuple[list[Tensor], list[Tensor]] | None:
    """Up to ``MAX_IMAGES`` fitting pairs at the target scale, centre-cropped alike; None
    when there are none at that scale."""
    if data.pairs is None or data.pair_scale != data.scale:
        return None
    k = data.scale
    hrs, lrs = [], []
    for p in find_pairs(data.pairs, scale=k)[:MAX_IMAGES]:
        lr = centre_crop(read_image(p.lr), side // k, 1)
        hr = read_image(p.hr)
        t, s = (hr.shape[-2] // k - lr.shape[-2]) // 2, (hr.shape[-1] // k - lr.shape[-1]) // 2
        hrs.append(hr[:, t * k : (t + lr.shape[-2]) * k, s * k : (s + lr.shape[-1]) * k])
        lrs.append(lr)
    return hrs, lrs


def _jpeg_range(q: int) -> list[int]:
    return [max(1, q - 5), min(100, q + 5)]


def _bicubic(k: int, level: float, sigma: float, jpeg: int | None) -> dict[str, Any]:
    ops: list[dict[str, Any]] = [{"name": "bicubic", "params": {"scale": k, "level": level}}]
    if sigma > 0:
        ops.append({"name": "gaussian_noise", "params": {"sigma": round(sigma, 3)}})
    if jpeg is not None:
        ops.append({"name": "jpeg", "params": {"quality": _jpeg_range(jpeg)}})
    return ops[0] if len(ops) == 1 else {"name": "sequential", "params": {"ops": ops}}


def _camera(k: int, level: float, sigma: float, jpeg: int | None) -> dict[str, Any]:
    return {"name": "camera", "params": {
        "level": level, "scale": k, "read": round(sigma, 3), "shot": 0.0,
        "jpeg": _jpeg_range(jpeg) if jpeg is not None else None}}


#: name → (level grid for a scale, config from (scale, level, noise σ, JPEG quality)).
PIPELINES: dict[str, tuple[Callable[[int], list[float]],
                           Callable[[int, float, float, int | None], dict[str, Any]]]] = {
    "bicubic": (lambda k: geometric_grid(max(1.1, 0.75 * k), max(4.0, 3.0 * k), 21), _bicubic),
    "camera": (lambda k: geometric_grid(1.0, 8.0, 19), _camera),
}


def fit_classic(name: str, ctx: FitContext) -> FitResult:
    """Fit the pipeline ``name`` of :data:`PIPELINES` (module doc)."""
    grid_of, config_of = PIPELINES[name]
    data, k = ctx.data, ctx.data.scale

    def noise_free(level: float) -> Degrader:
        return from_config(config_of(k, level, 0.0, None))

    real_files = list_images([data.real_lr]) if data.real_lr is not None else []
    pairs = load_pairs(data)
    grid = grid_of(k)
    if pairs is not None:
        level, scores = best_on_pairs(noise_free, grid, *pairs, seed=ctx.seed)
        how = f"level from {len(pairs[0])} pairs (LR PSNR {max(scores):.2f} dB)"
        real, model_in = pairs[1], pairs[0]
    else:
        real = load_folder(data.real_lr)
        clean = load_folder(data.clean_hr, multiple=k)
        # at least 4 tiles an image: a Fréchet distance needs many samples
        patch = min(64, *(min(x.shape[-2:]) // 2 for x in real),
                    *(min(x.shape[-2:]) // (2 * k) for x in clean))
        level, scores = best_by_realism(noise_free, grid, clean, real, patch=patch,
                                        seed=ctx.seed)
        how = f"level from the real LR statistics (Fréchet {min(scores):.3f})"
        model_in = clean
    deg = noise_free(level)
    model_out = [deg(x[None], seed=ctx.seed, indices=[i]).lr[0]
                 for i, x in enumerate(model_in)]
    if pairs is not None:  # the residual of aligned pairs: content cancels exactly
        sigma = estimate_noise_sigma([r - m + 0.5 for r, m in zip(real, model_out,
                                                                   strict=True)])
    else:
        sigma = noise_beyond(real, model_out)
    sigma = sigma if sigma >= 0.5 else 0.0
    jpeg = jpeg_quality_of(real_files)
    config = config_of(k, level, sigma, jpeg)
    create(config["name"], **config["params"])  # fail here, not in scoring, if invalid
    return FitResult(config, {"level": level, "noise_sigma": round(sigma, 3),
                              "jpeg_quality": jpeg, "grid": grid, "scores": scores},
                     notes=how + (f"; noise σ {sigma:.2f}" if sigma else "; no noise")
                     + (f"; JPEG q≈{jpeg}" if jpeg is not None else "; no JPEG"))


def classic_fitter(name: str) -> Fitter:
    """The :class:`~degsdk.Fitter` of the classic pipeline ``name`` (``bicubic`` or
    ``camera``)."""
    return Fitter(
        f"The classic `{name}` pipeline with its blur level, noise and JPEG fitted.",
        lambda ctx: fit_classic(name, ctx), needs=("clean_hr",),
        needs_one_of=("pairs", "real_lr"),
        fits="blur level (from pairs, else real LR statistics), white-noise σ, JPEG quality",
        budget_weight=0.05)

"""The fitters of the built-in degraders: ``camera`` (the calibrated camera) and ``bicubic``.

- ``camera`` runs :func:`degsdk.calibrate.calibrate`: from the fitting pairs when they are at
  the target scale (PSF, colour, sharpening, noise, JPEG), else from the real LR and the clean
  HR (PSF, noise, JPEG); the fitted ``calibrated_camera`` is the method's degrader.
- ``bicubic``: the classic bicubic degradation at a fitted level (the blur) — with aligned pairs
  at the target scale the grid value whose noise-free output best reproduces the pairs' real LR
  (Y PSNR), without them the value whose LR made from the clean HR is closest to the real LR
  (Fréchet distance of ``degradation_stats`` tiles) — followed by the camera's sensor noise
  and JPEG, calibrated as the ``camera`` fitter does (:func:`degsdk.calibrate.fit_sensor`:
  Poisson–Gaussian noise matched by the noise-level function through the files' JPEG).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

from .._components import create
from .._config import from_config
from .._fitter import FitContext, FitData, FitResult, Fitter
from ..calibrate import (
    calibrate,
    fit_sensor,
    load_images,
    load_pairs,
    read_jpeg_settings,
    sensor_config,
)
from ..io import list_images
from ._estimate import best_by_realism, best_on_pairs, geometric_grid

MAX_IMAGES = 8
MAX_SIDE = 192  # LR pixels: centre crops keep a grid search cheap on large photos


def level_grid(k: int) -> list[float]:
    """The bicubic levels searched at scale ``k``."""
    return geometric_grid(max(1.1, 0.75 * k), max(4.0, 3.0 * k), 21)


def _bicubic(k: int, level: float) -> dict[str, Any]:
    return {"name": "bicubic", "params": {"scale": k, "level": level}}


def pairs_at_scale(data: FitData) -> bool:
    """Whether the fitting pairs are at the scale of the pairs ``degsdk fit`` makes."""
    return data.pairs is not None and data.pair_scale == data.scale


def fit_bicubic(ctx: FitContext) -> FitResult:
    """Fit the bicubic level and the sensor noise and JPEG (module doc)."""
    data, k = ctx.data, ctx.data.scale
    real_files = list_images([data.real_lr]) if data.real_lr is not None else []
    grid = level_grid(k)
    if pairs_at_scale(data):
        assert data.pairs is not None
        hrs, real, lr_files, _ = load_pairs(data.pairs, MAX_IMAGES, MAX_SIDE)
        level, scores = best_on_pairs(lambda v: from_config(_bicubic(k, v)), grid, hrs, real,
                                      seed=ctx.seed)
        how = f"level from {len(hrs)} pairs (LR PSNR {max(scores):.2f} dB)"
        model_in: list[Tensor] = hrs
        real_files = real_files + lr_files
    else:
        assert data.real_lr is not None
        real, _ = load_images(data.real_lr, MAX_IMAGES, MAX_SIDE)
        model_in, _ = load_images(data.clean_hr, MAX_IMAGES, MAX_SIDE * k, multiple=k)
        # at least 4 tiles an image: a Fréchet distance needs many samples
        patch = min(64, *(min(x.shape[-2:]) // 2 for x in real),
                    *(min(x.shape[-2:]) // (2 * k) for x in model_in))
        level, scores = best_by_realism(lambda v: from_config(_bicubic(k, v)), grid,
                                        model_in, real, patch=patch, seed=ctx.seed)
        how = f"level from the real LR statistics (Fréchet {min(scores):.3f})"
    deg = from_config(_bicubic(k, level))
    pre = [deg(x[None], seed=ctx.seed, indices=[i]).lr[0] for i, x in enumerate(model_in)]
    jpeg = read_jpeg_settings(real_files) if real_files else None
    noise, _ = fit_sensor(pre, real, paired=pairs_at_scale(data), jpeg=jpeg, seed=ctx.seed)
    config = {"name": "sequential", "params": {"ops": [_bicubic(k, level),
                                                       sensor_config(noise, jpeg)]}}
    create(config["name"], **config["params"])  # fail here, not in scoring, if invalid
    mid = 255 * noise.model_std(0.5, 1)
    codec = f"JPEG q{jpeg.quality} {jpeg.subsampling}" if jpeg is not None else "no JPEG"
    return FitResult(config, {"level": level, "noise_space": noise.space, "shot": noise.shot,
                              "read": noise.read, "noise_sigma_mid_grey": round(mid, 3),
                              "nlf_error": round(noise.error, 4),
                              "jpeg_quality": jpeg.quality if jpeg else None,
                              "jpeg_subsampling": jpeg.subsampling if jpeg else None,
                              "grid": grid, "scores": scores},
                     notes=f"{how}; {noise.space} noise, σ {mid:.2f} at mid-grey; {codec}",
                     under_budget=f"a search over {len(grid)} levels and a noise fit: done when "
                     "done, more time would not change them")


def fit_camera(ctx: FitContext) -> FitResult:
    """Calibrate the camera (module doc)."""
    d = ctx.data
    if pairs_at_scale(d):
        cal = calibrate(pairs=d.pairs, real_lr=d.real_lr, seed=ctx.seed, progress=ctx.progress)
    else:
        cal = calibrate(real_lr=d.real_lr, clean_hr=d.clean_hr, scale=d.scale, seed=ctx.seed,
                        progress=ctx.progress)
    s = cal.summary()
    psf, jpeg = s["psf"], s["jpeg"]
    notes = (f"calibrated from {cal.mode.replace('_', ' ')}: PSF {psf['sigma_x']:.2f}×"
             f"{psf['sigma_y']:.2f} px; {s['noise']['space']} noise (NLF within "
             f"{100 * s['noise']['nlf_error']:.0f} %); "
             + (f"JPEG q{jpeg['quality']} {jpeg['subsampling']}" if jpeg else "no JPEG"))
    return FitResult(cal.config, s, notes=notes,
                     under_budget="a calibration (least squares and noise by analysis by "
                     "synthesis) ends when it converges; more time would not change it")


def classic_fitter(name: str) -> Fitter:
    """The :class:`~degsdk.Fitter` of the built-in degrader ``name`` (``bicubic`` or
    ``camera``)."""
    if name == "camera":
        return Fitter("The calibrated camera: PSF, colour, sharpening, Poisson–Gaussian noise "
                      "and JPEG measured (`degsdk calibrate`).", fit_camera,
                      needs=("clean_hr",), needs_one_of=("pairs", "real_lr"),
                      fits="PSF (σx, σy, θ), colour, sharpening (pairs), per-channel "
                      "noise by its noise-level function through the files' JPEG, JPEG "
                      "quality and subsampling", budget_weight=0.1,
                      check=_camera_check)
    if name == "bicubic":
        return Fitter("The classic bicubic degradation with its level fitted, then the "
                      "camera's calibrated noise and JPEG.", fit_bicubic, needs=("clean_hr",),
                      needs_one_of=("pairs", "real_lr"),
                      fits="blur level (from pairs, else real LR statistics), "
                      "Poisson–Gaussian noise (noise-level function), JPEG", budget_weight=0.05)
    raise ValueError(f"no built-in fitter {name!r}; expected bicubic or camera")


def _camera_check(data: FitData) -> str | None:
    if not pairs_at_scale(data) and data.real_lr is None:
        return (f"the pairs are ×{data.pair_scale}, not ×{data.scale}, and there is no real LR "
                "to calibrate from")
    return None


def fit_classic(name: str, ctx: FitContext) -> FitResult:
    """Fit the built-in degrader ``name`` (``bicubic`` or ``camera``)."""
    return {"bicubic": fit_bicubic, "camera": fit_camera}[name](ctx)

"""``degsdk fit`` for binned-Fréchet crafting: the space is fitted to the camera before the bins
are weighed. JPEG is left out when the real LR files are not JPEGs (else its axis spans the
read quality ±20, at the files' chroma subsampling); the noise axis spans [0, 3σ̂] (at least
[0, 2]) for σ̂ the sensor noise at mid-grey that the core's calibration finds beyond
bicubic-downscaled clean HR (at ×1: down by 2 and back up) — Poisson–Gaussian noise matched by
its noise-level function through the files' JPEG (:func:`degsdk.calibrate.fit_sensor`) — and is
left out below σ̂ = 0.5. The number of clean crops per bin fills the method's share: degrading
and extracting crops through the mid-bin degradation is timed on runs of 2 and 6 crops
(:func:`degsdk.training.steps_within`), a crop per bin being one step of every bin."""

from __future__ import annotations

from typing import Any

import torch

import degsdk
from degsdk import DataMinimum, Fitter
from degsdk.calibrate import fit_sensor, load_images, read_jpeg_settings
from degsdk.fit import FitContext, FitData, FitResult
from degsdk.io import image_size, list_images, read_image
from degsdk.training import steps_within

from .command import craft_folders
from .craft import extract, random_crops
from .space import DegradationSpace, default_space

MAX_CROPS = 100
MIN_CROPS = 8


def _patch(data: FitData) -> int:
    assert data.real_lr is not None
    k = data.scale
    smallest = min(min(min(image_size(p)) for p in list_images([data.real_lr])),
                   min(min(image_size(p)) // k for p in list_images([data.clean_hr])))
    return min(72, smallest)


def check(data: FitData) -> str | None:
    """A reason crafting cannot fit this data, or None."""
    if _patch(data) < 16:
        return "the real LR (or clean HR / scale) are smaller than 16 px"
    return None


def fitted_space(data: FitData) -> tuple[DegradationSpace, dict[str, Any]]:
    """The space for this camera (module doc) and what was estimated."""
    assert data.real_lr is not None
    k = data.scale
    real, files = load_images(data.real_lr, limit=8)
    clean, _ = load_images(data.clean_hr, limit=8, side=256 * k, multiple=k)
    down = degsdk.create("bicubic", scale=k, level=2.0) if k == 1 else \
        degsdk.create("bicubic", scale=k)
    with torch.no_grad():
        made = [down(x[None], seed=0, indices=[0]).lr[0] for x in clean]
    codec = read_jpeg_settings(files)
    fitted, _ = fit_sensor(made, real, paired=False, jpeg=codec)
    sigma = 255 * fitted.model_std(0.5, 1)
    noise = None if sigma < 0.5 else (0.0, max(2.0, 3 * sigma))
    q = codec.quality if codec is not None else None
    jpeg = None if q is None else (max(10.0, q - 20.0), min(100.0, q + 20.0))
    space = default_space(k, noise=noise, jpeg=jpeg,
                          jpeg_subsampling=codec.subsampling if codec else "4:2:0")
    return (space, {"noise_sigma_estimate": round(sigma, 3), "jpeg_quality": q,
                    "jpeg_subsampling": codec.subsampling if codec else None,
                    "noise_axis": noise, "jpeg_axis": jpeg})


def _crops_for(space: DegradationSpace, data: FitData, patch: int, seconds: float) -> int:
    """Clean crops per bin that fit ``seconds`` (module doc), within [MIN_CROPS, MAX_CROPS]."""
    clean = [read_image(p) for p in list_images([data.clean_hr])[:8]]
    mid = space.degrader({a.name: (a.low + a.high) / 2 for a in space.axes})
    ext = degsdk.create_extractor("degradation_stats")
    side = round(patch * space.scale())

    def run(n: int) -> None:
        crops = random_crops(clean, n, side, 0)
        with torch.no_grad():
            extract(ext, mid(crops, seed=0, indices=list(range(n))).lr)

    timing = steps_within(0.0, run)
    total = timing.steps_for(seconds - timing.probe_s)
    return int(min(MAX_CROPS, max(MIN_CROPS, total // space.num_bins)))


def fit_crafting(ctx: FitContext) -> FitResult:
    """Craft a binned distribution for the fitting real LR over the fitted space."""
    d = ctx.data
    space, est = fitted_space(d)
    patch = _patch(d)
    crops = _crops_for(space, d, patch, ctx.seconds_left())
    out = ctx.out / "model"
    craft_folders(ref=d.real_lr, clean=d.clean_hr, out=out, scale=d.scale, patch=patch,
                  crops=crops, space=space, seed=ctx.seed, cache=ctx.out / "cache",
                  progress=ctx.progress, data="degsdk fit: the fitting real LR")
    axes = ", ".join(a.name for a in space.axes)
    return FitResult({"name": "binned", "params": {"weights": str(out)}},
                     {**est, "bins": space.num_bins, "crops_per_bin": crops},
                     notes=f"{space.num_bins} bins over {axes}; {crops} crops per bin",
                     under_budget=f"{MAX_CROPS} crops per bin (the most it uses) took less"
                     if crops == MAX_CROPS else "")


def crafting_fitter() -> Fitter:
    """The ``crafting`` fitter of ``degsdk fit``."""
    return Fitter("Crafting: bin weights of a blur/noise/JPEG space by Fréchet distance to the "
                  "real LR.", fit_crafting, needs=("real_lr", "clean_hr"), check=check,
                  minimum=DataMinimum(real_lr=2, clean_hr=1),
                  budget_weight=0.5,
                  fits="the space (JPEG or not, noise range from σ̂), bin weights (eq. 4)")

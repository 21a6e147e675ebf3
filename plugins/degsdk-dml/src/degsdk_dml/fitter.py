"""``degsdk fit`` for DML: trained on the fitting pairs within the method's time budget; the
noise that the paper fixes at white σ = 5 is calibrated instead, as the core's calibrated camera
does it: Poisson–Gaussian noise per channel whose noise-level function, after the camera's
own JPEG (quality and subsampling read from its files), matches the real LR's residual from
DML's noise-free prediction (:func:`degsdk.calibrate.fit_sensor`). The degrader handed back is
DML without its own noise followed by that sensor and codec (``calibrated_camera`` at scale 1).
Training fills the method's share: runs of 2 and 6 steps time a step
(:func:`degsdk.training.steps_within`) and the noise calibration is timed on the probe's model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from degsdk import DataMinimum, Fitter
from degsdk.calibrate import (
    JPEGFiles,
    NoiseFit,
    fit_sensor,
    load_pairs,
    read_jpeg_settings,
    sensor_config,
)
from degsdk.fit import FitContext, FitData, FitResult, plan_training
from degsdk.io import find_pairs, image_size

from .model import DML
from .train import train_dml

KERNEL_SIZE = 15
LR = 5e-4
MAX_SIDE = 256  # LR px: the centre crops the noise is calibrated on


def _margin(k: int) -> int:
    return -(-(KERNEL_SIZE // 2) // k) * k


def _patch(data: FitData) -> int:
    assert data.pairs is not None and data.pair_scale is not None
    k = data.pair_scale
    smallest = min(min(image_size(p.hr)) for p in find_pairs(data.pairs))
    return min(64, (smallest - 2 * _margin(k)) // k * k)


def check(data: FitData) -> str | None:
    """A reason DML cannot fit these pairs, or None."""
    if data.pair_scale != data.scale:
        return (f"the pairs are ×{data.pair_scale} but the pairs to make are ×{data.scale}; "
                "DML learns one scale")
    if _patch(data) < 4 * data.scale:
        return f"the pairs are too small for {KERNEL_SIZE}×{KERNEL_SIZE} kernels"
    return None


def calibrated_noise(model: DML, pairs: Path, seed: int = 0
                     ) -> tuple[NoiseFit, JPEGFiles | None]:
    """The camera's sensor noise beyond DML's noise-free prediction, and its codec, on centre
    crops of the pairs (module doc)."""
    hrs, lrs, files, _ = load_pairs(pairs, side=MAX_SIDE)
    with torch.no_grad():
        pre = [model.predict(hr[None])[0].clamp(0, 1) for hr in hrs]
    jpeg = read_jpeg_settings(files)
    noise, _ = fit_sensor(pre, lrs, paired=True, jpeg=jpeg, seed=seed)
    return noise, jpeg


def fit_dml(ctx: FitContext) -> FitResult:
    """Train DML on ``ctx.data.pairs`` and calibrate its noise and JPEG (module doc)."""
    d = ctx.data
    assert d.pairs is not None
    out = ctx.out / "model"
    common: dict[str, Any] = dict(pairs=d.pairs, lr=LR, patch=_patch(d),
                                  kernel_size=KERNEL_SIZE, seed=ctx.seed)
    # the noise calibration after training, timed on the probe's model
    plan = plan_training(ctx, train_dml, common, after=lambda probe: calibrated_noise(
        DML.from_pretrained(str(probe)), d.pairs, ctx.seed))  # type: ignore[arg-type]
    model = train_dml(**common, out=out, steps=int(plan["steps"]),
                      max_seconds=max(1.0, ctx.seconds_left() - plan["after_s"]),
                      checkpoint_every=200, resume=ctx.resume and (out / "checkpoint").is_dir(),
                      progress=ctx.progress, data="degsdk fit: the fitting pairs")
    noise, jpeg = calibrated_noise(model, d.pairs, ctx.seed)
    config = {"name": "sequential", "params": {"ops": [
        {"name": "dml", "params": {"weights": str(out), "noise_sigma": 0.0}},
        sensor_config(noise, jpeg)]}}
    mid = 255 * noise.model_std(0.5, 1)
    codec = f"JPEG q{jpeg.quality} {jpeg.subsampling}" if jpeg is not None else "no JPEG"
    return FitResult(config, {"noise_space": noise.space, "shot": noise.shot,
                              "read": noise.read, "noise_sigma_mid_grey": round(mid, 3),
                              "nlf_error": round(noise.error, 4),
                              "jpeg_quality": jpeg.quality if jpeg else None,
                              "jpeg_subsampling": jpeg.subsampling if jpeg else None},
                     notes=f"{noise.space} Poisson–Gaussian noise, σ {mid:.2f} at mid-grey "
                     f"(NLF within {100 * noise.error:.0f} %); {codec}")


def dml_fitter() -> Fitter:
    """The ``dml`` fitter of ``degsdk fit``."""
    return Fitter("DML: learned content-dependent blur from aligned real pairs.", fit_dml,
                  needs=("pairs", "clean_hr"), check=check, budget_weight=1.0,
                  minimum=DataMinimum(pairs=2),
                  fits="basis kernels and weight network (trained), Poisson–Gaussian noise "
                  "(noise-level function of the pairs' residual) and JPEG (from the files)")

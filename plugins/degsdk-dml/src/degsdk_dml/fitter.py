"""``degsdk fit`` for DML: trained on the fitting pairs within the method's time budget; the
noise σ that the paper fixes at 5 is fitted instead, from the residual between the real LR and
the model's noise-free prediction (wavelet-MAD estimate, on centre crops of the pairs)."""

from __future__ import annotations

from pathlib import Path

import torch

from degsdk import Fitter
from degsdk.fit import FitContext, FitData, FitResult, estimate_noise_sigma
from degsdk.io import find_pairs, image_size, read_image

from .model import DML
from .train import train_dml

KERNEL_SIZE = 15
STEPS_CAP = 200_000  # the time budget ends training; this only bounds the progress bar
MAX_SIDE = 384


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


def residual_noise_sigma(model: DML, pairs: Path, scale: int) -> float:
    """σ (0–255) of the real LR's deviation from the noise-free prediction, on centre crops
    of the pairs (at most ``MAX_SIDE`` HR px a side)."""
    residuals = []
    with torch.no_grad():
        for p in find_pairs(pairs, scale=scale):
            hr, lr = read_image(p.hr), read_image(p.lr)
            h, w = (min(s, MAX_SIDE // scale) for s in lr.shape[-2:])
            t, s = (lr.shape[-2] - h) // 2, (lr.shape[-1] - w) // 2
            pred = model.predict(hr[None, :, t * scale : (t + h) * scale,
                                    s * scale : (s + w) * scale])[0]
            residuals.append(lr[:, t : t + h, s : s + w] - pred + 0.5)
    return estimate_noise_sigma(residuals)


def fit_dml(ctx: FitContext) -> FitResult:
    """Train DML on ``ctx.data.pairs`` and fit its noise σ (module doc)."""
    d = ctx.data
    assert d.pairs is not None
    out = ctx.out / "model"
    model = train_dml(pairs=d.pairs, out=out, steps=STEPS_CAP, max_seconds=0.9 * ctx.seconds,
                      lr=5e-4, patch=_patch(d), kernel_size=KERNEL_SIZE, seed=ctx.seed,
                      checkpoint_every=200, resume=ctx.resume and (out / "checkpoint").is_dir(),
                      progress=ctx.progress, data="degsdk fit: the fitting pairs")
    sigma = residual_noise_sigma(model, d.pairs, d.scale)
    sigma = round(sigma, 3) if sigma >= 0.5 else 0.0
    return FitResult({"name": "dml", "params": {"weights": str(out), "noise_sigma": sigma}},
                     {"noise_sigma": sigma}, notes=f"noise σ {sigma:.2f} from the residual")


def dml_fitter() -> Fitter:
    """The ``dml`` fitter of ``degsdk fit``."""
    return Fitter("DML: learned content-dependent blur from aligned real pairs.", fit_dml,
                  needs=("pairs", "clean_hr"), check=check, budget_weight=1.0,
                  fits="basis kernels and weight network (trained), noise σ (from the "
                  "residual of the pairs)")

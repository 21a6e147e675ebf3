"""``degsdk fit`` for DeFlow: the tiny preset trained on clean HR (bicubic-downscaled to the LR
size) against the fitting real LR, with the paired likelihood when there are aligned (×1)
pairs; the number of steps is set from the budget by timing a few steps, so the learning-rate
schedule runs its course. The temperature τ that scales the latent shift is then fitted: the
value on a grid whose LR is closest to the fitting real LR (Fréchet distance of
``degradation_stats`` tiles)."""

from __future__ import annotations

import json
import shutil
import time
from typing import Any

from degsdk import Fitter, from_config
from degsdk.fit import FitContext, FitData, FitResult, best_by_realism
from degsdk.io import image_size, list_images, read_image, write_text_atomic

from .model import PRESETS
from .train import train_deflow

TEMPERATURES = (0.25, 0.5, 0.75, 1.0, 1.25)
PRESET = "tiny"
COND_DOWN = 4


def _multiple() -> int:
    return max(2 ** PRESETS[PRESET]["levels"], COND_DOWN)


def _patch(data: FitData) -> int:
    assert data.real_lr is not None
    k = data.scale
    smallest = min(min(min(image_size(p)) for p in list_images([data.real_lr])),
                   min(min(image_size(p)) // k for p in list_images([data.clean_hr])))
    m = _multiple()
    return min(64, smallest // m * m)


def check(data: FitData) -> str | None:
    """A reason DeFlow cannot fit this data, or None."""
    if _patch(data) < _multiple():
        return f"the images are smaller than its {_multiple()} px patch multiple"
    return None


def _config(k: int, weights: str, temperature: float) -> dict[str, Any]:
    deflow = {"name": "deflow", "params": {"weights": weights, "temperature": temperature}}
    if k == 1:
        return deflow
    return {"name": "sequential", "params": {"ops": [
        {"name": "bicubic", "params": {"scale": k}}, deflow]}}


def fit_deflow(ctx: FitContext) -> FitResult:
    """Train DeFlow and fit its temperature (module doc)."""
    d = ctx.data
    assert d.real_lr is not None
    k = d.scale
    pairs = d.pairs if d.pairs is not None and d.pair_scale == 1 else None
    out = ctx.out / "model"
    common: dict[str, Any] = dict(clean=d.clean_hr, degraded=d.real_lr, clean_down=k,
                                  preset=PRESET, cond_down=COND_DOWN, patch=_patch(d),
                                  pairs=pairs, seed=ctx.seed)
    plan_file = ctx.out / "plan.json"
    if ctx.resume and plan_file.is_file():
        steps = int(json.loads(plan_file.read_text())["steps"])
    else:
        probe = ctx.out / "probe"
        t0 = time.perf_counter()
        train_deflow(**common, out=probe, steps=3, checkpoint_every=0, progress=False)
        per_step = (time.perf_counter() - t0) / 3
        shutil.rmtree(probe, ignore_errors=True)
        steps = max(10, int(0.75 * ctx.seconds / per_step))
        write_text_atomic(plan_file, json.dumps({"steps": steps, "seconds_per_step":
                                                 per_step}) + "\n")
    train_deflow(**common, out=out, steps=steps, max_seconds=0.85 * ctx.seconds,
                 checkpoint_every=100, resume=ctx.resume and (out / "checkpoint").is_dir(),
                 progress=ctx.progress, data="degsdk fit: clean HR vs the fitting real LR")
    clean = [read_image(p) for p in list_images([d.clean_hr])[:8]]
    clean = [x[:, : min(x.shape[-2], 256 * k) // k * k, : min(x.shape[-1], 256 * k) // k * k]
             for x in clean]
    real = [read_image(p) for p in list_images([d.real_lr])[:8]]
    patch = min(64, *(min(x.shape[-2:]) for x in real), *(min(x.shape[-2:]) // k for x in clean))
    tau, dists = best_by_realism(lambda t: from_config(_config(k, str(out), t)), TEMPERATURES,
                                 clean, real, patch=patch, seed=ctx.seed)
    return FitResult(_config(k, str(out), tau),
                     {"temperature": tau, "steps": steps, "paired": pairs is not None,
                      "temperature_distances": dists},
                     notes=f"τ = {tau:g} by realism; {steps} steps planned"
                     + ("; paired likelihood on" if pairs is not None else ""))


def deflow_fitter() -> Fitter:
    """The ``deflow`` fitter of ``degsdk fit``."""
    return Fitter("DeFlow: a conditional flow learned from unpaired clean and real LR images.",
                  fit_deflow, needs=("real_lr", "clean_hr"), check=check, budget_weight=3.0,
                  fits="the flow (trained, paired when there are ×1 pairs), temperature τ "
                  "(by realism)")

"""``degsdk fit`` for DeFlow: the tiny preset trained on clean HR (bicubic-downscaled to the LR
size) against the fitting real LR, with the paired likelihood when there are aligned (×1)
pairs. The temperature τ that scales the latent shift is then fitted: the value on a grid whose
LR is closest to the fitting real LR (Fréchet distance of ``degradation_stats`` tiles). The
number of steps fills the method's share: runs of 2 and 6 steps time a step
(:func:`degsdk.training.steps_within`) and the τ search is timed on the probe's model, so the
learning-rate schedule runs its course and the search fits after it.

Training fine-tunes the shipped ``deflow/realsrset`` weights (the same tiny preset) when they are
installed, with ×1 pairs (the paired likelihood) too: trained from scratch on a few pairs, the
flow's fine-level decoder amplified its latent shift ~15,000× and no τ gave realistic LR
(``benchmarks/deflow_fit_probe.py``, issue 30). The result records the start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torch import Tensor

import degsdk
from degsdk import DataMinimum, Fitter, from_config
from degsdk.fit import FitContext, FitData, FitResult, best_by_realism, plan_training
from degsdk.io import image_size, list_images, read_image

from .model import PRESETS
from .train import train_deflow

# 0.05 and 0.1 since issue 30: a briefly trained flow's learned shift can be far too large for
# its latents (benchmarks/deflow_fit_probe.py: the best τ was 0.1), and the search should be
# able to find that
TEMPERATURES = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.25)
BASE_WEIGHTS = "deflow/realsrset"  # the tiny preset with COND_DOWN: what fitting starts from
PRESET = "tiny"
COND_DOWN = 4


def base_weights() -> str | None:
    """The shipped weights fitting fine-tunes, or None when they are not installed."""
    return BASE_WEIGHTS if BASE_WEIGHTS in degsdk.list_weights() else None


def cost_probe(data: FitData) -> dict[str, Any] | None:
    """A degrader that costs per image what the fitted one will: the shipped weights."""
    base = base_weights()
    return _config(data.scale, base, 1.0) if base else None


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


def _search_data(data: FitData) -> tuple[list[Tensor], list[Tensor], int]:
    """The clean HR crops, the real LR and the tile side the τ search compares."""
    assert data.real_lr is not None
    k = data.scale
    clean = [read_image(p) for p in list_images([data.clean_hr])[:8]]
    clean = [x[:, : min(x.shape[-2], 256 * k) // k * k, : min(x.shape[-1], 256 * k) // k * k]
             for x in clean]
    real = [read_image(p) for p in list_images([data.real_lr])[:8]]
    patch = min(64, *(min(x.shape[-2:]) for x in real), *(min(x.shape[-2:]) // k for x in clean))
    return clean, real, patch


def _search(data: FitData, weights: Path, grid: tuple[float, ...], seed: int
            ) -> tuple[float, list[float]]:
    clean, real, patch = _search_data(data)
    return best_by_realism(lambda t: from_config(_config(data.scale, str(weights), t)), grid,
                           clean, real, patch=patch, seed=seed)


def fit_deflow(ctx: FitContext) -> FitResult:
    """Train DeFlow and fit its temperature (module doc)."""
    d = ctx.data
    assert d.real_lr is not None
    k = d.scale
    pairs = d.pairs if d.pairs is not None and d.pair_scale == 1 else None
    out = ctx.out / "model"
    base = base_weights()
    common: dict[str, Any] = dict(clean=d.clean_hr, degraded=d.real_lr, clean_down=k,
                                  preset=PRESET, cond_down=COND_DOWN, patch=_patch(d),
                                  pairs=pairs, seed=ctx.seed, init=base)
    # the τ search after training, timed once on the probe's model
    plan = plan_training(ctx, train_deflow, common, after_repeats=len(TEMPERATURES),
                         after=lambda probe: _search(d, probe, TEMPERATURES[:1], ctx.seed))
    steps = int(plan["steps"])
    train_deflow(**common, out=out, steps=steps,
                 max_seconds=max(1.0, ctx.seconds_left() - plan["after_s"]),
                 checkpoint_every=100, resume=ctx.resume and (out / "checkpoint").is_dir(),
                 progress=ctx.progress, data="degsdk fit: clean HR vs the fitting real LR")
    tau, dists = _search(d, out, TEMPERATURES, ctx.seed)
    return FitResult(_config(k, str(out), tau),
                     {"temperature": tau, "steps": steps, "paired": pairs is not None,
                      "init": base or "scratch", "temperature_distances": dists},
                     notes=f"τ = {tau:g} by realism; {steps} steps planned, "
                     + (f"fine-tuned from {base}" if base else
                        "from scratch (no shipped weights installed)")
                     + ("; paired likelihood on" if pairs is not None else ""))


def deflow_fitter() -> Fitter:
    """The ``deflow`` fitter of ``degsdk fit``."""
    return Fitter("DeFlow: a conditional flow learned from unpaired clean and real LR images.",
                  fit_deflow, needs=("real_lr", "clean_hr"), check=check, budget_weight=3.0,
                  fits="the flow (fine-tuned from deflow/realsrset, with the paired "
                  "likelihood when there are ×1 pairs), temperature τ (by realism)",
                  minimum=DataMinimum(real_lr=2, clean_hr=1), cost_probe=cost_probe)

"""``degsdk fit`` for InterFlow: trained on the real pairs at several zoom levels
(``--levels LEVEL=DIR``, aligned ×1 pairs sharing one HR per scene), the tiny preset, steps that
fill the method's share (runs of 2 and 6 steps time a step, :func:`degsdk.training.steps_within`,
and the level search is timed on the probe's model). Then the level of the user's camera is
fitted by realism: each level on a grid over the trained range, and the whole range drawn per sample
(a continuous-level recipe), generate LR from the clean HR, and the one closest to the
fitting real LR (Fréchet distance of ``degradation_stats`` tiles) is kept. For pairs of scale
k > 1 the aligned output is bicubic-downscaled by k.

Training fine-tunes the shipped ``interflow/camera24`` weights (the tiny preset, two levels) when
they are installed and the user gives two levels, and starts from scratch otherwise; the result
records which."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from torch import Tensor

import degsdk
from degsdk import Fitter, from_config
from degsdk.fit import (
    FitContext,
    FitData,
    FitResult,
    plan_training,
    realism_distance,
    reference_features,
)
from degsdk.io import find_pairs, image_size, list_images, read_image

from .model import PRESETS
from .train import train_interflow

PRESET = "tiny"
GRID = 5  # levels tried over the trained range
BASE_WEIGHTS = "interflow/camera24"  # the tiny preset at two levels: what fitting starts from


def base_weights(data: FitData) -> str | None:
    """The shipped weights fitting fine-tunes (None: not installed, or another number of
    levels than the weights')."""
    if BASE_WEIGHTS not in degsdk.list_weights():
        return None
    return BASE_WEIGHTS if len(data.levels) == 2 else None


def cost_probe(data: FitData) -> dict[str, Any] | None:
    """A degrader that costs per image what the fitted one will: the shipped weights."""
    if BASE_WEIGHTS not in degsdk.list_weights():
        return None
    return _config(data.scale, BASE_WEIGHTS, 3.0)


def _multiple() -> int:
    return max(4, 2 ** PRESETS[PRESET]["flow_levels"])


def _patch(data: FitData) -> int:
    smallest = min(min(image_size(p.hr)) for d in data.levels.values() for p in find_pairs(d))
    m = _multiple()
    return min(64, smallest // m * m)


def check(data: FitData) -> str | None:
    """A reason InterFlow cannot fit this data, or None."""
    if len(data.levels) < 2:
        return "needs real pairs at two or more zoom levels (--levels LEVEL=DIR, twice)"
    for level, folder in data.levels.items():
        p = find_pairs(folder)[0]
        if image_size(p.hr) != image_size(p.lr):
            return (f"needs aligned (×1) pairs at every level; level {level:g} pairs in "
                    f"{folder} are not")
    if _patch(data) < _multiple():
        return f"the level pairs are smaller than its {_multiple()} px patch multiple"
    return None


def _config(k: int, weights: str, level: float | list[float]) -> dict[str, Any]:
    inter = {"name": "interflow", "params": {"weights": weights, "level": level}}
    if k == 1:
        return inter
    return {"name": "sequential", "params": {"ops": [
        inter, {"name": "resize", "params": {"factor": 1.0 / k}}]}}


def _search_data(data: FitData) -> tuple[list[Tensor], Tensor, int]:
    """The clean HR crops, the real LR's reference features and the tile side of the level
    search."""
    assert data.real_lr is not None
    k = data.scale
    clean = [read_image(p) for p in list_images([data.clean_hr])[:8]]
    clean = [x[:, : min(x.shape[-2], 256 * k) // (4 * k) * 4 * k,
               : min(x.shape[-1], 256 * k) // (4 * k) * 4 * k] for x in clean]
    real = [read_image(p) for p in list_images([data.real_lr])[:8]]
    patch = min(64, *(min(x.shape[-2:]) for x in real),
                *(min(x.shape[-2:]) // k for x in clean))
    return clean, reference_features(real, "degradation_stats", patch), patch


def _distances(data: FitData, weights: Path, grid: list[float | list[float]], seed: int
               ) -> dict[str, float]:
    """Each grid entry's realism distance (keyed by its JSON)."""
    clean, ref, patch = _search_data(data)
    return {json.dumps(v): realism_distance(from_config(_config(data.scale, str(weights), v)),
                                            clean, ref, "degradation_stats", patch, seed)
            for v in grid}


def _grid(data: FitData) -> list[float | list[float]]:
    lo, hi = min(data.levels), max(data.levels)
    grid: list[float | list[float]] = [round(lo + (hi - lo) * i / (GRID - 1), 3)
                                       for i in range(GRID)]
    return [*grid, [lo, hi]]


def fit_interflow(ctx: FitContext) -> FitResult:
    """Train InterFlow on the level pairs and fit the camera's level (module doc)."""
    d = ctx.data
    k = d.scale
    out = ctx.out / "model"
    base = base_weights(d)
    common: dict[str, Any] = dict(level_pairs=d.levels, preset=PRESET, patch=_patch(d),
                                  seed=ctx.seed, init=base)
    grid = _grid(d)  # the level search after training, timed once on the probe's model
    plan = plan_training(ctx, train_interflow, common, after_repeats=len(grid),
                         after=None if d.real_lr is None else
                         lambda probe: _distances(d, probe, grid[:1], ctx.seed))
    steps = int(plan["steps"])
    train_interflow(**common, out=out, steps=steps,
                    max_seconds=max(1.0, ctx.seconds_left() - plan["after_s"]),
                    checkpoint_every=100, resume=ctx.resume and (out / "checkpoint").is_dir(),
                    progress=ctx.progress, data="degsdk fit: the real pairs at levels "
                    + ", ".join(f"{s:g}" for s in sorted(d.levels)))
    lo, hi = min(d.levels), max(d.levels)
    dists: dict[str, float] = {}
    if d.real_lr is not None:
        dists = _distances(d, out, grid, ctx.seed)
        best = json.loads(min(dists, key=lambda key: dists[key]))
        how = "by realism"
    else:
        best, how = [lo, hi], "the trained range (no real LR to choose a level by)"
    shown = f"{best:g}" if isinstance(best, float) else f"[{best[0]:g}, {best[1]:g}]"
    return FitResult(_config(k, str(out), best),
                     {"level": best, "steps": steps, "trained_levels": sorted(d.levels),
                      "init": base or "scratch", "level_distances": dists},
                     notes=f"level {shown} {how}; trained on levels "
                     + ", ".join(f"{s:g}" for s in sorted(d.levels)) + f"; {steps} steps, "
                     + (f"fine-tuned from {base}" if base else "from scratch"))


def interflow_fitter() -> Fitter:
    """The ``interflow`` fitter of ``degsdk fit``."""
    return Fitter("InterFlow: a conditional flow over zoom levels, learned from real pairs "
                  "at several levels.", fit_interflow, needs=("levels",), check=check,
                  budget_weight=3.0, fits="the flow (on the level pairs, fine-tuned from "
                  "interflow/camera24 at two levels), the camera's zoom level or the whole "
                  "trained range (by realism)", cost_probe=cost_probe)

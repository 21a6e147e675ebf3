"""``degsdk fit`` for InterFlow: trained on the real pairs at several zoom levels
(``--levels LEVEL=DIR``, aligned ×1 pairs sharing one HR per scene), the tiny preset, steps set
from the budget by timing a few steps. Then the level of the user's camera is fitted by
realism: each level on a grid over the trained range, and the whole range drawn per sample
(a continuous-level recipe), generate LR from the clean HR, and the one closest to the
fitting real LR (Fréchet distance of ``degradation_stats`` tiles) is kept. For pairs of scale
k > 1 the aligned output is bicubic-downscaled by k."""

from __future__ import annotations

import json
import shutil
import time
from typing import Any

from degsdk import Fitter, from_config
from degsdk.fit import (
    FitContext,
    FitData,
    FitResult,
    realism_distance,
    reference_features,
)
from degsdk.io import find_pairs, image_size, list_images, read_image, write_text_atomic

from .model import PRESETS
from .train import train_interflow

PRESET = "tiny"
GRID = 5  # levels tried over the trained range


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


def fit_interflow(ctx: FitContext) -> FitResult:
    """Train InterFlow on the level pairs and fit the camera's level (module doc)."""
    d = ctx.data
    k = d.scale
    out = ctx.out / "model"
    common: dict[str, Any] = dict(level_pairs=[f"{s:g}={p}" for s, p in sorted(d.levels.items())],
                                  preset=PRESET, patch=_patch(d), seed=ctx.seed)
    plan_file = ctx.out / "plan.json"
    if ctx.resume and plan_file.is_file():
        steps = int(json.loads(plan_file.read_text())["steps"])
    else:  # time 2 and 6 steps: the difference excludes the fixed start-up cost
        probe = ctx.out / "probe"
        times = []
        for n in (2, 6):
            t0 = time.perf_counter()
            train_interflow(**common, out=probe, steps=n, checkpoint_every=0, progress=False)
            times.append(time.perf_counter() - t0)
        shutil.rmtree(probe, ignore_errors=True)
        per_step = max(1e-3, (times[1] - times[0]) / 4)
        steps = max(10, int(0.7 * ctx.seconds / per_step))
        write_text_atomic(plan_file, json.dumps({"steps": steps, "seconds_per_step":
                                                 per_step}) + "\n")
    train_interflow(**common, out=out, steps=steps, max_seconds=0.8 * ctx.seconds,
                    checkpoint_every=100, resume=ctx.resume and (out / "checkpoint").is_dir(),
                    progress=ctx.progress, data="degsdk fit: the real pairs at levels "
                    + ", ".join(f"{s:g}" for s in sorted(d.levels)))
    lo, hi = min(d.levels), max(d.levels)
    grid: list[float | list[float]] = [round(lo + (hi - lo) * i / (GRID - 1), 3)
                                       for i in range(GRID)]
    grid.append([lo, hi])
    dists: dict[str, float] = {}
    if d.real_lr is not None:
        clean = [read_image(p) for p in list_images([d.clean_hr])[:8]]
        clean = [x[:, : min(x.shape[-2], 256 * k) // (4 * k) * 4 * k,
                   : min(x.shape[-1], 256 * k) // (4 * k) * 4 * k] for x in clean]
        real = [read_image(p) for p in list_images([d.real_lr])[:8]]
        patch = min(64, *(min(x.shape[-2:]) for x in real),
                    *(min(x.shape[-2:]) // k for x in clean))
        ref = reference_features(real, "degradation_stats", patch)
        for v in grid:
            deg = from_config(_config(k, str(out), v))
            dists[json.dumps(v)] = realism_distance(deg, clean, ref, "degradation_stats",
                                                    patch, ctx.seed)
        best = json.loads(min(dists, key=lambda key: dists[key]))
        how = "by realism"
    else:
        best, how = [lo, hi], "the trained range (no real LR to choose a level by)"
    shown = f"{best:g}" if isinstance(best, float) else f"[{best[0]:g}, {best[1]:g}]"
    return FitResult(_config(k, str(out), best),
                     {"level": best, "steps": steps, "trained_levels": sorted(d.levels),
                      "level_distances": dists},
                     notes=f"level {shown} {how}; trained on levels "
                     + ", ".join(f"{s:g}" for s in sorted(d.levels)) + f"; {steps} steps")


def interflow_fitter() -> Fitter:
    """The ``interflow`` fitter of ``degsdk fit``."""
    return Fitter("InterFlow: a conditional flow over zoom levels, learned from real pairs "
                  "at several levels.", fit_interflow, needs=("levels",), check=check,
                  budget_weight=3.0, fits="the flow (on the level pairs), the camera's zoom "
                  "level or the whole trained range (by realism)")

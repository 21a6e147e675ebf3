"""Densifying a multi-level dataset (paper eq. 6–7): for every scene and every target level s
between two captured levels s₁ < s₂, encode the captured LR of both levels under the scene's
HR condition, blend the latents with weight w(s) and decode: ``degsdk interflow-densify`` or
``densify(...)``.

w(s) is the model's level map (linear, or its calibration) when s₁ and s₂ are adjacent trained
levels, else linear between the captured levels. Encoding is deterministic (no dequantisation
noise), as in the official generation. The output has one paired folder per target level,
``out/<level>/hr/<scene>.png`` and ``out/<level>/lr/<scene>.png`` (aligned, HR size), ready for
``degsdk train sr`` or ``degsdk eval``, and ``out/densify.json`` listing what was made.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch
from pydantic import Field
from tqdm import tqdm

from degsdk import Command, ConfigError, Options, ZoomLevels, create
from degsdk.io import staged_folder, write_image, write_text_atomic

from .data import MultiLevelSet, from_folders, from_realsr
from .level_map import bracket
from .model import InterFlow, pad_to_multiple


def parse_targets(items: list[str]) -> list[float]:
    """``["2.5", "2.1:3.9:0.1"]`` → sorted distinct levels (a START:STOP:STEP range includes
    STOP when it falls on the grid)."""
    out: set[float] = set()
    for item in items:
        parts = item.split(":")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            nums = []
        if len(nums) == 1 and nums[0] > 0:
            out.add(round(nums[0], 6))
        elif len(nums) == 3 and 0 < nums[0] <= nums[1] and nums[2] > 0:
            n = math.floor((nums[1] - nums[0]) / nums[2] + 1e-6)
            out.update(round(nums[0] + k * nums[2], 6) for k in range(n + 1))
        else:
            raise ConfigError(f"--target {item!r}: expected a level (2.5) or START:STOP:STEP "
                              "(2.1:3.9:0.1) of positive levels")
    return sorted(out)


def _weight(model: InterFlow, lo: float, hi: float, level: float) -> float:
    trained = model.cfg.trained_levels
    i = bracket(level, trained)
    if trained[i] == lo and trained[i + 1] == hi:
        return model.blend_weight(level)[1]
    return (level - lo) / (hi - lo)


def densify(model: InterFlow, data: MultiLevelSet, targets: list[float], out: str | Path,
            progress: bool = True) -> dict[str, Any]:
    """Generate every target level of every scene of ``data`` (module doc) into ``out``;
    returns what ``out/densify.json`` records. Targets outside the captured range are
    refused."""
    lo_all, hi_all = data.levels[0], data.levels[-1]
    bad = [t for t in targets if not lo_all <= t <= hi_all]
    if bad:
        raise ConfigError(f"--target {bad}: outside the captured levels {lo_all:g}–{hi_all:g} "
                          "(densify interpolates between captured levels)")
    out = Path(out)
    plan = []
    for t in targets:
        i = min(bracket(t, data.levels), len(data.levels) - 2)
        lo, hi = data.levels[i], data.levels[i + 1]
        plan.append((t, i, _weight(model, lo, hi, t)))
    m = model.size_multiple
    model.eval()
    with staged_folder(out) as staging:  # an interrupted run leaves out as it was
        _generate(model, data, plan, staging, m, progress)
        record = {"model": model.weights_ref, "captured_levels": data.levels,
                  "targets": [{"level": t, "between": [data.levels[i], data.levels[i + 1]],
                               "weight": wt} for t, i, wt in plan],
                  "scenes": data.names}
        write_text_atomic(staging / "densify.json", json.dumps(record, indent=2) + "\n")
    return record


def _generate(model: InterFlow, data: MultiLevelSet, plan: list[tuple[float, int, float]],
              out: Path, m: int, progress: bool) -> None:
    for k, name in enumerate(tqdm(data.names, desc="densify", unit="scene",
                                  disable=None if progress else True)):
        hr = data.hr[k][None]
        h, w = hr.shape[-2:]
        with torch.no_grad():
            conds = model.conditions(pad_to_multiple(hr, m))
            zs = [model.encode(pad_to_multiple(x[None], m), conds)[0] for x in data.lr[k]]
            for t, i, wt in plan:
                y = model.decode((1 - wt) * zs[i] + wt * zs[i + 1], conds).clamp(0, 1)
                folder = out / f"{t:g}"
                stem = name.replace("/", "_")
                write_image(folder / "hr" / f"{stem}.png", data.hr[k])
                write_image(folder / "lr" / f"{stem}.png", y[0, :, :h, :w])


class DensifyOptions(Options):
    """Options of ``degsdk interflow-densify``."""

    model: str = Field(description="InterFlow weights: a ref (interflow/camera24, hf://…) or "
                       "a model folder")
    out: Path = Field(description="output folder (one paired folder per target level)")
    target: list[str] = Field(description="target levels: 2.5 or START:STOP:STEP "
                              "(repeatable)")
    hr: Path | None = Field(None, description="folder of HR images")
    level: ZoomLevels = Field(default_factory=dict, description="LEVEL=DIR: captured LR "
                             "registered to the HR (repeatable, ≥ 2)")
    realsr: Path | None = Field(None, description="a RealSR v2 root instead of --hr/--level")
    camera: str | None = Field(None, description="RealSR camera folder")
    split: str = Field("Train", description="RealSR split folder")
    progress: bool = Field(True, description="show a progress bar")


def densify_command() -> Command:
    """``degsdk interflow-densify``: ``densify`` with ``DensifyOptions``."""

    def run(o: DensifyOptions) -> None:
        if (o.realsr is None) == (o.hr is None):
            raise ConfigError("give either --realsr ROOT or --hr DIR with --level LEVEL=DIR")
        data = (from_realsr(o.realsr, o.camera, o.split) if o.realsr is not None
                else from_folders(o.hr, o.level))  # type: ignore[arg-type]
        model = create("interflow", weights=o.model)
        if not isinstance(model, InterFlow):
            raise ConfigError(f"--model {o.model}: not an InterFlow model")
        targets = parse_targets(o.target)
        record = densify(model, data, targets, o.out, o.progress)
        print(f"wrote {len(record['scenes'])} scenes × {len(targets)} levels to {o.out}")

    return Command("Densify a multi-level dataset with InterFlow (latent interpolation "
                   "between captured zoom levels).", run, DensifyOptions)

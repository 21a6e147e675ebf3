"""The time budget of ``degsdk fit``: parsing ``2h`` / ``90m`` / ``1h30m`` / ``600``, measuring
what scoring will cost, splitting the rest across the methods by weight, and sizing a method's
training run to its share (``plan_training``)."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from .._errors import ConfigError
from .._fitter import FitContext
from .._options import parse_zoom_levels
from .._quote import quote
from ..io import write_text_atomic
from ..sr import train_sr_on_tensors
from ..training import steps_within

_PART = re.compile(r"(\d+(?:\.\d+)?)([hms])")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_budget(text: str | float | int) -> float:
    """Seconds in ``text``: a number of seconds, or parts like ``2h``, ``90m``, ``1h30m``,
    ``45s``."""
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        t = text.strip().lower().replace(" ", "")
        try:
            seconds = float(t)
        except ValueError:
            parts = _PART.findall(t)
            if not parts or "".join(a + u for a, u in parts) != t:
                raise ConfigError(f"--budget {quote(text)}: expected seconds or a duration like "
                                  "2h, 90m, 1h30m, 45s") from None
            seconds = sum(float(a) * _UNIT[u] for a, u in parts)
    if not seconds > 0:
        raise ConfigError(f"--budget {quote(text)}: must be positive")
    return seconds


def number_assignment(item: str) -> tuple[str, float | None]:
    """``KEY=NUMBER`` → (key, number); the number is None when it is missing or not one."""
    key, sep, value = item.partition("=")
    try:
        return key, float(value) if sep else None
    except ValueError:
        return key, None


def parse_levels(items: Sequence[str], option: str = "--levels") -> dict[float, Path]:
    """``LEVEL=DIR`` items (zoom level → folder) → {level: Path}, as a ``degsdk.ZoomLevels``
    option parses them (a level must be a positive number and appear once); errors name
    ``option``."""
    try:
        return parse_zoom_levels(list(items))
    except ValueError as exc:
        raise ConfigError(f"{option}: {exc}") from None


def parse_shares(items: Sequence[str]) -> dict[str, float]:
    """``NAME=WEIGHT`` items → {name: weight} (weights > 0)."""
    out = {}
    for item in items:
        name, weight = number_assignment(item)
        if not name or weight is None or not weight > 0:
            raise ConfigError(f"--share {quote(item)}: expected METHOD=WEIGHT with WEIGHT > 0")
        out[name] = weight
    return out


def split_budget(seconds: float, weights: Mapping[str, float]) -> dict[str, float]:
    """``seconds`` split across methods in proportion to their weights."""
    total = sum(weights.values())
    return {name: seconds * w / total for name, w in weights.items()} if total else {}


def seconds_per_sr_step(scale: int, patch: int, batch_size: int, channels: int, blocks: int
                        ) -> float:
    """Measured seconds per SR training step (``train_sr_on_tensors``) with these settings on
    this machine (:func:`degsdk.training.steps_within`: runs of 2 and 6 steps on random pairs,
    so set-up time is not counted per step); the smaller of two such measurements, since other
    work on the machine only ever slows a step down."""
    g = torch.Generator().manual_seed(0)
    side = patch * max(scale, 2) * 2
    hr = [torch.rand(3, side, side, generator=g)]
    lr = [torch.rand(3, side // scale, side // scale, generator=g)]

    def run(steps: int) -> None:
        train_sr_on_tensors(hr, lr, scale=scale, steps=steps, batch_size=batch_size,
                            patch=patch, seed=0, channels=channels, blocks=blocks,
                            progress=False)

    return min(steps_within(0.0, run).seconds_per_step for _ in range(2))


PLAN = "plan.json"


def plan_training(ctx: FitContext, train: Callable[..., object], options: dict[str, Any], *,
                  after: Callable[[Path], object] | None = None, after_repeats: int = 1,
                  minimum: int = 10) -> dict[str, Any]:
    """The steps of ``train(**options, out=…, steps=…)`` (a trainer on the run layer) that fill
    what is left of the fitter's share, and the seconds to keep for what comes after it.

    Runs of 2 and 6 steps into ``ctx.out/probe`` time a step
    (:func:`degsdk.training.steps_within`); ``after(probe)``, the work that follows training
    (a search by realism, a noise calibration) done once on the probe's model, is timed and
    counted ``after_repeats`` times. The plan (``steps``, ``after_s`` and the timings) is kept
    in ``ctx.out/plan.json`` and read back when ``ctx.resume``, so a resumed run keeps its
    learning-rate schedule. Train with ``max_seconds = ctx.seconds_left() − plan["after_s"]``.
    """
    path = ctx.out / PLAN
    if ctx.resume and path.is_file():
        return dict(json.loads(path.read_text()))
    probe = ctx.out / "probe"
    try:
        timing = steps_within(0.0, lambda n: train(**options, out=probe, steps=n,
                                                   checkpoint_every=0, progress=False))
        after_s = 0.0
        if after is not None:
            t0 = time.perf_counter()
            after(probe)
            after_s = after_repeats * (time.perf_counter() - t0)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    plan = {**timing.as_dict(), "steps": timing.steps_for(ctx.seconds_left() - after_s, minimum),
            "after_s": round(after_s, 2)}
    write_text_atomic(path, json.dumps(plan) + "\n")
    return plan

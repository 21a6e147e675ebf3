"""The step loop every trainer shares (through :class:`~degsdk.training.Run`): resume from a
checkpoint folder, a progress bar with running losses, a guard against non-finite (and,
optionally, exploding) losses, checkpoints every N steps and a time limit."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from tqdm import tqdm

from .._errors import TrainingError
from ..hub import WEIGHTS_NAME, load_state_strict
from ._trainer_state import load_trainer_state, save_trainer_state

#: One training step: step index → (the loss to minimise, named terms to report). It draws
#: its batch from the trainer's generator; the loop does zero_grad, backward and the step.
StepFn = Callable[[int], tuple[Tensor, dict[str, Tensor | float]]]


@dataclass
class LoopResult:
    """``ema``: running means (0.98) of every reported term over the accepted steps; ``done``:
    the steps run, skipped ones included; ``skipped``: steps whose loss was rejected;
    ``seconds``: this run's wall time (after any resume)."""

    ema: dict[str, float]
    done: int
    skipped: int
    seconds: float


def train_loop(model: Any, opt: torch.optim.Optimizer, g: torch.Generator, step: StepFn, *,
               name: str, steps: int, checkpoints: Path | None, meta: dict[str, Any],
               checkpoint_every: int = 0, resume: bool = False,
               max_seconds: float | None = None, progress: bool = True,
               lr_at: Callable[[int], float] | None = None,
               skip_factor: float | None = None, warmup: int = 100,
               max_bad_steps: int = 100) -> LoopResult:
    """Run ``step`` for steps ``start … steps − 1`` (``start`` from ``checkpoints`` with
    ``resume``, which also restores ``opt`` and ``g`` and refuses other ``meta``).

    ``lr_at(i)``: the learning rate of every param group at step i (none: left alone). A step
    whose loss is non-finite — or, with ``skip_factor``, above ``skip_factor`` × the running
    mean of the accepted losses after ``warmup`` steps — is skipped with its gradients
    zeroed; ``max_bad_steps`` in a row raise ``TrainingError``. ``checkpoints`` (weights +
    trainer state; None: no checkpoints, no resume) is written every ``checkpoint_every``
    steps; the loop stops after ``max_seconds``.
    """
    if checkpoints is None and (resume or checkpoint_every):
        raise ValueError(f"{name}: resume and checkpoint_every need a checkpoint folder")
    ckpt = Path(checkpoints) if checkpoints is not None else Path()
    start = 0
    if resume:
        load_state_strict(model, ckpt / WEIGHTS_NAME)
        start = load_trainer_state(ckpt, opt, g, meta)
    ema: dict[str, float] = {}
    loss_ema: float | None = None
    bad, done, skipped = 0, start, 0
    t0 = time.perf_counter()
    bar = tqdm(desc=f"train {name}", unit="step", initial=start, total=steps,
               disable=None if progress else True)
    for i in range(start, steps):
        if lr_at is not None:
            for group in opt.param_groups:
                group["lr"] = lr_at(i)
        loss, terms = step(i)
        opt.zero_grad(set_to_none=True)
        done = i + 1
        value = float(loss.detach())
        exploding = (skip_factor is not None and i >= warmup and loss_ema is not None
                     and value > skip_factor * abs(loss_ema))
        if not math.isfinite(value) or exploding:
            bad += 1
            skipped += 1
            if bad >= max_bad_steps:
                raise TrainingError(f"{name}: {bad} steps in a row were skipped (loss "
                                    f"{value:g} at step {done}); try a lower --lr")
            bar.update(1)
            continue
        bad = 0
        loss.backward()
        opt.step()
        loss_ema = value if loss_ema is None else 0.98 * loss_ema + 0.02 * value
        for k, t in terms.items():
            v = float(t.detach()) if isinstance(t, Tensor) else float(t)
            ema[k] = v if k not in ema else 0.98 * ema[k] + 0.02 * v
        bar.set_postfix({k: f"{v:.4g}" for k, v in ema.items()})
        bar.update(1)
        if checkpoint_every and done % checkpoint_every == 0 and done < steps:
            model.save_pretrained(ckpt)
            save_trainer_state(ckpt, opt, g, done, meta)
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
    bar.close()
    return LoopResult(ema, done, skipped, time.perf_counter() - t0)


def run_training(model: Any, opt: torch.optim.Optimizer, g: torch.Generator, step: StepFn, *,
                 name: str, steps: int, out: str | Path, meta: dict[str, Any],
                 **loop: Any) -> LoopResult:
    """Deprecated: use :class:`degsdk.training.Run` (``run.loop(model, opt, step, meta=…)``).
    The loop of ``train_loop`` with checkpoints in ``out/checkpoint``."""
    warnings.warn("degsdk.training.run_training is deprecated; use degsdk.training.Run "
                  "(run.loop(model, opt, step, meta=...))", DeprecationWarning, stacklevel=2)
    return train_loop(model, opt, g, step, name=name, steps=steps,
                      checkpoints=Path(out) / "checkpoint", meta=meta, **loop)

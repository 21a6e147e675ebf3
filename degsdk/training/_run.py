"""``Run``: one training run — the seeded generator, the step loop, the loop's result,
metrics, provenance and saving. Every trainer is written the same way::

    o = MyOptions.of(options, **fields)            # MyOptions extends RunOptions
    run = Run("degsdk-my", o)
    model = MyModel(...); model.reset_parameters(run.generator)
    opt = torch.optim.Adam(model.parameters(), lr=o.lr)
    run.loop(model, opt, step, meta={...})         # step(i) -> (loss, terms)
    run.save(model, provenance={...}, metrics={...})
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

from .._threads import use_threads
from ..hub import PretrainedMixin
from ._loop import LoopResult, StepFn, train_loop
from ._run_options import RunOptions
from ._save import write_trained

CHECKPOINT = "checkpoint"
"""The checkpoint folder inside ``out``: the model folder plus ``trainer_state.safetensors``."""


class Run:
    """One run of trainer ``trainer`` (its name in the model card) with ``options``.

    ``generator`` is ``torch.Generator().manual_seed(options.seed)``: draw the initialisation
    and every batch from it (never the global RNG); a checkpoint saves its state, so a resumed
    run draws what the uninterrupted run would have. ``name`` labels the progress bar
    (default ``trainer``)."""

    def __init__(self, trainer: str, options: RunOptions, *, name: str | None = None) -> None:
        self.trainer = trainer
        self.name = name or trainer
        self.options = options
        self.out: Path | None = Path(options.out)
        self.generator = torch.Generator().manual_seed(options.seed)
        self.meta: dict[str, Any] = {}
        self.result: LoopResult | None = None

    @classmethod
    def in_memory(cls, trainer: str, *, steps: int, seed: int = 0,
                  max_seconds: float | None = None, progress: bool = True,
                  name: str | None = None) -> Run:
        """A run that writes nothing (no ``out``, no checkpoints, no resume): for models
        trained inside another job, such as the SR models that score a degrader."""
        options = RunOptions.model_construct(
            out=Path(), steps=steps, seed=seed, lr=1e-4, checkpoint_every=0, resume=False,
            max_seconds=max_seconds, data=None, progress=progress, threads=None)
        run = cls(trainer, options, name=name)
        run.out = None
        return run

    @property
    def checkpoints(self) -> Path | None:
        """``out/checkpoint`` (None for an in-memory run)."""
        return None if self.out is None else self.out / CHECKPOINT

    def loop(self, model: Any, opt: torch.optim.Optimizer, step: StepFn, *,
             meta: dict[str, Any], lr_at: Callable[[int], float] | None = None,
             skip_factor: float | None = None, warmup: int = 100,
             max_bad_steps: int = 100) -> LoopResult:
        """Run ``step(i) -> (loss, terms)`` for the options' ``steps`` (from the checkpoint
        with ``resume``, which refuses other ``meta``: the settings that must not change
        across a resume), with Adam-style ``opt`` stepping, the progress bar, checkpoints
        every ``checkpoint_every`` steps and the ``max_seconds`` limit. ``lr_at(i)`` sets
        every param group's learning rate at step i; a non-finite loss (or, with
        ``skip_factor``, one above ``skip_factor`` × the running mean after ``warmup``
        steps) skips the step, ``max_bad_steps`` in a row raise ``TrainingError``."""
        o = self.options
        self.meta = dict(meta)
        with self._threads():
            self.result = train_loop(
                model, opt, self.generator, step, name=self.name, steps=o.steps,
                checkpoints=self.checkpoints, meta=self.meta,
                checkpoint_every=o.checkpoint_every if self.out is not None else 0,
                resume=o.resume, max_seconds=o.max_seconds, progress=o.progress,
                lr_at=lr_at, skip_factor=skip_factor, warmup=warmup,
                max_bad_steps=max_bad_steps)
        return self.result

    @property
    def done(self) -> int:
        """The steps run so far (skipped ones included; 0 before ``loop``)."""
        return self.result.done if self.result is not None else 0

    def metrics(self) -> dict[str, Any]:
        """``train_<term>_ema`` (running mean of every reported term) and ``skipped_steps``."""
        if self.result is None:
            return {}
        metrics: dict[str, Any] = {f"train_{k}_ema": v for k, v in self.result.ema.items()}
        metrics["skipped_steps"] = self.result.skipped
        return metrics

    def provenance(self) -> dict[str, Any]:
        """What every model card records: the trainer, the steps run, and ``meta``."""
        return {"trainer": self.trainer, "steps": self.done, **self.meta}

    def save(self, model: PretrainedMixin, *, provenance: dict[str, Any] | None = None,
             metrics: dict[str, Any] | None = None) -> None:
        """Write ``out`` (config, weights, card, ``metrics.json``): the card records
        :meth:`provenance` updated by ``provenance``, :meth:`metrics` updated by ``metrics``,
        the run time, the ``data`` note, and why the run stopped early if it did."""
        if self.out is None:
            raise ValueError(f"{self.name}: an in-memory run has no out folder to save to")
        o = self.options
        seconds = self.result.seconds if self.result is not None else 0.0
        stopped = (f"max_seconds={o.max_seconds} reached before steps={o.steps}"
                   if self.done < o.steps else None)
        write_trained(model, self.out, {**self.provenance(), **(provenance or {})},
                      {**self.metrics(), **(metrics or {})}, seconds=seconds,
                      stopped=stopped, data=o.data)

    @contextlib.contextmanager
    def _threads(self) -> Iterator[None]:
        if self.options.threads is None:  # leave torch's setting (the CLI sets --threads)
            yield
            return
        with use_threads(self.options.threads):
            yield

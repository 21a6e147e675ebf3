"""The run layer: exact resume, the learning-rate schedule, the guard against non-finite and
exploding losses, the time limit, metrics and provenance in the saved model, in-memory runs,
``RunOptions`` shared by every trainer, and the deprecated ``run_training``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor

import degsdk
from degsdk.training import Run, RunOptions, StepFn, run_training


class Tiny(degsdk.Extractor, degsdk.PretrainedMixin):
    name = "tiny_loop_test"
    dim = 2

    def __init__(self) -> None:
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            self.lin = torch.nn.Linear(3, 2)

    def forward(self, images: Tensor) -> Tensor:
        return self.lin(images.mean((2, 3)))


def _run(out: Path, **fields: Any) -> tuple[Run, Tiny, torch.optim.Optimizer]:
    o = RunOptions.of(**{"out": out, "steps": 6, "seed": 1, "lr": 1e-2, "progress": False,
                         **fields})
    m = Tiny()
    return Run("tiny-trainer", o), m, torch.optim.Adam(m.parameters(), lr=o.lr)


def _step(m: Tiny, g: torch.Generator, bad: frozenset[int] = frozenset()) -> StepFn:
    def step(i: int) -> tuple[Tensor, dict[str, Tensor | float]]:
        x = torch.rand(4, 3, 2, 2, generator=g)
        loss = m.lin(x.mean((2, 3))).pow(2).mean()
        if i in bad:
            loss = loss * float("nan")
        return loss, {"sq": loss, "const": 2.0}
    return step


def _lr(i: int) -> float:
    return 0.1 / (i + 1)


def test_resume_is_exact_and_the_schedule_is_applied(tmp_path: Path) -> None:
    run, m, opt = _run(tmp_path / "a")
    res = run.loop(m, opt, _step(m, run.generator), meta={}, lr_at=_lr)
    assert res.done == 6 and res.skipped == 0 and res.ema["const"] == 2.0
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 / 6)
    run2, m2, opt2 = _run(tmp_path / "b", checkpoint_every=3, max_seconds=0)
    assert run2.loop(m2, opt2, _step(m2, run2.generator), meta={}, lr_at=_lr).done == 1
    run3, m3, opt3 = _run(tmp_path / "b", checkpoint_every=3)
    run3.loop(m3, opt3, _step(m3, run3.generator), meta={}, lr_at=_lr)
    run4, m4, opt4 = _run(tmp_path / "b", checkpoint_every=3, resume=True)  # from step 3
    again = run4.loop(m4, opt4, _step(m4, run4.generator), meta={}, lr_at=_lr)
    assert again.done == 6
    assert torch.equal(m4.lin.weight, m.lin.weight) and torch.equal(m4.lin.bias, m.lin.bias)
    run5, m5, opt5 = _run(tmp_path / "b", checkpoint_every=3, resume=True)
    with pytest.raises(degsdk.ConfigError, match="other settings: patch"):
        run5.loop(m5, opt5, _step(m5, run5.generator), meta={"patch": 8})


def test_non_finite_steps_are_skipped_and_too_many_abort(tmp_path: Path) -> None:
    run, m, opt = _run(tmp_path, steps=3)
    before = m.lin.weight.detach().clone()
    res = run.loop(m, opt, _step(m, run.generator, frozenset({0, 1})), meta={})
    assert res.skipped == 2 and res.done == 3 and not torch.equal(m.lin.weight, before)
    run, m, opt = _run(tmp_path, steps=5)
    with pytest.raises(degsdk.TrainingError, match="tiny-trainer: 3 steps in a row were skip"):
        run.loop(m, opt, _step(m, run.generator, frozenset({0, 1, 2})), meta={},
                 max_bad_steps=3)


def test_exploding_losses_are_skipped_after_the_warmup(tmp_path: Path) -> None:
    run, m, opt = _run(tmp_path, steps=5)

    def step(i: int) -> tuple[Tensor, dict[str, Tensor | float]]:
        loss = m.lin.weight.sum() * 0 + (100.0 if i == 3 else 1.0)
        return loss, {}

    assert run.loop(m, opt, step, meta={}, skip_factor=3.0, warmup=2).skipped == 1
    assert run.loop(m, opt, step, meta={}, skip_factor=3.0, warmup=4).skipped == 0


def test_save_writes_metrics_provenance_and_why_it_stopped(tmp_path: Path) -> None:
    run, m, opt = _run(tmp_path / "m", max_seconds=0, data="four random batches")
    run.loop(m, opt, _step(m, run.generator), meta={"patch": 2})
    run.save(m, provenance={"images": 4}, metrics={"val": 0.5})
    prov = degsdk.hub.read_config(tmp_path / "m").provenance
    assert prov["trainer"] == "tiny-trainer" and prov["steps"] == 1 and prov["patch"] == 2
    assert prov["images"] == 4 and prov["data"] == "four random batches"
    assert prov["stopped"] == "max_seconds=0.0 reached before steps=6"
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert metrics["val"] == 0.5 and metrics["skipped_steps"] == 0
    assert set(metrics) == {"val", "skipped_steps", "train_sq_ema", "train_const_ema"}
    assert prov["metrics"] == metrics


def test_an_in_memory_run_writes_nothing_and_cannot_save(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = Run.in_memory("tiny", steps=3, seed=1, progress=False)
    m = Tiny()
    run.loop(m, torch.optim.Adam(m.parameters(), lr=1e-2), _step(m, run.generator), meta={})
    assert run.done == 3 and not any(tmp_path.iterdir())
    with pytest.raises(ValueError, match="in-memory run has no out folder"):
        run.save(m)


def test_every_trainer_options_extend_run_options() -> None:
    """The run-control options are declared once: every registered trainer's options model
    extends RunOptions (the built-in sr trainer, and any plugin's installed here)."""
    for name in degsdk.list_trainers():
        options = degsdk.get_trainer(name).options
        assert isinstance(options, type) and issubclass(options, RunOptions), name
        assert {"out", "steps", "seed", "resume", "max_seconds", "threads"} <= set(
            options.model_fields), name


def test_run_training_still_works_with_a_warning(tmp_path: Path) -> None:
    m = Tiny()
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    g = torch.Generator().manual_seed(1)
    with pytest.warns(DeprecationWarning, match="use degsdk.training.Run"):
        res = run_training(m, opt, g, _step(m, g), name="t", steps=2, out=tmp_path, meta={},
                           progress=False)
    assert res.done == 2

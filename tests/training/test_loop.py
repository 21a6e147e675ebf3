"""The shared training loop: exact resume, the learning-rate schedule, the guard against
non-finite and exploding losses, the time limit."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import Tensor

import degsdk
from degsdk.training import StepFn, run_training


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


def _setup() -> tuple[Tiny, torch.optim.Optimizer, torch.Generator]:
    m = Tiny()
    return m, torch.optim.Adam(m.parameters(), lr=1e-2), torch.Generator().manual_seed(1)


def _step(m: Tiny, g: torch.Generator, bad: frozenset[int] = frozenset()) -> StepFn:
    def step(i: int) -> tuple[Tensor, dict[str, Tensor | float]]:
        x = torch.rand(4, 3, 2, 2, generator=g)
        loss = m.lin(x.mean((2, 3))).pow(2).mean()
        if i in bad:
            loss = loss * float("nan")
        return loss, {"sq": loss, "const": 2.0}
    return step


def test_resume_is_exact_and_the_schedule_is_applied(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    m, opt, g = _setup()
    res = run_training(m, opt, g, _step(m, g), name="t", steps=6, out=tmp_path / "a", meta={},
                       lr_at=lambda i: 0.1 / (i + 1), progress=False)
    assert res.done == 6 and res.skipped == 0 and res.ema["const"] == 2.0
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 / 6)
    m2, opt2, g2 = _setup()
    run_training(m2, opt2, g2, _step(m2, g2), name="t", steps=6, out=tmp_path / "b", meta={},
                 lr_at=lambda i: 0.1 / (i + 1), checkpoint_every=3, max_seconds=0,
                 progress=False)  # stops after one step
    m3, opt3, g3 = _setup()
    run_training(m3, opt3, g3, _step(m3, g3), name="t", steps=6, out=tmp_path / "b", meta={},
                 lr_at=lambda i: 0.1 / (i + 1), checkpoint_every=3, progress=False)
    m4, opt4, g4 = _setup()  # resumes from the checkpoint at step 3
    again = run_training(m4, opt4, g4, _step(m4, g4), name="t", steps=6, out=tmp_path / "b",
                         meta={}, lr_at=lambda i: 0.1 / (i + 1), checkpoint_every=3,
                         resume=True, progress=False)
    assert again.done == 6
    assert torch.equal(m4.lin.weight, m.lin.weight) and torch.equal(m4.lin.bias, m.lin.bias)


def test_non_finite_steps_are_skipped_and_too_many_abort(tmp_path: Path) -> None:
    m, opt, g = _setup()
    before = m.lin.weight.detach().clone()
    res = run_training(m, opt, g, _step(m, g, {0, 1}), name="t", steps=3, out=tmp_path,
                       meta={}, progress=False)
    assert res.skipped == 2 and res.done == 3 and not torch.equal(m.lin.weight, before)
    with pytest.raises(degsdk.TrainingError, match="t: 3 steps in a row were skipped"):
        run_training(m, opt, g, _step(m, g, {0, 1, 2}), name="t", steps=5, out=tmp_path,
                     meta={}, max_bad_steps=3, progress=False)


def test_exploding_losses_are_skipped_after_the_warmup(tmp_path: Path) -> None:
    m, opt, g = _setup()

    def step(i: int) -> tuple[Tensor, dict[str, Tensor | float]]:
        loss = m.lin.weight.sum() * 0 + (100.0 if i == 3 else 1.0)
        return loss, {}

    res = run_training(m, opt, g, step, name="t", steps=5, out=tmp_path, meta={},
                       skip_factor=3.0, warmup=2, progress=False)
    assert res.skipped == 1
    res = run_training(m, opt, g, step, name="t", steps=5, out=tmp_path, meta={},
                       skip_factor=3.0, warmup=4, progress=False)
    assert res.skipped == 0

"""The one budget probe: ``steps_within`` (a step timed as the difference of two short runs)
and ``degsdk.fit.plan_training`` (a fitter's training run sized to its share, kept for
``--resume``)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from degsdk.fit import FitContext, FitData, plan_training
from degsdk.training import steps_within

SETUP, STEP = 0.05, 0.02


def _fake_run(calls: list[int]) -> Any:
    def run(n: int) -> None:
        calls.append(n)
        time.sleep(SETUP + n * STEP)
    return run


def test_steps_within_leaves_the_setup_out_of_the_step_time() -> None:
    calls: list[int] = []
    plan = steps_within(1.0, _fake_run(calls))
    assert calls == [2, 6]
    assert plan.seconds_per_step == pytest.approx(STEP, rel=0.25)
    assert plan.setup_s == pytest.approx(SETUP, abs=0.02)
    assert plan.probe_s == pytest.approx(2 * SETUP + 8 * STEP, abs=0.05)
    # what is left after the probe and one set-up, in steps
    expected = (1.0 - plan.probe_s - plan.setup_s) / plan.seconds_per_step
    assert plan.steps == int(expected)
    assert steps_within(0.0, _fake_run([]), minimum=7).steps == 7
    with pytest.raises(ValueError, match="0 < a < b"):
        steps_within(1.0, _fake_run([]), probe=(3, 3))


def test_plan_training_times_the_work_after_and_is_kept_for_resume(tmp_path: Path) -> None:
    trained: list[dict[str, Any]] = []
    after: list[Path] = []

    def train(**fields: Any) -> None:
        trained.append(fields)
        Path(fields["out"]).mkdir(parents=True, exist_ok=True)
        time.sleep(SETUP + fields["steps"] * STEP)

    def after_training(probe: Path) -> None:
        after.append(probe)
        time.sleep(0.05)

    ctx = FitContext(FitData(scale=1, clean_hr=tmp_path), tmp_path, seconds=2.0)
    plan = plan_training(ctx, train, {"lr": 1.0}, after=after_training, after_repeats=3)
    assert [t["steps"] for t in trained] == [2, 6] and trained[0]["lr"] == 1.0
    assert trained[0]["checkpoint_every"] == 0 and trained[0]["progress"] is False
    assert after == [tmp_path / "probe"] and not (tmp_path / "probe").exists()
    assert plan["after_s"] == pytest.approx(0.15, abs=0.05)
    left = 2.0 - plan["probe_s"] - plan["after_s"] - plan["setup_s"]
    assert plan["steps"] == pytest.approx(left / STEP, rel=0.3)
    assert json.loads((tmp_path / "plan.json").read_text()) == plan
    again = plan_training(FitContext(ctx.data, tmp_path, seconds=99.0, resume=True), train, {})
    assert again == plan and len(trained) == 2  # read back, not re-probed

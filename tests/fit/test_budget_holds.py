"""``degsdk fit`` keeps its budget: every candidate's scoring is probed before it is planned,
cut to the time left (smaller or fewer clean HR, the report says so) or skipped with the
reason; too little data is refused before anything is written."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

import degsdk
from degsdk import ConfigError, DataMinimum, FitData, FitResult, Fitter, hookimpl
from degsdk.fit import fit
from degsdk.fit._cost import (
    DegradeTiming,
    ScoringCost,
    ScoringSize,
    allowance,
    mean_cost,
    planned_scoring,
    probe_degrading,
)
from degsdk.testing import camera_test_data

SECONDS_PER_PIXEL = 1.5e-4  # the slow degrader's cost: 1.4 s for a 96² image


class SlowConfig(degsdk.DegraderConfig):
    scale: int = 2
    exponent: float = 1.0


class Slow(degsdk.Degrader):
    """Area downscaling that sleeps ``SECONDS_PER_PIXEL`` × (pixels / 96²)^exponent × 96²."""

    name = "slow_area"
    Config = SlowConfig

    @property
    def scale(self) -> float:
        return float(self.config.scale)  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{} for _ in generators]

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        px = hr.shape[-2] * hr.shape[-1]
        time.sleep(SECONDS_PER_PIXEL * 96 ** 2 * (px / 96 ** 2) ** self.config.exponent
                   * hr.shape[0])  # type: ignore[attr-defined]
        return F.avg_pool2d(hr, self.config.scale)  # type: ignore[attr-defined]


def _register(fitter: Fitter) -> None:
    class Plugin:
        @hookimpl
        def degsdk_register_degraders(self, register: Any) -> None:
            register(Slow.name, Slow)

        @hookimpl
        def degsdk_register_fitters(self, register: Any) -> None:
            register("slow", fitter)

    degsdk.register_plugin(Plugin(), name="test-slow")


TINY = {"repeats": 2, "sr": {"steps": 3, "patch": 16, "batch_size": 4},
        "extractors": ["degradation_stats"], "baselines": [], "mixture": False,
        "progress": False, "threads": 1}


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return camera_test_data(tmp_path_factory.mktemp("camera"), size=96)


# -- the cost model, against closed forms ----------------------------------------------------

def test_the_scoring_size_is_the_largest_that_fits() -> None:
    # 4 images of 1000², 2 copies, 1 s per megapixel, SR 10 s: 18 s a seed in full
    cost = ScoringCost(10.0, ((1.0, DegradeTiming(1.0, 1.0)),), ((1000, 1000),) * 4, 2,
                       overhead_s=0.0)
    assert cost.per_seed() == pytest.approx(18.0)
    assert cost.fit_within(3 * 18.0, 3, 100) == ScoringSize()
    # 3 × (10 + 2) s: crops of side s with 8 s² / 10⁶ ≤ 2 → s ≤ 500
    size = cost.fit_within(3 * 12.0, 3, 100)
    assert size is not None and size.images is None and 492 <= (size.side or 0) <= 500
    # less than 4 crops of the 100 px minimum allow (2 copies × 0.01 s each): fewer images
    assert cost.fit_within(3 * 10.05, 3, 100) == ScoringSize(side=100, images=2)
    assert cost.fit_within(3 * 10.0, 3, 100) is None  # not even 2 minimum crops
    assert ScoringSize(side=100, images=2).describe(4) == "2 of 4 clean HR, 100 px centre crops"
    # the realism HR are cut alike, keeping at least 2
    assert ScoringSize(side=100, images=1).cut([(300, 200), (50, 400), (9, 9)], at_least=2) == [
        (100, 100), (50, 100)]
    assert ScoringSize().cut([(300, 200)]) == [(300, 200)]
    # a mixture costs the mean of its two members
    other = ScoringCost(10.0, ((1.0, DegradeTiming(3.0, 1.0)),), ((1000, 1000),) * 4, 2,
                        overhead_s=0.0)
    assert mean_cost([cost, other]).per_seed() == pytest.approx(10.0 + (8.0 + 24.0) / 2)


def test_a_timing_grows_with_its_exponent() -> None:
    t = DegradeTiming(2.0, 0.5, exponent=1.5)
    assert t.seconds_for(2.0) == pytest.approx(2.0 * 4 ** 1.5)
    assert t.seconds_for(0.0) == 0.0


def test_allowance_scores_the_cheap_in_full_and_shares_the_rest() -> None:
    assert allowance(100.0, 10.0, [10.0, 20.0]) == pytest.approx(25.0)  # slack shared
    # too little time: water-filling — the cheap in full, the dear share the rest
    assert allowance(40.0, 10.0, [10.0, 1000.0]) == pytest.approx(10.0)
    assert allowance(40.0, 1000.0, [10.0, 10.0]) == pytest.approx(20.0)
    assert allowance(40.0, 1000.0, [1000.0, 10.0]) == pytest.approx(15.0)
    assert allowance(-5.0, 10.0, [10.0]) == 0.0


def test_the_plan_caps_a_dear_candidate_at_a_fair_part() -> None:
    # budget 100, half for scoring across 2 candidates: 25 each, not below the least
    assert planned_scoring([10.0, 500.0], [1.0, 5.0], 100.0) == pytest.approx([10.0, 25.0])
    assert planned_scoring([10.0, 500.0], [1.0, 40.0], 100.0) == pytest.approx([10.0, 40.0])


@pytest.mark.parametrize("exponent", [1.0, 2.0])
def test_the_probe_measures_how_the_time_grows(exponent: float, fresh_plugins: None) -> None:
    _register(Fitter("slow", lambda c: FitResult({})))
    image = torch.rand(3, 256, 256)
    global SECONDS_PER_PIXEL
    old, SECONDS_PER_PIXEL = SECONDS_PER_PIXEL, 2e-5
    try:
        t = probe_degrading({"name": "slow_area", "params": {"exponent": exponent}}, image)
    finally:
        SECONDS_PER_PIXEL = old
    assert t.exponent == pytest.approx(exponent, abs=0.15)
    full = 2e-5 * 96 ** 2 * (256 ** 2 / 96 ** 2) ** exponent  # the whole image's sleep
    assert t.seconds_for(256 ** 2 / 1e6) == pytest.approx(full, rel=0.2)


# -- the budget, end to end ------------------------------------------------------------------

def test_a_candidate_dearer_than_planned_is_cut_to_the_time_left(
        camera: dict[str, Path], tmp_path: Path, fresh_plugins: None) -> None:
    # no cost probe: planned as cheap as a classic pipeline, slow once fitted
    _register(Fitter("slow", lambda c: FitResult({"name": "slow_area", "params": {}})))
    budget = 40.0
    t0 = time.perf_counter()
    report = fit(**camera, out=tmp_path / "f", methods=["slow"], budget=str(budget), **TINY)
    took = time.perf_counter() - t0
    assert took <= 1.1 * budget, took
    plan = report.extra["scoring"]["slow"]
    assert plan["probe_s"] > plan["given_s"]  # the full protocol did not fit …
    assert "clean HR" in report.candidates["slow"].reduced
    text = (tmp_path / "f" / "report.md").read_text()
    assert "## Scoring time" in text and "clean HR" in text  # … and the report says how
    # the reference rows: no training, and SR trained on the fitting pairs themselves
    pairs = report.real_pairs_sr
    assert pairs is not None and pairs.min <= pairs.mean <= pairs.max
    assert report.extra["real_pairs"]["pairs"] == len(report.split["pairs_fit"])
    assert "| your real pairs (SR trained on the 4 fitting pairs) | reference |" in text
    assert "| no training (bicubic upscaling) | reference |" in text


def test_a_method_whose_probe_eats_the_budget_is_refused_before_writing(
        camera: dict[str, Path], tmp_path: Path, fresh_plugins: None) -> None:
    _register(Fitter("slow", lambda c: FitResult({"name": "slow_area", "params": {}}),
                     cost_probe=lambda d: {"name": "slow_area", "params": {}}))
    out = tmp_path / "f"
    with pytest.raises(ConfigError, match=r"scoring needs .* even cut to the fewest"):
        fit(**camera, out=out, methods=["slow"], budget="10", **TINY)
    assert not out.exists()


# -- the data each method needs --------------------------------------------------------------

def test_too_little_data_is_refused_at_once_saying_what_to_add(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=64, clean=2, pairs=0, real_lr=2, test=3)
    out = tmp_path / "f"
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match=r"1 image\(s\) held out .*add 4 real LR image\(s\)"):
        fit(real_lr=data["real_lr"], clean_hr=data["clean_hr"], test=data["test"], out=out,
            **TINY)
    assert time.perf_counter() - t0 < 10 and not out.exists()


def test_a_fitter_declares_its_minimum_and_is_skipped_below_it(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=64, clean=2, pairs=3, real_lr=1, test=0)
    fd = FitData(scale=2, clean_hr=data["clean_hr"], real_lr=data["real_lr"],
                 pairs=data["pairs"], pair_scale=2)
    assert DataMinimum().shortfall(fd) is None
    assert DataMinimum(real_lr=1, pairs=3, side=32).shortfall(fd) is None
    why = DataMinimum(real_lr=4, pairs=5).shortfall(fd) or ""
    assert "4 real LR images to fit from (has 1: add 3)" in why
    assert "5 aligned pairs to fit from (has 3: add 2)" in why
    assert "64 px" in (DataMinimum(side=64).shortfall(fd) or "")  # LR is 32 px
    fitter = Fitter("m", lambda c: FitResult({}), minimum=DataMinimum(real_lr=4))
    assert "add 3" in (fitter.skip_reason(fd) or "")

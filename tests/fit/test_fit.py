"""``degsdk fit``: method selection, budget, the held-out split, the fit hook, resume and
``best.yaml``; the estimators the fitters share."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image

import degsdk
from degsdk import ConfigError, FitContext, FitData, FitResult, Fitter, hookimpl
from degsdk.cli import main as cli_main
from degsdk.fit import (
    FitOptions,
    FitReport,
    best_on_pairs,
    estimate_noise_sigma,
    fit,
    fit_classic,
    geometric_grid,
    held_out_count,
    jpeg_quality,
    jpeg_quality_of,
    noise_beyond,
    parse_budget,
    split_budget,
    split_data,
)
from degsdk.fit._run import REPORT_RESERVE_S
from degsdk.fit._split import file_digest
from degsdk.recipes import Recipe
from degsdk.testing import camera_test_data, synthetic_photos

TINY = {"budget": "120", "repeats": 2, "sr": {"steps": 3, "patch": 16, "batch_size": 4},
        "extractors": ["degradation_stats"], "baselines": [], "mixture": False,
        "progress": False, "threads": 1}


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return camera_test_data(tmp_path_factory.mktemp("camera"), size=96)


# -- estimators -------------------------------------------------------------------------------

@pytest.mark.parametrize("sigma", [2.0, 5.0, 10.0])
def test_noise_sigma_estimate_recovers_white_noise_on_flat_photos(sigma: float) -> None:
    photos = synthetic_photos(3, 128, seed=1)
    g = torch.Generator().manual_seed(0)
    noisy = [x + sigma / 255 * torch.randn(x.shape, generator=g) for x in photos]
    assert estimate_noise_sigma(noisy) == pytest.approx(sigma, rel=0.15)
    assert estimate_noise_sigma(list(photos)) < 0.5


def test_noise_beyond_removes_what_the_model_output_already_shows() -> None:
    wave = torch.sin(torch.arange(128.0) * 2.5)
    textured = [x + 0.05 * wave[:, None] * wave[None, :] for x in synthetic_photos(2, 128)]
    g = torch.Generator().manual_seed(0)
    noisy = [x + 4 / 255 * torch.randn(x.shape, generator=g) for x in textured]
    assert estimate_noise_sigma(noisy) > 5  # the texture inflates the raw estimate
    assert noise_beyond(noisy, textured) == pytest.approx(4.0, rel=0.15)


@pytest.mark.parametrize("quality", [35, 60, 90])
def test_jpeg_quality_is_read_from_the_quantisation_table(tmp_path: Path, quality: int) -> None:
    arr = (synthetic_photos(1, 64)[0].permute(1, 2, 0) * 255).byte().numpy()
    path = tmp_path / "x.jpg"
    Image.fromarray(arr).save(path, quality=quality)
    assert jpeg_quality(path) == pytest.approx(quality, abs=1)
    png = tmp_path / "x.png"
    Image.fromarray(arr).save(png)
    assert jpeg_quality(png) is None
    assert jpeg_quality_of([path, path, png]) == jpeg_quality(path)
    assert jpeg_quality_of([path, png, png]) is None


def test_best_on_pairs_finds_the_true_level() -> None:
    hrs = list(synthetic_photos(3, 96, seed=2))
    truth = degsdk.create("bicubic", scale=2, level=3.0)
    lrs = [truth(h[None]).lr[0] for h in hrs]
    grid = geometric_grid(1.5, 6.0, 13)
    level, scores = best_on_pairs(lambda v: degsdk.create("bicubic", scale=2, level=v), grid,
                                  hrs, lrs)
    assert level == pytest.approx(3.0, rel=0.06)
    assert len(scores) == len(grid) and max(scores) == scores[grid.index(level)]


# -- budget -----------------------------------------------------------------------------------

def test_budget_parsing_and_split() -> None:
    assert parse_budget("2h") == 7200 and parse_budget("90m") == 5400
    assert parse_budget("1h30m") == 5400 and parse_budget("45s") == 45
    assert parse_budget("600") == 600
    for bad in ("2x", "h", "-5", "0", "1h30"):
        with pytest.raises(ConfigError, match="--budget"):
            parse_budget(bad)
    shares = split_budget(100.0, {"a": 1.0, "b": 3.0})
    assert shares == {"a": 25.0, "b": 75.0}


def test_a_budget_that_scoring_would_eat_is_refused(camera: dict[str, Path],
                                                    tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scoring needs"):
        fit(**camera, out=tmp_path / "f", **{**TINY, "budget": "2", "sr.steps": 2000})
    # the old spellings still work for one release, with a warning
    with pytest.warns(DeprecationWarning, match=r"sr_steps is now sr\.steps"), \
            pytest.raises(ConfigError, match="scoring needs"):
        fit(**camera, out=tmp_path / "g", **{**{k: v for k, v in TINY.items() if k != "sr"},
                                             "budget": "2", "sr_steps": 2000, "sr_batch": 4})
    o = FitOptions.of(**camera, out=tmp_path, sr={"patch": 16}, **{"sr.steps": 7})
    assert (o.sr.steps, o.sr.patch, o.sr.batch_size) == (7, 16, 16)
    with pytest.raises(ConfigError, match=r"--sr-patch \(sr.patch\): Input should be"):
        FitOptions.of(**camera, out=tmp_path, sr={"patch": 1})


def test_the_budget_is_split_by_weight_and_share(camera: dict[str, Path], tmp_path: Path
                                                 ) -> None:
    fit(**camera, out=tmp_path / "f", methods=["bicubic", "camera"], **{**TINY,
        "share": ["camera=3", "bicubic=1"]})
    plan = json.loads((tmp_path / "f" / "fit.json").read_text())["budget"]
    per = plan["per_method_s"]
    assert per["camera"] == pytest.approx(3 * per["bicubic"], rel=0.01)
    assert per["camera"] + per["bicubic"] + plan["scoring_estimate_s"] + plan[
        "spent_before_fit_s"] + REPORT_RESERVE_S == pytest.approx(plan["total_s"], abs=0.3)


def test_baselines_are_scored_first_and_measure_the_cost_of_a_score(
        camera: dict[str, Path], tmp_path: Path) -> None:
    report = fit(**camera, out=tmp_path / "f", methods=["bicubic"],
                 **{**TINY, "baselines": ["bicubic"]})
    base = report.candidates["baseline-bicubic"]
    assert base.kind == "baseline" and report.best == "bicubic"
    scoring = report.extra["scoring"]
    # every candidate's scoring was probed and planned before it ran, and took what it used
    for label in ("baseline-bicubic", "bicubic"):
        plan = scoring[label]
        assert plan["probe_s"] > 0 and plan["given_s"] >= plan["planned_s"]
        measured = sum(s["seconds"] for s in report.candidates[label].seeds.values())
        assert plan["used_s"] == pytest.approx(measured, abs=0.5)
    # once the baselines are scored the plan uses their measured SR training and overhead:
    # the method's scoring estimate is its probe
    assert report.budget["scoring_estimate_s"] == pytest.approx(scoring["bicubic"]["probe_s"],
                                                                abs=0.5)


# -- the split --------------------------------------------------------------------------------

def test_held_out_count() -> None:
    assert [held_out_count(n, 0.25) for n in (0, 1, 2, 4, 9, 100)] == [0, 0, 1, 1, 2, 25]


def test_held_out_split_never_overlaps_the_fitting_data(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=32, pairs=8, real_lr=4, test=0, clean=1)
    # the pairs' LR are given as unpaired real LR too (renamed): content decides the side
    for p in (data["pairs"] / "lr").iterdir():
        shutil.copy(p, data["real_lr"] / f"copy_{p.name}")
    split = split_data(data["real_lr"], data["pairs"], 0.25, seed=0)
    fit_side = {file_digest(f) for f in split.fit_real_lr} | {
        file_digest(p.lr) for p in split.fit_pairs} | {file_digest(p.hr) for p in split.fit_pairs}
    held = {file_digest(f) for f in split.heldout_real_lr} | {
        file_digest(p.lr) for p in split.heldout_pairs}
    assert held and fit_side and not held & fit_side
    assert len(split.heldout_pairs) == 2 and len(split.fit_pairs) == 6
    # deterministic, and another seed gives another split
    again = split_data(data["real_lr"], data["pairs"], 0.25, seed=0)
    assert again.as_dict() == split.as_dict()
    other = split_data(data["real_lr"], data["pairs"], 0.25, seed=5)
    assert other.as_dict() != split.as_dict()


def test_fitters_see_only_the_fitting_side(camera: dict[str, Path], tmp_path: Path,
                                           fresh_plugins: None) -> None:
    seen: dict[str, set[str]] = {}

    def spy(ctx: FitContext) -> FitResult:
        assert ctx.data.real_lr is not None and ctx.data.pairs is not None
        seen["real"] = {file_digest(p) for p in ctx.data.real_lr.iterdir()}
        seen["pairs"] = {file_digest(p) for p in (ctx.data.pairs / "lr").iterdir()}
        return FitResult({"name": "bicubic", "params": {"scale": 2}})

    _register("spy", Fitter("spy", spy))
    report = fit(**camera, out=tmp_path / "f", methods=["spy"], **TINY)
    held = {file_digest(p) for p in (tmp_path / "f" / "split" / "real_lr_heldout").iterdir()}
    held |= {file_digest(p) for p in (tmp_path / "f" / "split" / "pairs_heldout" / "lr")
             .iterdir()}
    assert held and not held & (seen["real"] | seen["pairs"])
    assert report.best == "spy"


# -- method selection -------------------------------------------------------------------------

def test_skip_reasons_name_the_missing_data(tmp_path: Path) -> None:
    only_real = FitData(scale=2, clean_hr=tmp_path, real_lr=tmp_path)
    needs_pairs = Fitter("p", lambda c: FitResult({}), needs=("pairs",))
    assert "aligned real LR/HR pairs (--pairs)" in (needs_pairs.skip_reason(only_real) or "")
    either = Fitter("e", lambda c: FitResult({}), needs_one_of=("pairs", "levels"))
    assert "needs one of" in (either.skip_reason(only_real) or "")
    checked = Fitter("c", lambda c: FitResult({}), check=lambda d: "too small")
    assert checked.skip_reason(only_real) == "too small"
    with_pairs = FitData(scale=2, clean_hr=tmp_path, real_lr=tmp_path, pairs=tmp_path,
                         pair_scale=2)
    assert needs_pairs.skip_reason(with_pairs) is None
    assert either.skip_reason(with_pairs) is None
    with pytest.raises(ValueError, match="unknown data kinds"):
        Fitter("x", lambda c: FitResult({}), needs=("photos",))
    with pytest.raises(ValueError, match="budget_weight"):
        Fitter("x", lambda c: FitResult({}), budget_weight=0)


def test_methods_the_data_does_not_allow_are_skipped_with_their_reason(
        camera: dict[str, Path], tmp_path: Path, fresh_plugins: None) -> None:
    _register("needs_levels", Fitter("levels", lambda c: FitResult({}), needs=("levels",)))
    report = fit(**camera, out=tmp_path / "f", methods=["bicubic", "needs_levels"], **TINY)
    assert "--levels" in report.skipped["needs_levels"]
    assert "needs_levels" not in report.candidates
    assert "needs_levels" in (tmp_path / "f" / "report.md").read_text()
    with pytest.raises(ConfigError, match="unknown"):
        fit(**camera, out=tmp_path / "g", methods=["nope"], **TINY)


def test_without_test_pairs_methods_are_ranked_by_realism(camera: dict[str, Path],
                                                          tmp_path: Path) -> None:
    data = {k: v for k, v in camera.items() if k in ("real_lr", "clean_hr")}
    report = fit(**data, scale=2, out=tmp_path / "f", methods=["bicubic", "camera"], **TINY)
    assert report.criterion == "realism_rank" and report.test is None
    assert report.candidates["bicubic"].sr_psnr is None
    assert set(report.ranking) == {"bicubic", "camera"}
    with pytest.raises(ConfigError, match="--scale"):
        fit(**data, out=tmp_path / "g", **TINY)


# -- the classic fitters ----------------------------------------------------------------------

def test_classic_bicubic_fitter_recovers_the_truth_from_pairs(tmp_path: Path) -> None:
    camera = camera_test_data(tmp_path / "d", size=128, clean=2, pairs=4, real_lr=2, test=0)
    data = FitData(scale=2, clean_hr=camera["clean_hr"], real_lr=camera["real_lr"],
                   pairs=camera["pairs"], pair_scale=2)
    res = fit_classic("bicubic", FitContext(data, tmp_path, 10.0))
    assert res.fitted["level"] == pytest.approx(2.5, rel=0.12)  # grid steps are 7 %
    # the truth's white σ 3, read at mid-grey from the fitted noise-level function
    assert res.fitted["noise_sigma_mid_grey"] == pytest.approx(3.0, rel=0.15)
    assert res.fitted["jpeg_quality"] is None
    ops = res.degrader["params"]["ops"]
    assert [op["name"] for op in ops] == ["bicubic", "calibrated_camera"]
    assert ops[1]["params"]["jpeg"] is None  # no JPEG for PNG files


def test_camera_fitter_without_pairs_calibrates_from_real_lr(tmp_path: Path) -> None:
    truth = {"name": "camera", "params": {"level": 3.0, "scale": 2, "read": 0.0, "shot": 0.0,
                                          "jpeg": None, "wb_shift": 0.0, "ca": 0.0}}
    data = camera_test_data(tmp_path / "d", truth=truth, size=128, clean=4, pairs=0, real_lr=4,
                            test=0)
    fd = FitData(scale=2, clean_hr=data["clean_hr"], real_lr=data["real_lr"])
    res = fit_classic("camera", FitContext(fd, tmp_path / "m", 10.0, progress=False))
    assert res.degrader["name"] == "calibrated_camera" and res.fitted["mode"] == "real_lr"
    params = res.degrader["params"]
    assert params["scale"] == 2 and params["jpeg"] is None
    assert 0.5 <= params["psf"]["sigma_x"] <= 4.0
    noise = res.fitted["noise"]
    assert max(noise["read"]) < 1.5 and max(noise["shot"]) < 1e-4  # a noise-free truth


def test_classic_fitter_models_jpeg_files(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=64, clean=2, pairs=0, real_lr=3, test=0)
    for p in list(data["real_lr"].iterdir()):
        Image.open(p).convert("RGB").save(p.with_suffix(".jpg"), quality=70, subsampling=1)
        p.unlink()
    fd = FitData(scale=2, clean_hr=data["clean_hr"], real_lr=data["real_lr"])
    res = fit_classic("bicubic", FitContext(fd, tmp_path / "m", 10.0))
    assert res.fitted["jpeg_quality"] == 70 and res.fitted["jpeg_subsampling"] == "4:2:2"
    assert res.degrader["params"]["ops"][-1]["params"]["jpeg"] == {"quality": 70,
                                                                   "subsampling": "4:2:2"}


# -- the fit hook: a third-party method -------------------------------------------------------

def _register(name: str, fitter: Fitter) -> None:
    class Plugin:
        @hookimpl
        def degsdk_register_fitters(self, register: Any) -> None:
            register(name, fitter)

    degsdk.register_plugin(Plugin(), name=f"test-{name}")


def test_a_method_registered_through_the_hook_is_fitted_and_ranked(
        camera: dict[str, Path], tmp_path: Path, fresh_plugins: None) -> None:
    calls: list[FitContext] = []

    def fit_fake(ctx: FitContext) -> FitResult:
        calls.append(ctx)
        return FitResult({"name": "bicubic", "params": {"scale": 2, "level": 2.2}},
                         {"level": 2.2}, notes="fake")

    _register("fake", Fitter("A fake method.", fit_fake, needs=("real_lr", "clean_hr"),
                             fits="nothing", budget_weight=2.0))
    assert "fake" in degsdk.list_fitters()
    report = fit(**camera, out=tmp_path / "f", methods=["fake", "bicubic"],
                 **{**TINY, "mixture": True})
    assert len(calls) == 1 and calls[0].seconds > 0 and calls[0].data.scale == 2
    assert set(report.ranking) == {"fake", "bicubic", "mixture"}
    summ = report.candidates["fake"].summary()
    assert summ["repeats"] == 2 and summ["sr_psnr"]["min"] <= summ["sr_psnr"]["max"]
    assert report.methods["fake"]["notes"] == "fake"
    # it returned at once, without saying why: the report says so; bicubic gave its reason
    times = report.time
    assert times["fake"].used_s < 0.8 * times["fake"].planned_s
    assert times["fake"].under_budget == "the fitter gave no reason"
    assert "more time would not change" in (times["bicubic"].under_budget or "")
    assert json.loads((tmp_path / "f" / "fit.json").read_text())["time"] == report.to_json()[
        "time"]
    # the report object is report.json, and reads back from it
    on_disk = json.loads((tmp_path / "f" / "report.json").read_text())
    assert report.to_json() == on_disk and FitReport.from_json(on_disk) == report
    assert set(report.references) == set() and report.picked is report.candidates[report.best]
    fake_sr, bic_sr = report.candidates["fake"].sr_psnr, report.candidates["bicubic"].sr_psnr
    assert fake_sr is not None and bic_sr is not None
    assert fake_sr.overlaps(bic_sr) == (fake_sr.min <= bic_sr.max and bic_sr.min <= fake_sr.max)
    with pytest.warns(DeprecationWarning, match="FitReport"):
        assert report["best"] == report.best  # the old dict access, for one release
    md = (tmp_path / "f" / "report.md").read_text()
    assert "| fake |" in md or "**fake**" in md
    assert "Used under its share: the fitter gave no reason." in md
    for pic in ("crops.png", "metrics.png"):
        assert Image.open(tmp_path / "f" / pic).size[0] > 100


def test_a_failing_method_is_reported_and_the_others_go_on(
        camera: dict[str, Path], tmp_path: Path, fresh_plugins: None) -> None:
    def broken(ctx: FitContext) -> FitResult:
        raise RuntimeError("out of luck")

    def wrong_scale(ctx: FitContext) -> FitResult:
        return FitResult({"name": "bicubic", "params": {"scale": 4}})

    _register("broken", Fitter("broken", broken))
    _register("wrong_scale", Fitter("wrong", wrong_scale))
    report = fit(**camera, out=tmp_path / "f", methods=["broken", "wrong_scale", "bicubic"],
                 **TINY)
    assert "out of luck" in report.methods["broken"]["failed"]
    assert "scale 4" in report.methods["wrong_scale"]["failed"]
    assert report.ranking == ["bicubic"]


# -- resume -----------------------------------------------------------------------------------

def test_resume_after_an_interruption_keeps_finished_work(
        camera: dict[str, Path], tmp_path: Path, fresh_plugins: None) -> None:
    calls = {"first": 0, "second": 0}

    def first(ctx: FitContext) -> FitResult:
        calls["first"] += 1
        return FitResult({"name": "bicubic", "params": {"scale": 2, "level": 2.4}})

    def second(ctx: FitContext) -> FitResult:
        calls["second"] += 1
        (ctx.out / "checkpoint").mkdir(exist_ok=True)
        if calls["second"] == 1:
            raise KeyboardInterrupt  # the user pressed Ctrl-C while this one trained
        assert ctx.resume  # the second run is told to continue from its folder
        return FitResult({"name": "bicubic", "params": {"scale": 2, "level": 3.0}})

    _register("a_first", Fitter("first", first))
    _register("b_second", Fitter("second", second))
    out = tmp_path / "f"
    with pytest.raises(KeyboardInterrupt):
        fit(**camera, out=out, methods=["a_first", "b_second"], **TINY)
    assert (out / "methods" / "a_first" / "result.json").is_file()
    assert not (out / "methods" / "b_second" / "result.json").exists()
    earlier = json.loads((out / "fit.json").read_text())["elapsed_s"]
    assert earlier > 0  # the interrupted run's time is kept
    with pytest.raises(ConfigError, match="--resume"):
        fit(**camera, out=out, methods=["a_first", "b_second"], **TINY)
    report = fit(**camera, out=out, methods=["a_first", "b_second"], resume=True, **TINY)
    assert calls == {"first": 1, "second": 2}
    assert set(report.ranking) == {"a_first", "b_second"}
    # the time in the report spans the resume: the interrupted run's and this one's
    this_run = report.extra["seconds_this_run"]
    assert report.seconds == pytest.approx(earlier + this_run, abs=0.2)
    assert "after the last resume" in (out / "report.md").read_text()
    # scores resume per seed: a finished record is not recomputed
    rec = out / "scores" / "a_first.json"
    before = rec.read_text()
    fit(**camera, out=out, methods=["a_first", "b_second"], resume=True, **TINY)
    assert rec.read_text() == before
    # other data in the same folder is refused, --overwrite starts over
    with pytest.raises(ConfigError, match="other data"):
        fit(**camera, out=out, methods=["a_first"], resume=True, **{**TINY, "holdout": 0.5})
    fit(**camera, out=out, methods=["a_first"], overwrite=True, **TINY)
    assert calls["first"] == 2 and not (out / "methods" / "b_second").exists()


# -- best.yaml --------------------------------------------------------------------------------

def test_best_yaml_runs_and_reproduces_the_scored_degrader(camera: dict[str, Path],
                                                           tmp_path: Path) -> None:
    out = tmp_path / "f"
    report = fit(**camera, out=out, methods=["bicubic", "camera"], **TINY)
    best = report.best
    scored = degsdk.from_config(report.candidates[best].config)
    from_recipe = degsdk.from_config(Recipe.from_yaml(out / "best.yaml").degrader)
    assert from_recipe.to_config() == scored.to_config()
    hr = synthetic_photos(2, 64, seed=9)
    a = from_recipe(hr, seed=3, indices=[0, 1]).lr
    b = scored(hr, seed=3, indices=[0, 1]).lr
    assert torch.equal(a, b)
    assert cli_main(["run", str(out / "best.yaml")]) == 0
    lr_files = sorted((out / "dataset").rglob("*.png"))
    assert lr_files, "degsdk run wrote nothing"


def test_cli_fit_writes_the_report(camera: dict[str, Path], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["fit", "--real-lr", str(camera["real_lr"]), "--clean-hr", str(camera["clean_hr"]),
            "--pairs", str(camera["pairs"]), "--out", str(tmp_path / "f") + "/", "--methods",
            "bicubic", "--budget", "2m", "--repeats", "1", "--sr-steps", "2", "--sr-patch",
            "16", "--sr-batch", "2", "--no-mixture", "--extractors",
            "degradation_stats", "--threads", "1"]
    assert cli_main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.count("best: bicubic") == 1 and "//" not in printed  # said once
    assert "fitting bicubic (planned " in printed and "bicubic: used " in printed
    report = FitReport.from_json(json.loads((tmp_path / "f" / "report.json").read_text()))
    # no --test: the held-out pairs
    assert report.test is not None and report.test.endswith("pairs_heldout")
    sr = report.candidates["bicubic"].sr_psnr
    assert sr is not None and math.isfinite(sr.mean)
    assert "baseline-realesrgan" in report.candidates  # the default baseline
    assert report.candidates["baseline-realesrgan"].kind == "baseline"


def test_a_measured_overrun_is_warned_about_not_aborted(
        camera: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from degsdk.fit import _run

    real = _run._later_costs
    calls = iter([1.0, 1000.0])  # cheap when probed first, dear once measured

    def later(*args: Any) -> dict[str, Any]:
        factor = next(calls)
        return {k: dataclasses.replace(v, sr_s=v.sr_s * factor + factor - 1)
                for k, v in real(*args).items()}

    monkeypatch.setattr(_run, "_later_costs", later)
    report = fit(**camera, out=tmp_path / "f", methods=["bicubic"],
                 **{**TINY, "progress": True})
    assert "the scoring is cut to the time left" in capsys.readouterr().out
    assert report.budget["per_method_s"]["bicubic"] == pytest.approx(0.2 * 120, abs=0.1)


def test_bad_shares_and_levels_name_the_flag(camera: dict[str, Path], tmp_path: Path) -> None:
    for bad in (["dml"], ["dml=x"], ["dml=0"], ["=2"]):
        with pytest.raises(ConfigError, match="--share"):
            fit(**camera, out=tmp_path / "f", **{**TINY, "share": bad})
    for bad in (["2"], ["x=" + str(camera["pairs"])], ["-1=" + str(camera["pairs"])], ["2="]):
        with pytest.raises(ConfigError, match="--levels"):
            fit(**camera, out=tmp_path / "g", **{**TINY, "levels": bad})
    twice = [f"2={camera['pairs']}", f"2.0={camera['pairs']}"]
    with pytest.raises(ConfigError, match="level 2 is given twice"):
        fit(**camera, out=tmp_path / "g", **{**TINY, "levels": twice})


def test_a_failure_while_writing_the_report_leaves_none_of_its_files(
        camera: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from degsdk.fit import _report

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(_report, "bar_charts", broken)
    out = tmp_path / "f"
    with pytest.raises(OSError, match="disk full"):
        fit(**camera, out=out, methods=["bicubic"], **TINY)
    for name in ("best.yaml", "report.md", "report.json", "crops.png", "metrics.png"):
        assert not (out / name).exists(), name
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]
    assert (out / "methods" / "bicubic" / "result.json").is_file()  # the work is kept


def test_a_fit_result_holds_a_typed_config() -> None:
    res = FitResult({"name": "bicubic", "params": {"scale": 2}}, notes="x")
    assert isinstance(res.degrader, degsdk.ComponentConfig) and res.config.name == "bicubic"
    assert res.degrader["params"] == {"scale": 2} and dict(res.degrader)["name"] == "bicubic"
    assert degsdk.from_config(res.degrader).scale == 2
    assert res.config.to_dict() == {"name": "bicubic", "params": {"scale": 2}}
    for bad in ({}, {"name": ""}, {"name": "x", "params": [1]}, {"name": "x", "extra": 1}):
        with pytest.raises(ConfigError, match=r"FitResult\.degrader: expected"):
            FitResult(bad)


def test_a_refused_run_leaves_out_as_it_was_and_the_retry_needs_no_flag(
        camera: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "f"
    with pytest.raises(ConfigError, match="scoring needs"):
        fit(**camera, out=out, **{**TINY, "budget": "2", "sr.steps": 2000})
    assert not out.exists()  # nothing written: no split/ to make the retry refuse
    with pytest.raises(ConfigError, match="--methods: unknown"):
        fit(**camera, out=out, methods=["nosuch"], **TINY)
    assert not out.exists()
    out.mkdir()
    (out / "mine.txt").write_text("the user's")
    with pytest.raises(ConfigError, match="is not empty"):
        fit(**camera, out=out, methods=["bicubic"], **TINY)
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    (out / "mine.txt").unlink()
    report = fit(**camera, out=out, methods=["bicubic"], **TINY)  # the retry just runs
    assert report.best == "bicubic"


def test_a_refused_overwrite_keeps_the_earlier_run(camera: dict[str, Path], tmp_path: Path
                                                   ) -> None:
    out = tmp_path / "f"
    fit(**camera, out=out, methods=["bicubic"], **TINY)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    report = (out / "report.md").read_text()
    with pytest.raises(ConfigError, match="--methods: unknown"):
        fit(**camera, out=out, methods=["nosuch"], overwrite=True, **TINY)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert (out / "report.md").read_text() == report
    assert (out / "methods" / "bicubic" / "result.json").is_file()
    fit(**camera, out=out, methods=["camera"], overwrite=True, **TINY)  # accepted: replaced
    assert not (out / "methods" / "bicubic").exists() and not (out / ".overwritten").exists()


def test_an_interrupted_fit_says_how_to_resume(camera: dict[str, Path], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from degsdk.cli import _fit_cmd

    def interrupted(o: FitOptions) -> FitReport:
        raise KeyboardInterrupt

    monkeypatch.setattr(_fit_cmd, "fit", interrupted)
    argv = ["fit", "--real-lr", str(camera["real_lr"]), "--clean-hr", str(camera["clean_hr"]),
            "--out", str(tmp_path / "f"), "--scale", "2"]
    assert cli_main(argv) == 130
    assert "continue with the same command and --resume" in capsys.readouterr().err


def test_the_verdict_says_when_no_method_helps() -> None:
    from degsdk.fit._run import _verdict

    def summ(lo: float, hi: float) -> dict[str, Any]:
        return {"sr_psnr": {"min": lo, "max": hi, "mean": (lo + hi) / 2}}

    assert _verdict(summ(29.2, 29.4), 29.16, 3).startswith("the pick helps")
    assert _verdict(summ(29.0, 29.1), 29.16, 3).startswith("no method helps this camera")
    assert _verdict(summ(29.1, 29.3), 29.16, 3).startswith("no method helps")  # within spread
    assert _verdict(summ(29.3, 29.3), 29.16, 1).startswith("one repeat: no seed spread")
    assert _verdict({"sr_psnr": None}, None, 3) == ""


def test_with_one_repeat_the_report_claims_no_ties(camera: dict[str, Path],
                                                   tmp_path: Path) -> None:
    report = fit(**camera, out=tmp_path / "f", methods=["bicubic", "camera"],
                 **{**TINY, "repeats": 1})
    md = (tmp_path / "f" / "report.md").read_text()
    assert "no tie and no win beyond it is claimed" in md and "It ties" not in md
    assert report.verdict.startswith("one repeat") and report.no_training_sr is not None
    assert f"**{report.verdict[0].upper()}{report.verdict[1:]}.**" in md

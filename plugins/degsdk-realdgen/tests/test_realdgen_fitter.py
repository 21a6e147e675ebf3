"""The ``realdgen`` fitter of ``degsdk fit``: the camera's real LR become the stored
references, the DDPM is fine-tuned when the budget allows, and fit ranks it end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from degsdk_realdgen import fitter as fitter_module
from degsdk_realdgen.fitter import check, fit_realdgen

import degsdk
from degsdk import FitContext, FitData
from degsdk.fit import fit
from degsdk.recipes import Recipe
from degsdk.testing import camera_test_data, synthetic_photos


@pytest.fixture
def camera(tmp_path: Path, trained_dir: Path, monkeypatch: pytest.MonkeyPatch
           ) -> dict[str, Path]:
    monkeypatch.setattr(fitter_module, "base_weights", lambda: str(trained_dir))
    truth = {"name": "sequential", "params": {"ops": [
        {"name": "bicubic", "params": {"scale": 4, "level": 4.5}},
        {"name": "gaussian_noise", "params": {"sigma": 4.0}}]}}
    return camera_test_data(tmp_path / "cam", truth, size=64, clean=3, pairs=3, real_lr=6,
                            test=2)


@pytest.mark.parametrize("seconds", [5.0, 200.0])
def test_real_lr_become_the_references(camera: dict[str, Path], tmp_path: Path,
                                       seconds: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fitter_module, "MIN_FINETUNE_S", 100.0)
    data = FitData(scale=4, clean_hr=camera["clean_hr"], real_lr=camera["real_lr"])
    assert check(data) is None
    ctx = FitContext(data, tmp_path / "m", seconds=seconds if seconds < 100 else 0.5,
                     progress=False)
    if seconds >= 100:  # fine-tuning path, with a tiny real budget
        monkeypatch.setattr(fitter_module, "MIN_FINETUNE_S", 0.1)
    res = fit_realdgen(ctx)
    deg = degsdk.from_config(res.degrader)
    assert [n.rsplit("/", 1)[-1] for n in deg.reference_names()] == sorted(
        p.name for p in camera["real_lr"].iterdir())
    assert res.fitted["references"] == 6 and res.fitted["fine_tuned"] == (seconds >= 100)
    assert ("synthetic camera pairs" in res.notes) == (seconds >= 100)  # the clean HR's
    hr = synthetic_photos(1, 32)
    assert deg(hr, seed=0).lr.shape == (1, 3, 8, 8)


def test_other_scales_and_skips(camera: dict[str, Path], tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = FitData(scale=2, clean_hr=camera["clean_hr"], real_lr=camera["real_lr"])
    res = fit_realdgen(FitContext(data, tmp_path / "m2", seconds=5.0, progress=False))
    deg = degsdk.from_config(res.degrader)
    assert deg.scale == 2 and deg(synthetic_photos(1, 32), seed=0).lr.shape[-1] == 16
    monkeypatch.setattr(fitter_module, "base_weights", lambda: None)
    assert "are not installed" in (check(data) or "")
    reason = degsdk.get_fitter("realdgen").skip_reason(FitData(scale=4,
                                                               clean_hr=camera["clean_hr"]))
    assert reason is not None and "--real-lr" in reason


def test_fit_ranks_realdgen_and_writes_its_recipe(camera: dict[str, Path],
                                                  tmp_path: Path) -> None:
    out = tmp_path / "fit"
    report = fit(real_lr=camera["real_lr"], clean_hr=camera["clean_hr"], test=camera["test"],
                 out=out, methods=["realdgen"], budget="30", repeats=1,
                 sr={"steps": 2, "patch": 16, "batch_size": 2}, baselines=[], mixture=False,
                 progress=False, extractors=["degradation_stats"], threads=1)
    assert report.best == "realdgen"
    cfg = report.candidates["realdgen"].config
    recipe = Recipe.from_yaml(out / "best.yaml")
    hr = synthetic_photos(1, 32)
    assert torch.equal(degsdk.from_config(recipe.degrader)(hr, seed=1, indices=[0]).lr,
                       degsdk.from_config(cfg)(hr, seed=1, indices=[0]).lr)

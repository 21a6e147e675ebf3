"""The ``dml`` fitter of ``degsdk fit``: skip reasons, the fitted noise σ, and ``best.yaml``
with a model folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from degsdk_dml.fitter import check, fit_dml

import degsdk
from degsdk import FitContext, FitData
from degsdk.fit import fit
from degsdk.recipes import Recipe
from degsdk.testing import camera_test_data, synthetic_photos


def test_dml_skips_pairs_of_another_scale(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=96, clean=1, pairs=2, real_lr=1, test=0)
    fd = FitData(scale=4, clean_hr=data["clean_hr"], pairs=data["pairs"], pair_scale=2)
    assert "×2" in (check(fd) or "") and "×4" in (check(fd) or "")
    assert "dml" in degsdk.list_fitters()
    reason = degsdk.get_fitter("dml").skip_reason(FitData(scale=2, clean_hr=tmp_path,
                                                         real_lr=tmp_path))
    assert reason is not None and "--pairs" in reason


def test_dml_calibrates_its_noise_from_the_residual(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=96, clean=1, pairs=3, real_lr=1, test=0)
    fd = FitData(scale=2, clean_hr=data["clean_hr"], pairs=data["pairs"], pair_scale=2)
    res = fit_dml(FitContext(fd, tmp_path / "m", seconds=4.0, progress=False))
    sigma = res.fitted["noise_sigma_mid_grey"]
    assert 1.0 < sigma < 8.0  # truth 3; a few seconds of training leave some blur error
    dml, sensor = res.degrader["params"]["ops"]
    assert dml["name"] == "dml" and dml["params"]["noise_sigma"] == 0.0
    assert sensor["name"] == "calibrated_camera" and sensor["params"]["jpeg"] is None
    assert sensor["params"]["noise"]["read"] == pytest.approx(res.fitted["read"], abs=1e-3)
    deg = degsdk.from_config(res.degrader)
    assert deg.scale == 2


def test_best_yaml_points_at_the_fitted_model_folder(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=96, clean=3, pairs=4, real_lr=3, test=2)
    out = tmp_path / "fit"
    report = fit(**data, out=out, methods=["dml"], budget="15", repeats=1,
                 sr={"steps": 2, "patch": 16, "batch_size": 2}, baselines=[], mixture=False,
                 progress=False, extractors=["degradation_stats"], threads=1)
    assert report.best == "dml"
    text = (out / "best.yaml").read_text()
    assert "weights: methods/dml/model" in text  # relative: the folder can move
    from_recipe = degsdk.from_config(Recipe.from_yaml(out / "best.yaml").degrader)
    scored = degsdk.from_config(report.candidates["dml"].config)
    hr = synthetic_photos(1, 64)
    assert torch.equal(from_recipe(hr, seed=1, indices=[0]).lr, scored(hr, seed=1,
                                                                        indices=[0]).lr)
    with pytest.raises(degsdk.ConfigError, match="not empty"):
        fit(**data, out=out, methods=["dml"], budget="90")

"""The ``deflow`` fitter of ``degsdk fit``: trained within its budget, temperature fitted."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from degsdk_deflow.fitter import BASE_WEIGHTS, TEMPERATURES, check, fit_deflow
from degsdk_deflow.train import train_deflow

import degsdk
from degsdk import FitContext, FitData
from degsdk.testing import camera_test_data


def test_deflow_fits_a_temperature_and_keeps_the_scale(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=128, pairs=0, test=0, clean=3, real_lr=3)
    fd = FitData(scale=2, clean_hr=data["clean_hr"], real_lr=data["real_lr"])
    assert check(fd) is None
    res = fit_deflow(FitContext(fd, tmp_path / "m", seconds=8.0, progress=False))
    assert res.fitted["temperature"] in TEMPERATURES
    assert len(res.fitted["temperature_distances"]) == len(TEMPERATURES)
    assert res.fitted["init"] == BASE_WEIGHTS and "fine-tuned from" in res.notes  # warm start
    card = json.loads((tmp_path / "m" / "model" / "config.json").read_text())
    assert card["provenance"]["init"] == BASE_WEIGHTS
    deg = degsdk.from_config(res.degrader)
    assert deg.scale == 2
    assert (tmp_path / "m" / "plan.json").is_file()


def test_deflow_skips_images_smaller_than_its_patch_multiple(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=8, pairs=0, test=0, clean=1, real_lr=1)
    fd = FitData(scale=2, clean_hr=data["clean_hr"], real_lr=data["real_lr"])
    assert "smaller" in (check(fd) or "")


def test_training_from_init_starts_at_the_shipped_weights(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=64, pairs=0, test=0, clean=2, real_lr=2)
    model = train_deflow(clean=data["clean_hr"], degraded=data["real_lr"], clean_down=2,
                         patch=32, batch_size=2, steps=2, lr=0.0, init=BASE_WEIGHTS,
                         out=tmp_path / "m", progress=False)
    shipped = degsdk.load(BASE_WEIGHTS).state_dict()
    for name, value in model.state_dict().items():  # lr 0: still exactly the shipped weights
        assert torch.equal(value, shipped[name]), name


def test_with_aligned_pairs_it_fine_tunes_the_shipped_weights(tmp_path: Path) -> None:
    # issue 30: from scratch on a few pairs the fine level's decoder blew the shift up
    noise = {"name": "gaussian_noise", "params": {"sigma": 5.0}}
    data = camera_test_data(tmp_path / "d", noise, size=64, pairs=2, test=0, clean=2, real_lr=2)
    fd = FitData(scale=1, clean_hr=data["clean_hr"], real_lr=data["real_lr"],
                 pairs=data["pairs"], pair_scale=1)
    res = fit_deflow(FitContext(fd, tmp_path / "m", seconds=6.0, progress=False))
    assert res.fitted["paired"] and res.fitted["init"] == BASE_WEIGHTS
    assert "fine-tuned from" in res.notes and "paired likelihood on" in res.notes
    card = json.loads((tmp_path / "m" / "model" / "config.json").read_text())
    assert card["provenance"]["init"] == BASE_WEIGHTS

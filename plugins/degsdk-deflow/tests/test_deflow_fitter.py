"""The ``deflow`` fitter of ``degsdk fit``: trained within its budget, temperature fitted."""

from __future__ import annotations

from pathlib import Path

from degsdk_deflow.fitter import TEMPERATURES, check, fit_deflow

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
    deg = degsdk.from_config(res.degrader)
    assert deg.scale == 2
    assert (tmp_path / "m" / "plan.json").is_file()


def test_deflow_skips_images_smaller_than_its_patch_multiple(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=8, pairs=0, test=0, clean=1, real_lr=1)
    fd = FitData(scale=2, clean_hr=data["clean_hr"], real_lr=data["real_lr"])
    assert "smaller" in (check(fd) or "")

"""The ``crafting`` fitter of ``degsdk fit``: the space fitted to the camera."""

from __future__ import annotations

from pathlib import Path

import pytest
from degsdk_crafting.fitter import fit_crafting, fitted_space
from degsdk_crafting.space import default_space
from PIL import Image

import degsdk
from degsdk import FitContext, FitData
from degsdk.testing import camera_test_data

CLEAN_CAMERA = {"name": "bicubic", "params": {"scale": 2, "level": 2.5}}


def test_default_space_can_drop_noise_and_jpeg() -> None:
    assert [a.name for a in default_space(2).axes] == ["blur_sigma", "noise_sigma",
                                                       "jpeg_quality"]
    space = default_space(2, noise=None, jpeg=None)
    assert [a.name for a in space.axes] == ["blur_sigma"] and space.num_bins == 5
    assert [op["name"] for op in space.ops] == ["gaussian_blur", "resize"]
    jpeg_only = default_space(2, noise=None)
    assert [a.op for a in jpeg_only.axes] == [0, 2]


def test_a_clean_png_camera_gets_no_noise_and_no_jpeg(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", truth=CLEAN_CAMERA, size=96, pairs=0, test=0)
    space, est = fitted_space(FitData(scale=2, clean_hr=data["clean_hr"],
                                      real_lr=data["real_lr"]))
    assert [a.name for a in space.axes] == ["blur_sigma"]
    assert est["jpeg_quality"] is None and est["noise_sigma_estimate"] < 0.5


def test_a_noisy_jpeg_camera_gets_both_axes_sized_from_the_data(tmp_path: Path) -> None:
    # σ 3 noise; 96 px LR: at 48 px most 8×8 JPEG blocks hold an edge, and the noise that
    # survives the codec cannot be told from its ringing
    data = camera_test_data(tmp_path / "d", size=192, pairs=0, test=0)
    for p in list(data["real_lr"].iterdir()):
        Image.open(p).save(p.with_suffix(".jpg"), quality=80)
        p.unlink()
    space, est = fitted_space(FitData(scale=2, clean_hr=data["clean_hr"],
                                      real_lr=data["real_lr"]))
    axes = {a.name: a for a in space.axes}
    assert abs(est["jpeg_quality"] - 80) <= 1
    assert (axes["jpeg_quality"].low, axes["jpeg_quality"].high) == (60.0, 100.0)
    assert est["noise_sigma_estimate"] == pytest.approx(3.0, rel=0.2)  # the sensor's σ
    assert axes["noise_sigma"].high == pytest.approx(3 * est["noise_sigma_estimate"], rel=1e-3)


def test_fit_crafting_writes_a_binned_model(tmp_path: Path) -> None:
    data = camera_test_data(tmp_path / "d", size=96, pairs=0, test=0, clean=3, real_lr=3)
    fd = FitData(scale=2, clean_hr=data["clean_hr"], real_lr=data["real_lr"])
    res = fit_crafting(FitContext(fd, tmp_path / "m", seconds=3.0, progress=False))
    deg = degsdk.from_config(res.degrader)
    assert deg.scale == 2 and res.fitted["crops_per_bin"] >= 8
    assert (tmp_path / "m" / "model" / "weights.png").is_file()

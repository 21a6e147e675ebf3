"""``degsdk calibrate``: what it writes, that the camera it writes runs, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml
from PIL import Image

import degsdk
from degsdk.calibrate import calibrate, run_calibration
from degsdk.cli import main
from degsdk.testing import camera_test_data

TRUTH = {"name": "sequential", "params": {"ops": [
    {"name": "calibrated_camera", "params": {"scale": 2, "psf": {"sigma_x": 1.5},
                                             "noise": {"shot": 0.002, "read": 1.0},
                                             "sensor_space": "srgb"}}]}}


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return camera_test_data(tmp_path_factory.mktemp("cam"), truth=TRUTH, size=160, clean=4,
                            pairs=5, real_lr=5, test=0)


def test_calibrate_writes_the_camera_and_its_report(camera: dict[str, Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    out = tmp_path / "cam"
    assert main(["calibrate", "--pairs", str(camera["pairs"]), "--out", str(out),
                 "--no-progress"]) == 0
    assert "camera.yaml" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["calibration.json", "camera.yaml",
                                                     "nlf.png", "report.md"]
    cfg = yaml.safe_load((out / "camera.yaml").read_text())
    assert cfg["name"] == "calibrated_camera" and cfg["params"]["scale"] == 2
    assert cfg["params"]["psf"]["sigma_x"] == pytest.approx(1.5, rel=0.1)
    deg = degsdk.load_degrader(out / "camera.yaml")
    lr = deg(torch.rand(2, 3, 32, 32), seed=0).lr
    assert lr.shape == (2, 3, 16, 16)
    data = json.loads((out / "calibration.json").read_text())
    assert data["camera"] == cfg and data["fitted"]["mode"] == "pairs"
    assert set(data["nlf"]) == {"linear", "srgb"}
    report = (out / "report.md").read_text()
    assert "nlf.png" in report and "| G |" in report and "sensor noise" in report
    with Image.open(out / "nlf.png") as im:
        assert im.size[0] > 800


def test_calibrate_from_real_lr_alone(camera: dict[str, Path], tmp_path: Path) -> None:
    cal = run_calibration(out=tmp_path / "cam", real_lr=camera["real_lr"],
                          clean_hr=camera["clean_hr"], scale=2, progress=False)
    assert cal.mode == "real_lr" and cal.edges is not None
    assert cal.params["psf"]["sigma_x"] == pytest.approx(1.5, rel=0.25)
    assert 0 < cal.edges.sigma_se < 1.0  # the images' spread of edge widths, in HR px
    assert "Edge widths" in (tmp_path / "cam" / "report.md").read_text()


def test_calibrate_errors_name_what_is_missing(camera: dict[str, Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cam"
    assert main(["calibrate", "--out", str(out)]) == 2
    assert "--pairs" in capsys.readouterr().err
    assert main(["calibrate", "--real-lr", str(camera["real_lr"]), "--clean-hr",
                 str(camera["clean_hr"]), "--out", str(out)]) == 2
    assert "--scale" in capsys.readouterr().err
    assert main(["calibrate", "--pairs", str(camera["pairs"]), "--scale", "4", "--out",
                 str(out)]) == 2
    assert "×2" in capsys.readouterr().err
    assert main(["calibrate", "--real-lr", str(tmp_path), "--clean-hr",
                 str(camera["clean_hr"]), "--scale", "2", "--out", str(out)]) == 2
    assert "no images" in capsys.readouterr().err
    tiny = camera_test_data(tmp_path / "tiny", size=40, clean=1, pairs=2, real_lr=1, test=0)
    assert main(["calibrate", "--pairs", str(tiny["pairs"]), "--out", str(out)]) == 2
    assert "smaller than 32" in capsys.readouterr().err
    assert not out.exists()  # nothing written on an error


def test_the_fixed_seed_makes_calibration_reproducible(camera: dict[str, Path]) -> None:
    a = calibrate(pairs=camera["pairs"], max_images=3, side=64)
    b = calibrate(pairs=camera["pairs"], max_images=3, side=64)
    assert a.params == b.params

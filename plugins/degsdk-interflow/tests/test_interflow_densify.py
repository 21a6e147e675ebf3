"""Densifying a multi-level set (eq. 6–7) and the ``interflow-densify`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import small_model
from degsdk_interflow import densify, from_folders
from degsdk_interflow.densify import parse_targets

import degsdk
from degsdk.cli import main


def test_targets_parse() -> None:
    assert parse_targets(["2.1:2.5:0.1", "3", "2.3"]) == [2.1, 2.2, 2.3, 2.4, 2.5, 3.0]
    with pytest.raises(degsdk.ConfigError, match="START:STOP:STEP"):
        parse_targets(["3:2:0.1"])


def test_densify_reproduces_captured_levels_and_blends_between(
        levels_dir: dict[str, Path], tmp_path: Path) -> None:
    data = from_folders(levels_dir["hr"], {2.0: levels_dir["2"], 4.0: levels_dir["4"]})
    m = small_model()
    rec = densify(m, data, [2.0, 3.0, 4.0], tmp_path / "out", progress=False)
    assert [t["weight"] for t in rec["targets"]] == [0.0, 0.5, 1.0]
    for k, name in enumerate(data.names):
        at2 = degsdk.read_image(tmp_path / "out" / "2" / "lr" / f"{name}.png")
        at4 = degsdk.read_image(tmp_path / "out" / "4" / "lr" / f"{name}.png")
        # the flow is invertible: a captured level comes back (up to 8-bit rounding)
        assert float((at2 - data.lr[k][0]).abs().max()) <= 1.5 / 255
        assert float((at4 - data.lr[k][1]).abs().max()) <= 1.5 / 255
        mid = degsdk.read_image(tmp_path / "out" / "3" / "lr" / f"{name}.png")
        with torch.no_grad():
            hr = data.hr[k][None]
            expected = m.interpolate_captured(hr, data.lr[k][0][None], data.lr[k][1][None], 0.5)
        assert float((mid - expected[0]).abs().max()) <= 1 / 255
        assert torch.equal(degsdk.read_image(tmp_path / "out" / "3" / "hr" / f"{name}.png"),
                           data.hr[k])
    assert degsdk.find_pairs(tmp_path / "out" / "3", scale=1)
    assert json.loads((tmp_path / "out" / "densify.json").read_text())["captured_levels"] == [
        2.0, 4.0]


def test_the_calibrated_map_sets_the_weight(levels_dir: dict[str, Path], tmp_path: Path) -> None:
    data = from_folders(levels_dir["hr"], {2.0: levels_dir["2"], 4.0: levels_dir["4"]})
    rec = densify(small_model(calibration=[(3.0, 0.3)]), data, [3.0], tmp_path / "o",
                  progress=False)
    assert rec["targets"][0]["weight"] == pytest.approx(0.3)


def test_targets_outside_the_captured_levels_are_refused(levels_dir: dict[str, Path],
                                                         tmp_path: Path) -> None:
    data = from_folders(levels_dir["hr"], {2.0: levels_dir["2"], 3.0: levels_dir["3"]})
    with pytest.raises(degsdk.ConfigError, match="outside the captured levels"):
        densify(small_model(), data, [3.5], tmp_path / "o", progress=False)
    assert not (tmp_path / "o").exists()


def test_command(levels_dir: dict[str, Path], tmp_path: Path,
                 capsys: pytest.CaptureFixture[str]) -> None:
    small_model().save_pretrained(tmp_path / "m")
    code = main(["interflow-densify", "--model", str(tmp_path / "m"), "--hr",
                 str(levels_dir["hr"]), "--level", f"2={levels_dir['2']}", "--level",
                 f"4={levels_dir['4']}", "--target", "2.5:3.5:0.5", "--out",
                 str(tmp_path / "o"), "--no-progress"])
    assert code == 0 and "4 scenes × 3 levels" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["2.5", "3", "3.5",
                                                                  "densify.json"]

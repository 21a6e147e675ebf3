"""A recipe or config file that names a model folder beside it (as ``fit/best.yaml`` does,
``methods/<name>/model``) works from any directory, nested containers included: ``degsdk
run``'s ``Recipe.from_yaml``, ``degsdk eval``, ``load_config`` and ``load_degrader``."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml

import degsdk
from degsdk.cli import main
from tests.conftest import smooth_images


def _mixture(tmp_path: Path) -> tuple[Path, dict]:
    folder = tmp_path / "fit"
    model = degsdk.create("toy_learned_blur", kernel_size=3)
    model.save_pretrained(folder / "methods" / "toy" / "model")
    config = {"name": "one_of", "params": {"probs": [0.5, 0.5], "ops": [
        {"name": "bicubic", "params": {"scale": 1, "level": 2.0}},
        {"name": "toy_learned_blur", "params": {"weights": "methods/toy/model"}}]}}
    (folder / "best.yaml").write_text(yaml.safe_dump(
        {"version": 1, "name": "best", "degrader": config,
         "inputs": [{"path": str(tmp_path / "hr")}], "output": {"dir": "out"}}))
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    return folder, config


def test_weights_beside_the_file_resolve_from_another_directory(
        toys: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = _mixture(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    hr = smooth_images(2, 32, 32, seed=1)
    made = [degsdk.load_degrader(folder / "config.yaml"),
            degsdk.from_config(degsdk.load_config(folder / "best.yaml")["degrader"]),
            degsdk.from_config(degsdk.Recipe.from_yaml(folder / "best.yaml").degrader)]
    outs = [d(hr, seed=3).lr for d in made]
    assert all(torch.equal(outs[0], o) for o in outs[1:])
    ref = degsdk.load_config(folder / "config.yaml")["params"]["ops"][1]["params"]["weights"]
    assert Path(ref).is_absolute() and Path(ref) == (folder / "methods/toy/model").resolve()


def test_degsdk_eval_takes_best_yaml_from_another_directory(
        toys: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = _mixture(tmp_path)
    hr = smooth_images(3, 32, 32, seed=2)
    for i in range(3):
        degsdk.write_image(tmp_path / "train" / f"{i}.png", hr[i])
        degsdk.write_image(tmp_path / "test" / "hr" / f"{i}.png", hr[i])
        degsdk.write_image(tmp_path / "test" / "lr" / f"{i}.png", hr[i] * 0.9)
    monkeypatch.chdir(tmp_path / "test")
    assert main(["eval", "--degrader", f"best={folder / 'best.yaml'}", "--clean-hr",
                 str(tmp_path / "train"), "--test", str(tmp_path / "test"), "--out",
                 str(tmp_path / "report"), "--steps", "2", "--batch-size", "2", "--patch",
                 "16", "--feature-patch", "16", "--extractors", "degradation_stats",
                 "--copies", "1", "--no-save-models", "--threads", "1"]) == 0
    assert (tmp_path / "report" / "report.md").is_file()

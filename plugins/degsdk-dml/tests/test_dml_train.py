"""Training: a tiny run learns the camera; resume continues exactly; the trainer's CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from degsdk_dml import DML, train_dml
from degsdk_dml.train import evaluate_pairs

import degsdk
from degsdk.cli import main
from degsdk.training import STATE_NAME

TINY = {"width": 8, "levels": 1, "num_kernels": 4, "kernel_size": 7, "batch_size": 4,
        "patch": 32, "progress": False}


def _held_out_mse(model: DML, folder: Path) -> float:
    hr = degsdk.read_image(folder / "hr" / "000.png")[None]
    lr = degsdk.read_image(folder / "lr" / "000.png")[None]
    with torch.no_grad():
        return float(((model.predict(hr) - lr) ** 2).mean())


def test_tiny_training_beats_the_untrained_model(camera_pairs: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    train, test = camera_pairs
    untrained = DML(scale=1, **{k: TINY[k] for k in ("width", "levels", "num_kernels",
                                                     "kernel_size")})
    untrained.reset_parameters(torch.Generator().manual_seed(0))
    model = train_dml(pairs=train, out=tmp_path / "m", steps=60, lr=1e-2, seed=0, val=test,
                      data="synthetic camera", **TINY)
    before, after = _held_out_mse(untrained, test), _held_out_mse(model, test)
    # measured: 1.5e-4 → 6.4e-5; require at least a 35 % lower error on the unseen pair
    assert after < 0.65 * before, (before, after)
    card = degsdk.hub.read_config(tmp_path / "m")
    assert card.provenance["steps"] == 60 and card.provenance["channel"] == "rgb"
    assert card.provenance["data"] == "synthetic camera"
    assert card.provenance["val_pairs"] == ["000"]
    assert card.provenance["train_pairs"] == sorted(p.stem for p in (train / "hr").iterdir())
    readme = (tmp_path / "m" / "README.md").read_text()
    assert "type: val_lr_psnr_rgb" in readme and "type: val_pairs" not in readme
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert metrics["val_lr_psnr_rgb"] == pytest.approx(card.provenance["metrics"][
        "val_lr_psnr_rgb"])
    hrs = [degsdk.read_image(test / "hr" / "000.png")]
    lrs = [degsdk.read_image(test / "lr" / "000.png")]
    assert metrics["val_lr_psnr_rgb"] == pytest.approx(evaluate_pairs(model, hrs, lrs))
    loaded = degsdk.load(str(tmp_path / "m"), noise_sigma=0)
    torch.testing.assert_close(loaded.kernels(), model.kernels())


def test_resume_continues_exactly(camera_pairs: tuple[Path, Path], tmp_path: Path) -> None:
    train, _ = camera_pairs
    kw = {**TINY, "steps": 6, "lr": 1e-3, "seed": 3, "channel": "y"}
    full = train_dml(pairs=train, out=tmp_path / "full", checkpoint_every=0, **kw)
    # leaves checkpoint/ at step 3
    train_dml(pairs=train, out=tmp_path / "cut", checkpoint_every=3, **kw)
    assert (tmp_path / "cut" / "checkpoint" / STATE_NAME).is_file()
    resumed = train_dml(pairs=train, out=tmp_path / "cut", checkpoint_every=3, resume=True,
                        **kw)
    for (name, a), b in zip(full.state_dict().items(), resumed.state_dict().values(),
                            strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    with pytest.raises(degsdk.ConfigError, match="other settings: lr"):
        train_dml(pairs=train, out=tmp_path / "cut", checkpoint_every=3, resume=True,
                  **{**kw, "lr": 1e-2})


def test_cli(camera_pairs: tuple[Path, Path], tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "dml", "--help"])
    text = capsys.readouterr().out
    for flag in ("--pairs", "--scale", "--steps", "--width", "--channel", "--resume", "--val"):
        assert flag in text
    train, _ = camera_pairs
    assert main(["train", "dml", "--pairs", str(train), "--out", str(tmp_path / "m"),
                 "--steps", "2", "--width", "4", "--levels", "1", "--kernel-size", "5",
                 "--patch", "24", "--batch-size", "2", "--no-progress"]) == 0
    assert capsys.readouterr().out.endswith(f"degsdk train dml: finished; model folder "
                                            f"{tmp_path / 'm'}/\n")
    assert isinstance(degsdk.load(str(tmp_path / "m")), DML)
    assert main(["train", "dml", "--pairs", str(tmp_path), "--out", str(tmp_path / "x")]) == 2


def test_time_limit_stops_early_and_says_so(camera_pairs: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    train, _ = camera_pairs
    train_dml(pairs=train, out=tmp_path / "m", steps=50, max_seconds=0.0, checkpoint_every=0,
              **TINY)
    prov = degsdk.hub.read_config(tmp_path / "m").provenance
    assert prov["steps"] == 1 and prov["stopped"] == "max_seconds=0.0 reached before steps=50"

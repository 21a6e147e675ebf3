"""Training in stages: hub-ready folders, exact resume, partial fine-tuning, clear errors, the
command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import SMALL
from degsdk_realdgen import RealDGen
from degsdk_realdgen.train import RealDGenTrainOptions, train_realdgen

import degsdk
from degsdk.cli import main


def test_init_keeps_a_hub_ref() -> None:
    """Issue 28 row 13: `init` was a Path and turned hf://org/repo into hf:/org/repo."""
    o = RealDGenTrainOptions.of(stage="ddpm", init="hf://org/repo@v1", out="o")
    assert o.init is not None and o.init.text == "hf://org/repo@v1"
    assert o.init.repo_id == "org/repo" and o.init.revision == "v1"


def test_stage_extractors_writes_a_model_folder(extractors_dir: Path) -> None:
    for name in ("config.json", "model.safetensors", "README.md", "metrics.json"):
        assert (extractors_dir / name).is_file()
    info = degsdk.hub.read_config(extractors_dir)
    assert info.architecture["trained_stages"] == ["extractors"]
    metrics = info.provenance["metrics"]
    assert {"train_content_ema", "train_triplet_ema", "train_lr_rec_ema"} <= set(metrics)


def _ddpm(train_dirs: dict[str, Path], ext: Path, out: Path, **kw: object) -> RealDGen:
    return train_realdgen(**{"out": out, "stage": "ddpm", "init": ext,
                             "real_lr": [train_dirs["real"]], "steps": 4, "patch": 16,
                             "batch_size": 2, "references": 3, "progress": False,
                             "checkpoint_every": 0, **kw})


def test_stage_ddpm_trains_unet_and_modulation_and_fine_tunes_parts(
        train_dirs: dict[str, Path], extractors_dir: Path, tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="DDPM is untrained"):
        first = degsdk.load(str(extractors_dir))
    model = _ddpm(train_dirs, extractors_dir, tmp_path / "m", finetune_lr=1e-2)
    assert model.cfg.trained_stages == ["extractors", "ddpm"]
    assert len(model.cfg.reference_names) == 3 and model.cfg.reference_size == 48
    before, after = first.state_dict(), model.state_dict()
    changed = {k for k in after if k in before and not torch.equal(before[k], after[k])}
    assert any(k.startswith("unet.") for k in changed)
    assert any(k.startswith("modulation.") for k in changed)
    assert {k for k in changed if k.startswith("e_deg.")} == {"e_deg.mapping.6.weight",
                                                              "e_deg.mapping.6.bias"}
    cont = {k for k in changed if k.startswith("e_cont.")}
    assert cont and all(k.startswith(("e_cont.encoder.conv_in.",
                                      "e_cont.encoder.down_blocks.0.")) for k in cont)
    assert not any(k.startswith(("rec_hr.", "rec_lr.")) for k in changed)
    frozen = _ddpm(train_dirs, extractors_dir, tmp_path / "f", finetune=False).state_dict()
    assert all(torch.equal(frozen[k], before[k]) for k in before if k.startswith("e_"))
    loaded = degsdk.load(str(tmp_path / "m"))
    assert loaded.reference_names() == model.reference_names()


def test_resume_is_exact(train_dirs: dict[str, Path], extractors_dir: Path,
                         tmp_path: Path) -> None:
    straight = _ddpm(train_dirs, extractors_dir, tmp_path / "a", steps=4)
    resumed = _ddpm(train_dirs, extractors_dir, tmp_path / "c", steps=4, checkpoint_every=2)
    assert all(torch.equal(v, resumed.state_dict()[k]) for k, v in straight.state_dict().items())
    # interrupted after the checkpoint at step 2, then resumed
    (tmp_path / "c" / "model.safetensors").unlink()
    again = _ddpm(train_dirs, extractors_dir, tmp_path / "c", steps=4, checkpoint_every=2,
                  resume=True)
    for k, v in straight.state_dict().items():
        assert torch.equal(v, again.state_dict()[k]), k


def test_clear_errors(train_dirs: dict[str, Path], extractors_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(degsdk.ConfigError, match="needs --hr"):
        train_realdgen(out=tmp_path / "x", stage="extractors")
    with pytest.raises(degsdk.ConfigError, match="needs --init"):
        train_realdgen(out=tmp_path / "x", stage="ddpm", real_lr=[train_dirs["real"]])
    with pytest.raises(degsdk.ConfigError, match="below the realesrgan pipeline's"):
        train_realdgen(out=tmp_path / "x", stage="extractors", hr=[train_dirs["hr"]],
                       patch=16, architecture=SMALL)
    with pytest.raises(degsdk.ConfigError, match=r"000\.png is 48×48, below the 64 px"):
        _ddpm(train_dirs, extractors_dir, tmp_path / "x", patch=64)
    with pytest.raises(degsdk.ConfigError, match="extractors are untrained"):
        RealDGen(**SMALL, trained_stages=[]).save_pretrained(tmp_path / "raw")
        _ddpm(train_dirs, tmp_path / "raw", tmp_path / "x")


def test_command_line(train_dirs: dict[str, Path], extractors_dir: Path, tmp_path: Path) -> None:
    rc = main(["train", "realdgen", "--stage", "ddpm", "--init", str(extractors_dir),
               "--real-lr", str(train_dirs["real"]), "--steps", "2", "--patch", "16",
               "--batch-size", "2", "--references", "2", "--no-progress",
               "--out", str(tmp_path / "cli")])
    assert rc == 0 and (tmp_path / "cli" / "model.safetensors").is_file()

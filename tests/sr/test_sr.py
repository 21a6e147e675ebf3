"""Baseline SR models and the trainer: shapes, bicubic start, deterministic training,
checkpoints in the weights format, the ``degsdk train sr`` command."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import degsdk
from degsdk.cli import main
from degsdk.sr import train_sr
from tests.conftest import smooth_images


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pairs")
    hr = smooth_images(3, 64, 64, seed=2)
    lr = degsdk.create("resize", factor=0.5)(hr, seed=0).lr
    for i in range(3):
        degsdk.write_image(root / "hr" / f"{i}.png", hr[i])
        degsdk.write_image(root / "lr" / f"{i}.png", lr[i])
    return root


def test_bicubic_and_small_network_shapes() -> None:
    x = torch.rand(2, 3, 12, 16)
    assert degsdk.create_sr_model("bicubic", scale=4)(x).shape == (2, 3, 48, 64)
    assert torch.equal(degsdk.create_sr_model("bicubic", scale=1)(x), x)
    for s, shape in ((1, (2, 3, 12, 16)), (2, (2, 3, 24, 32)), (4, (2, 3, 48, 64))):
        assert degsdk.create_sr_model("srresnet_small", scale=s)(x).shape == shape
    with pytest.raises(degsdk.ConfigError, match="scale must be 1, 2 or 4"):
        degsdk.create_sr_model("srresnet_small", scale=3)


def test_training_is_deterministic_and_saves_weights(pairs: Path, tmp_path: Path) -> None:
    kw = {"scale": 2, "steps": 6, "batch_size": 4, "patch": 16, "seed": 3, "progress": False}
    a = train_sr(pairs=pairs, out=tmp_path / "a", checkpoint_every=3, **kw)
    b = train_sr(pairs=pairs, out=tmp_path / "b", **kw)
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(va, vb), k
    assert (tmp_path / "a" / "checkpoint" / "model.safetensors").is_file()
    assert (tmp_path / "a" / "checkpoint" / "trainer_state.safetensors").is_file()
    loaded = degsdk.load(str(tmp_path / "a"))
    x = torch.rand(1, 3, 16, 16)
    assert torch.equal(loaded(x), a(x))
    prov = degsdk.hub.read_config(tmp_path / "a").provenance
    assert prov["steps"] == 6 and prov["seed"] == 3
    c = train_sr(pairs=pairs, out=tmp_path / "c", **{**kw, "seed": 4})
    assert not torch.equal(next(iter(c.state_dict().values())),
                           next(iter(a.state_dict().values())))


def test_sr_training_resumes_exactly(pairs: Path, tmp_path: Path) -> None:
    kw = {"pairs": pairs, "scale": 2, "steps": 6, "batch_size": 4, "patch": 16, "seed": 5,
          "progress": False}
    full = train_sr(out=tmp_path / "full", **kw)
    train_sr(out=tmp_path / "cut", checkpoint_every=3, **kw)  # leaves a checkpoint at step 3
    resumed = train_sr(out=tmp_path / "cut", checkpoint_every=3, resume=True, **kw)
    for (k, va), vb in zip(full.state_dict().items(), resumed.state_dict().values(),
                           strict=True):
        assert torch.equal(va, vb), k
    assert degsdk.hub.read_config(tmp_path / "cut").provenance["steps"] == 6
    with pytest.raises(degsdk.ConfigError, match="other settings: lr"):
        train_sr(out=tmp_path / "cut", checkpoint_every=3, resume=True, lr=1e-3, **kw)


def test_in_memory_training_matches_the_folder_trainer(pairs: Path, tmp_path: Path) -> None:
    from degsdk.sr import fit_sr, train_sr_on_tensors
    data = degsdk.find_pairs(pairs, scale=2)
    hrs = [degsdk.read_image(p.hr) for p in data]
    lrs = [degsdk.read_image(p.lr) for p in data]
    kw = {"scale": 2, "steps": 4, "batch_size": 2, "patch": 16, "seed": 7, "progress": False}
    mem, done = train_sr_on_tensors(hrs, lrs, **kw)
    disk = train_sr(pairs=pairs, out=tmp_path / "m", **kw)
    assert done == 4
    assert all(torch.equal(a, b) for a, b in zip(mem.state_dict().values(),
                                                 disk.state_dict().values(), strict=True))
    with pytest.warns(DeprecationWarning, match="train_sr_on_tensors"):
        old, _ = fit_sr(hrs, lrs, **kw)
    assert torch.equal(next(iter(old.state_dict().values())),
                       next(iter(mem.state_dict().values())))


def test_network_predicts_a_residual_over_bicubic() -> None:
    m = degsdk.create_sr_model("srresnet_small", scale=2)
    torch.nn.init.zeros_(m.tail.weight)
    torch.nn.init.zeros_(m.tail.bias)
    x = torch.rand(1, 3, 16, 16)
    bic = torch.nn.functional.interpolate(x, scale_factor=2, mode="bicubic",
                                          align_corners=False)
    assert torch.equal(m(x), bic)  # with a zero tail the output is exactly bicubic


def test_train_command(pairs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "sr", "--help"])
    assert "--checkpoint-every" in capsys.readouterr().out
    assert main(["train", "sr", "--pairs", str(pairs), "--out", str(tmp_path / "m"),
                 "--steps", "2", "--batch-size", "2", "--patch", "16"]) == 0
    assert degsdk.load(str(tmp_path / "m")).scale == 2

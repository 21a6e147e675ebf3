"""Issue 30's conditioning changes: synthetic camera pairs, E_deg standardisation folded into
M, condition dropout and guidance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import small_model
from degsdk_realdgen.diffusion import guided_eps
from degsdk_realdgen.synthetic_pairs import camera_pairs, draw_camera
from degsdk_realdgen.train import standardise_degradation, train_realdgen

import degsdk


def test_camera_pairs_replay_the_camera_on_the_reference() -> None:
    """On a constant image every crop and flip is the same HR, so target and reference are
    equal exactly when θ (noise seed included) is replayed; different pairs differ."""
    flat = [torch.full((3, 100, 100), 0.4)]
    hr, target, ref = camera_pairs(flat, 4, 16, 4, torch.Generator().manual_seed(0))
    assert hr.shape == (4, 3, 64, 64) and target.shape == ref.shape == (4, 3, 16, 16)
    assert torch.equal(target, ref)
    assert len({round(float(x.std()), 6) for x in target}) == 4
    again = camera_pairs(flat, 4, 16, 4, torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip((hr, target, ref), again, strict=True))
    # on textured HR the two patches differ, the camera being shared
    photos = list(degsdk.testing.synthetic_photos(2, 96, seed=0))
    _, target, ref = camera_pairs(photos, 2, 16, 4, torch.Generator().manual_seed(1))
    assert not torch.equal(target, ref)


def test_draw_camera_skips_the_pipeline_below_its_size() -> None:
    names = {draw_camera(torch.Generator().manual_seed(i), 4, 64).name for i in range(12)}
    assert names == {"camera"}
    names = {draw_camera(torch.Generator().manual_seed(i), 4, 192).name for i in range(12)}
    assert names == {"camera", "realesrgan"}


def test_camera_noise_is_drawn_log_uniformly() -> None:
    # below the pipeline's size every draw is a ``camera``; log-uniform draws have the
    # geometric mean of their range as median: read √(0.2·12) ≈ 1.55, shot √(1e-5·4e-3) = 2e-4
    cams = [draw_camera(torch.Generator().manual_seed(i), 4, 64) for i in range(400)]
    read = np.array([c.config.read for c in cams])
    shot = np.array([c.config.shot for c in cams])
    assert read.min() >= 0.2 and read.max() <= 12.0 and shot.min() >= 1e-5
    assert 1.2 < np.median(read) < 2.0 and 1.4e-4 < np.median(shot) < 2.9e-4
    # a quarter of the cameras below read σ 0.55 (uniform draws: 3 %)
    assert 0.2 < np.mean(read < 0.55) < 0.3


def test_standardisation_is_folded_into_m_exactly() -> None:
    plain = small_model()
    model = small_model(deg_standardised=True)
    model.load_state_dict(plain.state_dict(), strict=False)
    real = list(torch.rand(3, 3, 40, 40, generator=torch.Generator().manual_seed(0)))
    with torch.no_grad():
        standardise_degradation(model, real, [], 16, torch.Generator().manual_seed(1))
        lr = torch.rand(5, 3, 16, 16, generator=torch.Generator().manual_seed(2))
        v = model.e_deg(lr)
        content = torch.rand(5, 4, 16, 16, generator=torch.Generator().manual_seed(3))
        std = model.deg_std
        assert bool((std > 0).all()) and not torch.allclose(std, torch.ones_like(std))
        torch.testing.assert_close(model.standardised(v), (v - model.deg_mean) / std)
        torch.testing.assert_close(model.fuse(v, content), plain.fuse(v, content),
                                   rtol=1e-4, atol=1e-5)
        # the null vector is the standardised mean: the plain M's output at the mean vector
        mean = model.deg_mean.expand(5, -1)
        torch.testing.assert_close(model.fuse(None, content), plain.fuse(mean, content),
                                   rtol=1e-4, atol=1e-5)
        keep = torch.tensor([True, False, True, False, True])
        mixed = model.fuse(v, content, keep)
        torch.testing.assert_close(mixed[1], model.fuse(None, content)[1])
        torch.testing.assert_close(mixed[0], model.fuse(v, content)[0])


def test_guided_eps_is_the_linear_combination_of_two_passes() -> None:
    unet = small_model().unet
    g = torch.Generator().manual_seed(0)
    x, cond, null = (torch.randn(2, c, 8, 8, generator=g) for c in (3, 4, 4))
    with torch.no_grad():
        e_c = guided_eps(unet, x, 5, cond, None, 1.0)
        e_0 = guided_eps(unet, x, 5, null, None, 1.0)
        for w in (0.0, 1.0, 3.0):
            torch.testing.assert_close(guided_eps(unet, x, 5, cond, null, w),
                                       e_0 + w * (e_c - e_0), rtol=1e-4, atol=1e-5)


def test_guidance_changes_the_output_and_needs_dropout() -> None:
    with pytest.raises(degsdk.ConfigError, match="condition dropout"):
        small_model(guidance=2.0)
    hr = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    one = small_model(condition_dropout=0.1, reference="a")(hr, seed=0).lr
    three = small_model(condition_dropout=0.1, reference="a", guidance=3.0)
    out = three(hr, seed=0)
    assert out.lr.shape == one.shape and not torch.allclose(out.lr, one)
    torch.testing.assert_close(three.apply(hr, out.params), out.lr)


def test_ddpm_stage_with_synthetic_pairs(train_dirs: dict[str, Path], extractors_dir: Path,
                                         tmp_path: Path) -> None:
    common = {"stage": "ddpm", "init": extractors_dir, "real_lr": [train_dirs["real"]],
              "steps": 3, "patch": 16, "batch_size": 4, "references": 2, "progress": False,
              "checkpoint_every": 0}
    model = train_realdgen(**common, out=tmp_path / "m", hr=[train_dirs["hr"]])
    assert model.cfg.deg_standardised and model.cfg.condition_dropout == 0.15
    info = degsdk.hub.read_config(tmp_path / "m")
    assert info.provenance["synthetic_pairs_per_batch"] == 2
    assert info.provenance["synthetic_pair_hr_images"] == 3
    assert not torch.allclose(model.deg_std, torch.ones_like(model.deg_std))
    guided = degsdk.load(str(tmp_path / "m"), guidance=2.0, T=4, candidates=1)
    assert guided(torch.rand(1, 3, 64, 64), seed=0).lr.shape == (1, 3, 16, 16)
    paper = train_realdgen(**common, out=tmp_path / "p", standardise=False,
                           condition_dropout=0.0)
    assert not paper.cfg.deg_standardised and paper.cfg.condition_dropout == 0
    assert "deg_mean" not in paper.state_dict()
    assert degsdk.hub.read_config(tmp_path / "p").provenance["synthetic_pairs_per_batch"] == 0

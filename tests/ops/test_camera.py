"""The synthetic camera: blur field over position and depth, smoothness in the zoom level,
noise law, chromatic aberration, aligned and downscaled outputs."""

from __future__ import annotations

import pytest
import torch

import degsdk
from degsdk.ops._blur import gaussian_blur2d
from degsdk.ops._camera import depth_proxy, radius2, spatially_varying_blur

CLEAN = {"shot": 0.0, "read": 0.0, "jpeg": None, "wb_shift": 0.0, "ca": 0.0}


def _texture(h: int = 96, w: int = 96, seed: int = 0) -> torch.Tensor:
    return torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(seed))


def _hf_energy(x: torch.Tensor) -> torch.Tensor:
    """Per-pixel energy of horizontal differences (high frequencies), 1×…×H×(W-1)."""
    return (x[..., 1:] - x[..., :-1]).pow(2).mean(1)


def test_shapes_aligned_and_downscaled() -> None:
    x = _texture(64, 96)
    assert degsdk.create("camera")(x, seed=0).lr.shape == (1, 3, 64, 96)
    assert degsdk.create("camera", scale=4, level=4)(x, seed=0).lr.shape == (1, 3, 16, 24)
    with pytest.raises(degsdk.InputError, match="divisible by scale 3"):
        degsdk.create("camera", scale=3)(x[..., :64, :64], seed=0)


def test_constant_sigma_map_is_a_gaussian_blur() -> None:
    x = _texture(40, 40)
    for s in (0.75, 1.0):  # on the 0.25 px grid: exactly one Gaussian
        y = spatially_varying_blur(x, torch.full((40, 40), s))
        ref = gaussian_blur2d(x, torch.tensor([s], dtype=torch.float64), 2 * 3 + 1 if s < 1
                              else 7)
        torch.testing.assert_close(y, ref, atol=1e-6, rtol=0)
    mid = spatially_varying_blur(x, torch.full((40, 40), 0.875))
    lo = spatially_varying_blur(x, torch.full((40, 40), 0.75))
    hi = spatially_varying_blur(x, torch.full((40, 40), 1.0))
    torch.testing.assert_close(mid, (lo + hi) / 2, atol=1e-6, rtol=0)


def test_corners_are_blurrier_than_the_centre() -> None:
    cam = degsdk.create("camera", blur_center=0.3, blur_edge=2.0, **CLEAN)
    e = _hf_energy(cam(_texture(128, 128), seed=0).lr)[0]
    centre = e[54:74, 54:74].mean()
    corner = e[:20, :20].mean()
    assert corner < 0.5 * centre
    r2 = radius2(128, 128, torch.device("cpu"))
    assert float(r2[0, 0]) == pytest.approx(1.0) and float(r2.min()) < 1e-3


def test_blur_and_noise_grow_smoothly_with_level() -> None:
    x = _texture(64, 64)
    energy = [float(_hf_energy(degsdk.create("camera", level=s, **CLEAN)(x, seed=0).lr).mean())
              for s in (1.0, 2.0, 3.0, 4.0)]
    assert energy == sorted(energy, reverse=True)
    # Smoothness: the output moves continuously with the level, for the same seed.
    out = {s: degsdk.create("camera", level=s)(x, seed=3).lr for s in (2.0, 2.01, 2.1)}
    d_small = (out[2.01] - out[2.0]).abs().mean()
    d_big = (out[2.1] - out[2.0]).abs().mean()
    assert d_small < d_big < 0.05


def test_noise_variance_law_scales_with_level() -> None:
    flat = torch.full((1, 3, 128, 128), 0.4)
    for level in (1.0, 3.0):
        cam = degsdk.create("camera", level=level, shot=0.002, read=2.0, jpeg=None,
                            wb_shift=0.0, ca=0.0)
        resid = (cam(flat, seed=1).lr - flat).double()
        expected = 0.002 * level * 0.4 + (2.0 / 255) ** 2
        assert resid.var().item() == pytest.approx(expected, rel=0.04)


def test_defocus_follows_the_depth_proxy() -> None:
    x = torch.zeros(1, 3, 64, 64)
    x[..., 32:] = 1.0  # left dark (depth 0), right bright (depth 1)
    d = depth_proxy(x)
    assert float(d[:, :8].mean()) < 0.05 and float(d[:, -8:].mean()) > 0.95
    cam = degsdk.create("camera", defocus=3.0, focus=0.0, blur_center=0.5, blur_edge=0.0,
                        **CLEAN)
    sig = cam.sigma_map(x, focus=0.0)
    assert float(sig[:, :8].mean()) == pytest.approx(0.5, abs=0.05)  # in focus: lens only
    assert float(sig[:, -8:].mean()) > 2.5  # out of focus


def test_chromatic_aberration_magnifies_red_outwards() -> None:
    x = torch.zeros(1, 3, 64, 64)
    x[..., 40:] = 1.0  # a vertical edge right of centre
    cam = degsdk.create("camera", ca=0.02, level=1.0, blur_center=0.0, blur_edge=0.0,
                        shot=0.0, read=0.0, jpeg=None, wb_shift=0.0)
    y = cam(x, seed=0).lr[0, :, 32]
    # Red is magnified: its edge moves away from the centre (right); blue shrinks inwards.
    assert float(y[0, 40]) < float(y[1, 40]) == 1.0  # red edge starts later
    assert float(y[2, 39]) > float(y[1, 39]) == 0.0  # blue edge starts earlier


def test_per_sample_draws_do_not_depend_on_level() -> None:
    x = _texture(32, 32)
    p1 = degsdk.create("camera", level=1)(x, seed=4).params
    p4 = degsdk.create("camera", level=4, scale=4)(x, seed=4).params
    assert p1 == p4  # one scene, one focus/white-balance draw, at every zoom level

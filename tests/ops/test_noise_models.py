"""Poisson (Real-ESRGAN) and Poisson–Gaussian camera noise: variance laws and replay."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import degsdk
from degsdk.ops._noise import _poisson_levels, correlated_gaussian_field, poisson_noise
from degsdk.seeding import generator_from_seed


def test_poisson_levels_count_distinct_8bit_values() -> None:
    x = torch.tensor([0, 1, 2, 3, 3, 3], dtype=torch.float32).view(1, 1, 2, 3) / 255
    assert _poisson_levels(x) == 4.0  # 4 distinct values → 2^2
    assert _poisson_levels(torch.full((1, 1, 4, 4), 0.5)) == 1.0  # one value → 2^0
    ramp = torch.arange(256, dtype=torch.float32).view(1, 1, 16, 16) / 255
    assert _poisson_levels(ramp) == 256.0


def test_poisson_noise_variance_is_scale2_x_over_levels() -> None:
    # A ramp of all 256 levels → L = 256; Var[noise] = scale² · x / L at each level.
    x = (torch.arange(256, dtype=torch.float32) / 255).repeat(3, 400, 1)[None]  # 1×3×400×256
    scale = 2.0
    y = poisson_noise(x, [scale], [False], [11])
    resid = (y - x)[0].double()
    for level in (64, 128, 192):
        col = resid[:, :, level]
        expected = scale**2 * (level / 255) / 256
        assert col.var().item() == pytest.approx(expected, rel=0.08)
        assert abs(col.mean().item()) < 4 * np.sqrt(expected / col.numel())


def test_poisson_gray_noise_is_shared() -> None:
    x = torch.rand(2, 3, 32, 32)
    res = degsdk.create("poisson_noise", scale=1.0, gray_prob=1.0)(x, seed=1)
    d = res.lr - x
    inside = (res.lr > 0) & (res.lr < 1)  # where nothing was clipped
    both = inside[:, 0] & inside[:, 1]
    assert torch.allclose(d[:, 0][both], d[:, 1][both], atol=1e-6)
    # Replay from the params alone, with another instance of the op, is exact.
    assert torch.equal(degsdk.create("poisson_noise").apply(x, res.params), res.lr)


def test_camera_noise_variance_law() -> None:
    a, read = 0.004, 3.0
    deg = degsdk.create("camera_noise", shot=a, read=read)
    for level in (0.2, 0.6):
        x = torch.full((1, 3, 256, 256), level)
        resid = (deg(x, seed=5).lr - x).double()
        expected = a * level + (read / 255) ** 2
        assert resid.var().item() == pytest.approx(expected, rel=0.03)


def test_correlated_field_covariance() -> None:
    g = generator_from_seed(3)
    f = correlated_gaussian_field(300, 300, 25.0, g).double().reshape(3, -1)
    cov = np.cov(f.numpy())
    assert np.all(np.diag(cov) > 0) and np.diag(cov).max() <= (25 / 255) ** 2 * 1.05
    corr = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert abs(corr) > 0.05  # channels are correlated, unlike independent colour noise

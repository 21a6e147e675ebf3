"""Gaussian noise: σ on the 0–255 scale, per-sample fields, gray noise."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import degsdk


def test_noise_residual_matches_sigma_and_float64_reference() -> None:
    x = torch.full((4, 3, 128, 128), 0.5)
    deg = degsdk.create("gaussian_noise", sigma=[2.0, 20.0])
    res = deg(x, seed=7)
    for i, p in enumerate(res.params):
        resid = (res.lr[i] - x[i]).double() * 255.0
        # σ = 20/255 at mid-gray never clips; the residual std is the drawn σ.
        assert resid.std().item() == pytest.approx(p["sigma"], rel=0.03)
        assert abs(resid.mean().item()) < 0.05 * p["sigma"]
        g = torch.Generator().manual_seed(p["seed"])
        field = torch.randn((3, 128, 128), generator=g, dtype=torch.float32).double()
        ref = np.clip(0.5 + field.numpy() * p["sigma"] / 255.0, 0, 1)
        np.testing.assert_allclose(res.lr[i].numpy(), ref, atol=1e-6)


def test_gray_noise_is_shared_across_channels() -> None:
    x = torch.full((6, 3, 16, 16), 0.5)
    res = degsdk.create("gaussian_noise", sigma=10.0, gray_prob=1.0)(x, seed=0)
    assert all(p["gray"] for p in res.params)
    assert torch.equal(res.lr[:, 0], res.lr[:, 1]) and torch.equal(res.lr[:, 1], res.lr[:, 2])
    col = degsdk.create("gaussian_noise", sigma=10.0, gray_prob=0.0)(x, seed=0).lr
    assert not torch.equal(col[:, 0], col[:, 1])


def test_noise_output_stays_in_range() -> None:
    x = torch.cat([torch.zeros(1, 3, 8, 8), torch.ones(1, 3, 8, 8)])
    y = degsdk.create("gaussian_noise", sigma=50.0)(x, seed=0).lr
    assert y.min() >= 0 and y.max() <= 1


def test_negative_sigma_rejected() -> None:
    with pytest.raises(degsdk.ConfigError, match="σ must be ≥ 0"):
        degsdk.create("gaussian_noise", sigma=[-1, 3])

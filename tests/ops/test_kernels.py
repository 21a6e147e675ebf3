"""Blur kernels against closed forms, filtering against scipy.ndimage, and the sampled kernel
distribution against Real-ESRGAN's published settings."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.special
import torch

import degsdk
from degsdk._filtering import filter2d, filter_separable
from degsdk.ops._blur import blur_with
from degsdk.ops._kernels import (
    MixedKernels,
    gaussian_kernel,
    generalized_gaussian_kernel,
    kernel_from_params,
    pad_kernel,
    plateau_kernel,
    pulse_kernel,
    sinc_kernel,
)
from degsdk.seeding import make_generators


def _cov(k: torch.Tensor) -> np.ndarray:
    """Second moments of a normalised kernel, in (x, y) order."""
    k = k.double().numpy()
    r = k.shape[0] // 2
    ax = np.arange(-r, r + 1)
    yy, xx = np.meshgrid(ax, ax, indexing="ij")
    return np.array([[(k * xx * xx).sum(), (k * xx * yy).sum()],
                     [(k * xx * yy).sum(), (k * yy * yy).sum()]])


@pytest.mark.parametrize("sx,sy,theta", [(2.0, 1.0, 0.0), (2.0, 1.0, math.pi / 2),
                                         (2.5, 0.8, 0.6), (1.5, 1.5, 1.0)])
def test_gaussian_covariance_is_rotated_sigma(sx: float, sy: float, theta: float) -> None:
    k = gaussian_kernel(41, sx, sy, theta)
    assert k.shape == (41, 41) and float(k.sum()) == pytest.approx(1.0, abs=1e-6)
    c, s = math.cos(theta), math.sin(theta)
    rot = np.array([[c, -s], [s, c]])
    expected = rot @ np.diag([sx**2, sy**2]) @ rot.T
    # A sampled Gaussian's variance exceeds σ² by ~1/12 at most; large σ keeps that small.
    np.testing.assert_allclose(_cov(k), expected, atol=0.02)


def test_isotropic_gaussian_is_outer_product() -> None:
    k = gaussian_kernel(9, 1.3).double().numpy()
    g = np.exp(-(np.arange(-4, 5) ** 2) / (2 * 1.3**2))
    np.testing.assert_allclose(k, np.outer(g, g) / np.outer(g, g).sum(), atol=1e-7)


def test_generalized_and_plateau_closed_forms() -> None:
    sx, sy, th, beta = 2.0, 1.0, 0.3, 1.7
    c, s = math.cos(th), math.sin(th)
    ax = np.arange(-7, 8)
    yy, xx = np.meshgrid(ax, ax, indexing="ij")
    d2 = ((c * xx + s * yy) / sx) ** 2 + ((-s * xx + c * yy) / sy) ** 2
    gen = np.exp(-0.5 * d2**beta)
    plat = 1 / (1 + d2**beta)
    np.testing.assert_allclose(generalized_gaussian_kernel(15, sx, sy, th, beta).numpy(),
                               gen / gen.sum(), atol=1e-7)
    np.testing.assert_allclose(plateau_kernel(15, sx, sy, th, beta).numpy(), plat / plat.sum(),
                               atol=1e-7)
    # β = 1: the generalized Gaussian is the Gaussian.
    np.testing.assert_allclose(generalized_gaussian_kernel(15, sx, sy, th, 1.0).numpy(),
                               gaussian_kernel(15, sx, sy, th).numpy(), atol=1e-7)


def test_sinc_matches_bessel_formula_and_is_lowpass() -> None:
    size, w = 15, math.pi / 3
    ax = np.arange(size) - size // 2
    yy, xx = np.meshgrid(ax, ax, indexing="ij")
    r = np.hypot(xx, yy)
    with np.errstate(invalid="ignore", divide="ignore"):
        ref = w * scipy.special.j1(w * r) / (2 * np.pi * r)
    ref[size // 2, size // 2] = w**2 / (4 * np.pi)
    k = sinc_kernel(size, w)
    np.testing.assert_allclose(k.numpy(), ref / ref.sum(), atol=1e-7)
    spectrum = np.abs(np.fft.fft2(k.double().numpy(), s=(64, 64)))
    assert spectrum[0, 0] == pytest.approx(1.0) and spectrum[32, 32] < 0.2  # DC kept, Nyquist cut


def test_pulse_and_padding() -> None:
    assert torch.equal(pad_kernel(pulse_kernel(1), 5), pulse_kernel(5))
    k = pad_kernel(gaussian_kernel(7, 1.0), 11)
    assert k.shape == (11, 11) and float(k[:2].abs().sum()) == 0.0


def test_filter2d_matches_scipy_correlate(np_rng: np.random.Generator) -> None:
    x = np_rng.random((2, 3, 30, 26))
    ks = [gaussian_kernel(9, 2.0, 0.7, 0.4), pad_kernel(sinc_kernel(7, 1.5), 9)]
    out = filter2d(torch.from_numpy(x).float(), torch.stack(ks)).numpy()
    for i, k in enumerate(ks):
        for c in range(3):
            ref = ndi.correlate(x[i, c], k.double().numpy(), mode="mirror")
            np.testing.assert_allclose(out[i, c], ref, atol=2e-6)


def test_separable_path_equals_dense(np_rng: np.random.Generator) -> None:
    x = torch.from_numpy(np_rng.random((3, 3, 24, 24))).float()
    params = [{"type": "iso", "size": 9, "sigma_x": 1.4},
              {"type": "aniso", "size": 7, "sigma_x": 1.0, "sigma_y": 2.0, "theta": 0.5},
              {"type": "pulse", "size": 1}]
    out = blur_with(x, params)
    dense = torch.cat([filter2d(x[i : i + 1], kernel_from_params(p)[None])
                       for i, p in enumerate(params)])
    torch.testing.assert_close(out, dense, atol=2e-6, rtol=0)
    assert torch.equal(out[2], x[2])
    k1 = gaussian_kernel(9, 1.4)[4:5].repeat(1, 1)  # a row of the iso kernel ∝ its 1-D factor
    assert filter_separable(x[:1], k1 / k1.sum()).shape == x[:1].shape


def _draws(cfg: MixedKernels, n: int) -> list[dict[str, object]]:
    return [cfg.draw(g) for g in make_generators(123, range(n))]


def test_mixed_kernel_distribution_follows_realesrgan() -> None:
    n = 6000
    draws = _draws(MixedKernels(), n)
    counts = Counter(d["type"] for d in draws)
    assert abs(counts["sinc"] / n - 0.1) < 0.015  # sd ≈ 0.004
    rest = n - counts["sinc"]
    for t, p in zip(("iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso",
                     "plateau_aniso"), (0.45, 0.25, 0.12, 0.03, 0.12, 0.03), strict=True):
        assert abs(counts[t] / rest - p) < 4 * math.sqrt(p * (1 - p) / rest) + 1e-3, t
    sizes = Counter(d["size"] for d in draws)
    assert set(sizes) == set(range(7, 22, 2)) and min(sizes.values()) > n / 8 * 0.8
    sig = [d["sigma_x"] for d in draws if "sigma_x" in d]
    assert min(sig) >= 0.2 and max(sig) <= 3.0 and abs(np.mean(sig) - 1.6) < 0.05
    gb = [d["beta"] for d in draws if str(d["type"]).startswith("generalized")]
    assert min(gb) >= 0.5 and max(gb) <= 4.0 and abs(np.mean(np.array(gb) < 1) - 0.5) < 0.08
    pb = [d["beta"] for d in draws if str(d["type"]).startswith("plateau")]
    assert min(pb) >= 1.0 and max(pb) <= 2.0
    sinc_small = [d["omega_c"] for d in draws if d["type"] == "sinc" and d["size"] < 13]
    sinc_big = [d["omega_c"] for d in draws if d["type"] == "sinc" and d["size"] >= 13]
    assert min(sinc_small) >= math.pi / 3 and min(sinc_big) >= math.pi / 5
    assert min(sinc_big) < math.pi / 3  # the wider range is used for big kernels
    theta = [d["theta"] for d in draws if "theta" in d]
    assert min(theta) >= -math.pi and max(theta) <= math.pi and abs(np.mean(theta)) < 0.15


def test_kernel_blur_degrader(images: torch.Tensor) -> None:
    deg = degsdk.create("kernel_blur", sizes=[7], types=["aniso"], probs=[1], sinc_prob=0.0)
    res = deg(images, seed=0)
    assert all(p["type"] == "aniso" and p["size"] == 7 for p in res.params)
    ref = filter2d(images, torch.stack([kernel_from_params(p) for p in res.params]))
    torch.testing.assert_close(res.lr, ref.clamp(0, 1), atol=1e-6, rtol=0)
    with pytest.raises(degsdk.ConfigError, match="same length"):
        degsdk.create("kernel_blur", types=["iso"], probs=[0.5, 0.5])

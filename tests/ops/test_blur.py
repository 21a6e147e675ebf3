"""Gaussian blur against scipy.ndimage in float64."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
import torch

import degsdk
from degsdk.ops import gaussian_blur2d, gaussian_kernel1d


@pytest.mark.parametrize("sigma,size", [(0.5, 5), (1.3, 9), (3.0, 19)])
def test_kernel_is_normalised_sampled_gaussian(sigma: float, size: int) -> None:
    k = gaussian_kernel1d(torch.tensor([sigma]), size)[0].double().numpy()
    x = np.arange(size) - size // 2
    ref = np.exp(-(x**2) / (2 * sigma**2))
    np.testing.assert_allclose(k, ref / ref.sum(), rtol=1e-6, atol=1e-8)
    assert k.sum() == pytest.approx(1.0, abs=1e-6)
    assert k[0] == pytest.approx(k[-1])  # symmetric


def test_blur_matches_scipy_gaussian_filter_per_sample(np_rng: np.random.Generator) -> None:
    x = np_rng.random((3, 3, 40, 50))
    sigmas = [0.6, 1.5, 2.7]
    size = 17
    out = gaussian_blur2d(torch.from_numpy(x).float(), torch.tensor(sigmas), size).numpy()
    for i, s in enumerate(sigmas):
        for c in range(3):
            # torch "reflect" padding = scipy "mirror" (edge pixel not repeated).
            ref = ndi.gaussian_filter(x[i, c], sigma=s, mode="mirror", radius=size // 2)
            np.testing.assert_allclose(out[i, c], ref, atol=2e-6)


def test_degrader_draws_sigma_in_range_and_applies_it(images: torch.Tensor) -> None:
    deg = degsdk.create("gaussian_blur", sigma=[0.5, 2.0])
    assert deg.kernel_size == 2 * 6 + 1
    res = deg(images, seed=3)
    sig = [p["sigma"] for p in res.params]
    assert all(0.5 <= s <= 2.0 for s in sig) and len(set(sig)) == len(sig)
    ref = gaussian_blur2d(images, torch.tensor(sig, dtype=torch.float64), deg.kernel_size)
    ref = ref.clamp(0, 1)
    assert torch.equal(res.lr, ref)


def test_blur_keeps_constant_image_and_mean() -> None:
    x = torch.full((2, 3, 20, 20), 0.3)
    y = degsdk.create("gaussian_blur", sigma=2.0)(x, seed=0).lr
    torch.testing.assert_close(y, x, atol=1e-6, rtol=0)


def test_blur_rejects_bad_parameters() -> None:
    with pytest.raises(degsdk.ConfigError, match="sigma"):
        degsdk.create("gaussian_blur", sigma=[2.0, 1.0])
    with pytest.raises(degsdk.ConfigError, match="kernel_size"):
        degsdk.create("gaussian_blur", kernel_size=4)
    with pytest.raises(degsdk.ConfigError, match="sigma"):
        degsdk.create("gaussian_blur", sigma=0)


def test_blur_on_image_smaller_than_kernel_matches_scipy_mirror(
        np_rng: np.random.Generator) -> None:
    x = np_rng.random((1, 3, 6, 5))
    out = degsdk.create("gaussian_blur", sigma=3.0)(torch.from_numpy(x).float(), seed=0)
    sigma = out.params[0]["sigma"]
    for c in range(3):  # kernel 19 on a 6×5 image: mirrored repeatedly, as scipy does
        ref = ndi.gaussian_filter(x[0, c], sigma=sigma, mode="mirror", radius=9)
        np.testing.assert_allclose(out.lr[0, c].numpy(), np.clip(ref, 0, 1), atol=2e-6)

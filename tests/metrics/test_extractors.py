"""Offline extractors: deterministic, batch-size independent, and each statistic responds to
the degradation it is meant to measure."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import degsdk
from degsdk.metrics import frechet_distance
from tests.conftest import SAMPLES, smooth_images


@pytest.fixture(scope="module")
def photos() -> torch.Tensor:
    img = degsdk.read_image(SAMPLES / "coffee.png")
    return torch.stack([img[:, t : t + 64, s : s + 64] for t in (0, 100, 200)
                        for s in (0, 150, 300)])


@pytest.mark.parametrize("name,kw", [("degradation_stats", {}), ("alexnet_random", {"seed": 3}),
                                     ("module", {"module": nn.Conv2d(3, 5, 3), "dim": 5})])
def test_deterministic_and_batch_independent(name: str, kw: dict, photos: torch.Tensor) -> None:
    ext = degsdk.create_extractor(name, **kw)
    f = ext(photos)
    assert f.shape == (9, ext.dim) and f.dtype == torch.float32
    assert torch.equal(ext(photos), f)
    for i in (0, 4):
        torch.testing.assert_close(ext(photos[i : i + 1]), f[i : i + 1], atol=1e-5, rtol=1e-5)


def test_random_alexnet_is_seeded() -> None:
    x = torch.rand(2, 3, 64, 64)
    a, b = degsdk.create_extractor("alexnet_random", seed=1), degsdk.create_extractor(
        "alexnet_random", seed=1)
    assert torch.equal(a(x), b(x))
    assert not torch.equal(a(x), degsdk.create_extractor("alexnet_random", seed=2)(x))


def test_stats_measure_noise_blocks_and_colour() -> None:
    flat = torch.full((2, 3, 96, 96), 0.5)
    stats = degsdk.create_extractor("degradation_stats")
    noisy = degsdk.create("gaussian_noise", sigma=10.0)(flat, seed=0).lr
    noise_sigma = stats(noisy)[:, 27:30] * 255  # Donoho estimate per channel
    assert torch.allclose(noise_sigma, torch.full_like(noise_sigma, 10.0), rtol=0.1)
    smooth = smooth_images(2, 96, 96, seed=3)
    clean_blocks = stats(smooth)[:, 30:32]
    jpeg_blocks = stats(degsdk.create("jpeg", quality=8)(smooth, seed=0).lr)[:, 30:32]
    assert (clean_blocks < 1.2).all() and (jpeg_blocks > 1.5).all()
    gray = degsdk.create("gaussian_noise", sigma=10.0, gray_prob=1.0)(flat, seed=0).lr
    assert (stats(gray)[:, 35:38] > 0.99).all() and (stats(noisy)[:, 35:38].abs() < 0.1).all()


def test_frechet_on_stats_separates_degradations(photos: torch.Tensor) -> None:
    stats = degsdk.create_extractor("degradation_stats")
    blur = degsdk.create("gaussian_blur", sigma=[1.5, 2.0])
    noise = degsdk.create("gaussian_noise", sigma=[8, 12])
    ref = stats(blur(photos, seed=0).lr)
    same = stats(blur(photos, seed=1).lr)
    other = stats(noise(photos, seed=1).lr)
    assert frechet_distance(ref, same) < 0.1 * frechet_distance(ref, other)


def test_module_adapter_checks_dim() -> None:
    with pytest.raises(degsdk.ConfigError, match="gives 5 features, declared dim is 4"):
        degsdk.create_extractor("module", module=nn.Conv2d(3, 5, 3), dim=4)(torch.rand(1, 3, 8, 8))
    with pytest.raises(degsdk.ConfigError, match=r"expected a torch\.nn\.Module"):
        degsdk.create_extractor("module", module="vgg", dim=4)

"""Metrics against independent references: scikit-image (PSNR/SSIM), BasicSR's formulas in
numpy, a float64 scipy ``sqrtm`` Fréchet distance, and a numpy/scipy HF-KL."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import scipy.ndimage as ndi
import skimage.metrics
import torch

import degsdk
from degsdk.metrics import frechet_distance, hf_kl, psnr, ssim
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def pair() -> tuple[np.ndarray, np.ndarray]:
    """A real photo and a degraded version of it, uint8 H×W×3."""
    hr = degsdk.read_image(SAMPLES / "coffee.png")[None, :, :160, :200]
    lr = degsdk.create("jpeg", quality=30)(degsdk.create("gaussian_blur", sigma=1.2)(
        hr, seed=0).lr, seed=0).lr
    to_u8 = lambda t: (t[0] * 255).round().byte().permute(1, 2, 0).numpy()  # noqa: E731
    return to_u8(hr), to_u8(lr)


def _y(img: np.ndarray) -> np.ndarray:
    """BasicSR's to_y_channel on an RGB uint8 image (BT.601, 16–235), float64 0–255."""
    x = img.astype(np.float64) / 255.0
    return 16.0 + x @ np.array([65.481, 128.553, 24.966])


def test_psnr_matches_skimage_and_basicsr(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    ref = skimage.metrics.peak_signal_noise_ratio(a, b, data_range=255)
    assert psnr(a, b) == pytest.approx(ref, rel=1e-9)
    ta = torch.from_numpy(a).permute(2, 0, 1).float() / 255
    tb = torch.from_numpy(b).permute(2, 0, 1).float() / 255
    assert psnr(ta, tb) == pytest.approx(ref, rel=1e-9)  # tensors give the same value
    # Y channel with a 4-pixel border, BasicSR's calculate_psnr(test_y_channel=True)
    ya, yb = _y(a)[4:-4, 4:-4], _y(b)[4:-4, 4:-4]
    ref_y = 10 * np.log10(255.0**2 / np.mean((ya - yb) ** 2))
    assert psnr(a, b, crop_border=4, y_channel=True) == pytest.approx(ref_y, rel=1e-12)
    assert psnr(a, a) == float("inf")


def test_ssim_matches_skimage(pair: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = pair
    ref = skimage.metrics.structural_similarity(
        a, b, channel_axis=2, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        data_range=255)
    assert ssim(a, b) == pytest.approx(ref, abs=1e-6)
    ref_y = skimage.metrics.structural_similarity(
        _y(a), _y(b), gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        data_range=255)
    assert ssim(a, b, y_channel=True) == pytest.approx(ref_y, abs=1e-6)
    assert ssim(a, a) == pytest.approx(1.0)
    per_image = ssim(np.stack([a, b]), np.stack([b, b]), reduction="none")
    assert per_image.shape == (2,) and float(per_image[1]) == pytest.approx(1.0)


def _reference_fd(a: np.ndarray, b: np.ndarray) -> float:
    m1, m2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


@pytest.mark.parametrize("d,n", [(16, 200), (256, 200), (2048, 200), (64, 40)])
def test_frechet_matches_float64_sqrtm(d: int, n: int) -> None:
    rng = np.random.default_rng(d)
    a = rng.normal(size=(n, d))
    b = rng.normal(0.1, 1.0, size=(n + 7, d)) @ rng.normal(size=(d, d)) / np.sqrt(d)
    assert frechet_distance(a, b) == pytest.approx(_reference_fd(a, b), rel=1e-6)


def test_frechet_properties_and_errors() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(300, 8))
    assert abs(frechet_distance(a, a)) < 1e-9
    shifted = frechet_distance(a, a + 2.0)  # a pure mean shift adds |Δμ|² = 8·4
    assert shifted == pytest.approx(32.0, rel=1e-9)
    with pytest.raises(degsdk.InputError, match="dimensions differ"):
        frechet_distance(a, a[:, :4])
    with pytest.raises(degsdk.InputError, match="N ≥ 2"):
        frechet_distance(a[:1], a)


def _reference_hf_kl(ref: np.ndarray, imgs: np.ndarray, sigma: float = 1.0) -> float:
    """The definition, in numpy/scipy: residual histograms per channel, ε, KL, channel mean."""
    def hist(x: np.ndarray) -> np.ndarray:  # x: N×3×H×W
        out = np.zeros((3, 100))
        for img in x:
            for c in range(3):
                r = img[c] - ndi.gaussian_filter(img[c], sigma, mode="mirror", radius=3)
                out[c] += np.histogram(r, bins=100, range=(-0.25, 0.25))[0]
        return out
    p, q = hist(ref) + 1e-6, hist(imgs) + 1e-6
    p, q = p / p.sum(1, keepdims=True), q / q.sum(1, keepdims=True)
    return float((p * np.log(p / q)).sum(1).mean())


def test_hf_kl_matches_the_definition() -> None:
    hr = degsdk.read_image(SAMPLES / "chelsea.png")[None, :, :96, :96]
    clean = hr.repeat(2, 1, 1, 1)
    noisy = degsdk.create("gaussian_noise", sigma=[5, 15])(clean, seed=1).lr
    ours = hf_kl(clean, noisy)
    ref = _reference_hf_kl(clean.double().numpy(), noisy.double().numpy())
    assert ours == pytest.approx(ref, rel=1e-6) and ours > 0.05
    assert hf_kl(clean, clean) == pytest.approx(0.0, abs=1e-12)
    less = degsdk.create("gaussian_noise", sigma=2)(clean, seed=1).lr
    assert hf_kl(noisy, less) > hf_kl(noisy, noisy + 0)  # a different noise level is farther
    # image sets may be lists of different sizes
    assert hf_kl([clean, hr[..., :64, :80]], [noisy]) > 0

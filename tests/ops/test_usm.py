"""USM sharpening against a float64 scipy reference with OpenCV's dense 51×51 Gaussian."""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
import torch

import degsdk
from degsdk.ops._sharpen import opencv_sigma, usm_sharpen
from tests.conftest import smooth_images


def _reference(x: np.ndarray, weight: float = 0.5, size: int = 51, thr: float = 10) -> np.ndarray:
    """BasicSR's USMSharp.forward on one C×H×W image, in float64 with scipy (mirror = reflect)."""
    sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # OpenCV's getGaussianKernel(size, 0)
    ax = np.arange(size) - size // 2
    g = np.exp(-(ax**2) / (2 * sigma**2))
    k2 = np.outer(g, g) / np.outer(g, g).sum()
    blur = np.stack([ndi.correlate(c, k2, mode="mirror") for c in x])
    resid = x - blur
    mask = (np.abs(resid) * 255 > thr).astype(np.float64)
    soft = np.stack([ndi.correlate(c, k2, mode="mirror") for c in mask])
    sharp = np.clip(x + weight * resid, 0, 1)
    return soft * sharp + (1 - soft) * x


def test_opencv_sigma() -> None:
    assert abs(opencv_sigma(51) - 8.0) < 1e-12 and abs(opencv_sigma(3) - 0.8) < 1e-12


def test_usm_matches_dense_reference() -> None:
    x = smooth_images(2, 64, 72, seed=3)
    ours = usm_sharpen(x).double().numpy()
    for i in range(2):
        ref = _reference(x[i].double().numpy())
        # The mask is a threshold: pixels within float32 rounding of it may flip; elsewhere
        # the separable float32 result equals the dense float64 one.
        close = np.isclose(ours[i], ref, atol=1e-5)
        assert close.mean() > 0.999


def test_usm_degrader_sharpens_edges_and_keeps_flat_regions() -> None:
    x = torch.full((1, 3, 64, 64), 0.3)
    x[..., 32:] = 0.7
    y = degsdk.create("usm")(x, seed=0).lr
    assert y.shape == x.shape and y.min() >= 0 and y.max() <= 1
    assert float(y[0, 0, 10, 31]) < 0.3 and float(y[0, 0, 10, 32]) > 0.7  # overshoot at edge
    torch.testing.assert_close(y[..., :4], x[..., :4], atol=1e-3, rtol=0)  # far from the edge

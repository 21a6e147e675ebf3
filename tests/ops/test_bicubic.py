"""The ``bicubic`` degrader against Pillow's bicubic resize (float 'F' mode)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import degsdk


def _pil_bicubic(x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    h, w = size
    out = [np.asarray(Image.fromarray(c.astype(np.float32), mode="F").resize(
        (w, h), Image.Resampling.BICUBIC)) for c in x]
    return np.clip(np.stack(out), 0, 1)


def test_scale_k_is_pillow_bicubic_downscaling(np_rng: np.random.Generator) -> None:
    x = np_rng.random((3, 48, 72))
    lr = degsdk.create("bicubic", scale=3)(torch.from_numpy(x).float()[None], seed=0).lr
    np.testing.assert_allclose(lr[0].numpy(), _pil_bicubic(x, (16, 24)), atol=2e-5)


def test_aligned_is_down_then_up_on_the_hr_grid(np_rng: np.random.Generator) -> None:
    x = np_rng.random((3, 48, 72))
    lr = degsdk.create("bicubic", scale=1, level=2.0)(torch.from_numpy(x).float()[None],
                                                     seed=0).lr
    ref = _pil_bicubic(_pil_bicubic(x, (24, 36)), (48, 72))
    assert lr.shape == (1, 3, 48, 72)
    np.testing.assert_allclose(lr[0].numpy(), ref, atol=5e-5)
    # the down-up loses detail: it is not the identity
    assert float((lr[0] - torch.from_numpy(x).float()).abs().mean()) > 0.05


def test_scale_one_without_level_is_refused() -> None:
    with pytest.raises(degsdk.ConfigError, match="level"):
        degsdk.create("bicubic", scale=1)

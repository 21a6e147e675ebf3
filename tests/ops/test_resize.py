"""Resize against Pillow (float 'F' mode) and numpy block means."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import degsdk
from degsdk.ops import resize

_PIL = {"bicubic": Image.Resampling.BICUBIC, "bilinear": Image.Resampling.BILINEAR,
        "nearest": Image.Resampling.NEAREST}


def _pil_resize(x: np.ndarray, size: tuple[int, int], mode: str) -> np.ndarray:
    """x: C×H×W float64 → C×h×w via Pillow per channel in float32 'F' mode."""
    h, w = size
    return np.stack([
        np.asarray(Image.fromarray(c.astype(np.float32), mode="F").resize((w, h), _PIL[mode]))
        for c in x
    ])


# Output sizes for a 48×72 input: ×1/3, ×0.625 and ×5/3. Nearest skips ×0.625: there the source
# coordinate (d + 0.5)·1.6 hits exact integers, ties that float rounding breaks either way.
CASES = [(m, s) for m in ("bicubic", "bilinear") for s in ((16, 24), (30, 45), (80, 120))]
CASES += [("nearest", (16, 24)), ("nearest", (80, 120))]


@pytest.mark.parametrize("mode,size", CASES)
def test_matches_pillow(np_rng: np.random.Generator, mode: str, size: tuple[int, int]) -> None:
    x = np_rng.random((3, 48, 72))
    ours = resize(torch.from_numpy(x).float()[None], size, mode)[0].numpy()
    ref = _pil_resize(x, size, mode)
    if mode == "bicubic":
        ref = np.clip(ref, 0, 1)
    np.testing.assert_allclose(ours, ref, atol=2e-5)


def test_area_is_block_mean_for_integer_factor(np_rng: np.random.Generator) -> None:
    x = np_rng.random((2, 3, 24, 36))
    ours = resize(torch.from_numpy(x).float(), (6, 9), "area").numpy()
    ref = x.reshape(2, 3, 6, 4, 9, 4).mean(axis=(3, 5))
    np.testing.assert_allclose(ours, ref, atol=1e-6)


def test_degrader_scale_and_float_factor() -> None:
    deg = degsdk.create("resize", factor=0.3, mode="bilinear")
    assert deg.scale == pytest.approx(1 / 0.3)
    y = deg(torch.rand(2, 3, 50, 70), seed=0).lr
    assert y.shape == (2, 3, 15, 21)
    up = degsdk.create("resize", factor=2.5)(torch.rand(1, 3, 4, 6), seed=0).lr
    assert up.shape == (1, 3, 10, 15) and up.min() >= 0 and up.max() <= 1


def test_not_divisible_is_an_error_naming_sizes() -> None:
    deg = degsdk.create("resize", factor=0.25)
    with pytest.raises(degsdk.InputError,
                       match=r"height 50 is not divisible by scale 4 \(output would be 12.5 "):
        deg(torch.rand(1, 3, 50, 64), seed=0)


def test_bad_mode_is_config_error() -> None:
    with pytest.raises(degsdk.ConfigError, match="mode"):
        degsdk.create("resize", mode="lanczos")


def test_random_resize_draws_per_sample_and_hits_the_exact_size() -> None:
    deg = degsdk.create("random_resize", factor=0.5)
    x = torch.rand(64, 3, 32, 48)
    res = deg(x, seed=0)
    assert res.lr.shape == (64, 3, 16, 24) and res.lr.min() >= 0 and res.lr.max() <= 1
    kinds = {p["kind"] for p in res.params}
    modes = {p["mode"] for p in res.params} | {p["final_mode"] for p in res.params}
    assert kinds == {"up", "down", "keep"} and modes == {"area", "bilinear", "bicubic"}
    for p in res.params:
        lo, hi = (1.0, 1.5) if p["kind"] == "up" else (0.15, 1.0) if p["kind"] == "down" else (
            1.0, 1.0)
        assert lo <= p["factor"] <= hi
    assert torch.equal(deg(x[5:6], seed=0, indices=[5]).lr[0], res.lr[5])
    assert torch.equal(deg.apply(x, res.params), res.lr)

"""JPEG against Pillow directly: same bytes in, same pixels out."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

import degsdk


def _pillow_jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def test_jpeg_is_bit_exact_pillow_codec(images: torch.Tensor) -> None:
    deg = degsdk.create("jpeg", quality=[20, 90])
    res = deg(images, seed=5)
    qualities = [p["quality"] for p in res.params]
    assert all(20 <= q <= 90 for q in qualities) and len(set(qualities)) > 1
    for i, q in enumerate(qualities):
        u8 = (images[i] * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
        ref = _pillow_jpeg(u8, q)
        got = (res.lr[i] * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
        np.testing.assert_array_equal(got, ref)


def test_lower_quality_loses_more(images: torch.Tensor) -> None:
    x = images[:2]
    err = {q: (degsdk.create("jpeg", quality=q)(x, seed=0).lr - x).abs().mean().item()
           for q in (10, 50, 95)}
    assert err[10] > err[50] > err[95] > 0


def test_quality_out_of_range_rejected() -> None:
    with pytest.raises(degsdk.ConfigError, match="1–100"):
        degsdk.create("jpeg", quality=[0, 50])

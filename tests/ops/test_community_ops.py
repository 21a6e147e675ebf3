"""The community's ops (issue 29): pixelate, chroma subsampling, channel shift and WebP, each
against an independent reference (float64 numpy loops over the definition, Pillow's codec).
The registry-wide contract test covers seeding, replay and batch independence."""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

import degsdk
from degsdk.ops import (
    channel_shift,
    chroma_subsample,
    disk_kernel,
    motion_kernel,
    pixelate,
    webp_compress,
)
from tests.conftest import smooth_images


def _blocks_ref(a: np.ndarray, fy: int, fx: int) -> np.ndarray:
    """Each block (partial edge blocks too) of an H×W array set to its mean, float64."""
    out = np.empty_like(a)
    for y in range(0, a.shape[0], fy):
        for x in range(0, a.shape[1], fx):
            out[y : y + fy, x : x + fx] = a[y : y + fy, x : x + fx].mean()
    return out


def test_pixelate_fills_each_block_with_its_mean() -> None:
    x = torch.rand(2, 3, 11, 14, dtype=torch.float64)
    out = pixelate(x, [3, 4]).numpy()
    for i, k in enumerate((3, 4)):
        for c in range(3):
            assert np.allclose(out[i, c], _blocks_ref(x[i, c].numpy(), k, k), atol=1e-12)
    assert torch.equal(pixelate(x, [1, 1]), x)


def _ycc(rgb: np.ndarray) -> np.ndarray:
    """JFIF's full-range YCbCr (ITU-T T.871), Cb and Cr centred on 0; rgb: H×W×3 float64."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    return np.stack([y, (b - y) / 1.772, (r - y) / 1.402], axis=-1)


@pytest.mark.parametrize(("mode", "fy", "fx"), [("4:4:4", 1, 1), ("4:2:2", 1, 2),
                                                 ("4:2:0", 2, 2), ("4:4:0", 2, 1),
                                                 ("4:1:1", 1, 4), ("4:1:0", 2, 4)])
def test_chroma_subsampling_keeps_luma_and_averages_chroma(mode: str, fy: int, fx: int) -> None:
    x = smooth_images(1, 13, 18, seed=4).double() * 0.8 + 0.1  # no clamping at the edges
    out = chroma_subsample(x, [mode])[0].permute(1, 2, 0).numpy()
    ref_in = _ycc(x[0].permute(1, 2, 0).numpy())
    ref = np.stack([ref_in[..., 0]] + [_blocks_ref(ref_in[..., c], fy, fx) for c in (1, 2)], -1)
    got = _ycc(out)
    assert np.allclose(got, ref, atol=1e-9)
    if mode == "4:4:4":
        assert np.allclose(out, x[0].permute(1, 2, 0).numpy(), atol=1e-9)


def test_chroma_subsampling_reads_like_a_jpeg_codec_at_high_quality() -> None:
    """4:2:0 vs 4:4:4 at quality 100 through libjpeg: our 4:2:0 is closer to the codec's 4:2:0
    than to its 4:4:4 (the codec smooths its upsampling, so not equal)."""
    x = smooth_images(1, 64, 64, seed=1)
    arr = (x[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)

    def codec(sub: str) -> np.ndarray:
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, format="JPEG", quality=100, subsampling=sub)
        return np.asarray(Image.open(buf).convert("RGB"), dtype=np.float64) / 255

    ours = chroma_subsample(torch.from_numpy(arr).permute(2, 0, 1)[None].float() / 255,
                            ["4:2:0"])[0].permute(1, 2, 0).double().numpy()
    assert np.abs(ours - codec("4:2:0")).mean() < np.abs(ours - codec("4:4:4")).mean()


def test_channel_shift_moves_each_channel_with_edge_replication() -> None:
    x = torch.rand(1, 3, 9, 12)
    shifts = [[[2, -1], [0, 0], [-3, 4]]]
    out = channel_shift(x, shifts)[0].numpy()
    for c, (dy, dx) in enumerate(shifts[0]):
        a = x[0, c].numpy()
        ys = np.clip(np.arange(9) - dy, 0, 8)
        xs = np.clip(np.arange(12) - dx, 0, 11)
        assert np.array_equal(out[c], a[np.ix_(ys, xs)])


def test_webp_is_the_codec_round_trip_and_quality_orders_the_error() -> None:
    x = smooth_images(2, 48, 40, seed=2)
    arr = (x[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="WEBP", quality=30)
    direct = np.asarray(Image.open(buf).convert("RGB"))
    ours = webp_compress(x[:1], [30])[0].permute(1, 2, 0).numpy()
    assert np.array_equal((ours * 255).round().astype(np.uint8), direct)
    err = [float((webp_compress(x, [q, q]) - x).abs().mean()) for q in (5, 50, 95)]
    assert err[0] > err[1] > err[2]


@pytest.mark.parametrize("name", ["webp", "chroma_subsample", "channel_shift", "pixelate"])
def test_registered_with_sensible_defaults(name: str) -> None:
    deg = degsdk.create(name)
    res = deg(smooth_images(3, 32, 32), seed=1, indices=[4, 5, 6])
    assert res.lr.shape == (3, 3, 32, 32) and len(res.params) == 3
    with pytest.raises(degsdk.ConfigError):
        degsdk.create(name, **{next(iter(type(deg).Config.model_fields)): "nonsense"})


# ------------------------------------------------------------------ named resize filters
def _pil(arr: np.ndarray, size: tuple[int, int], filt: int) -> np.ndarray:
    return np.asarray(Image.fromarray(arr).resize((size[1], size[0]), filt), dtype=np.float64)


@pytest.mark.parametrize(("name", "pil"), [("box", Image.BOX), ("linear", Image.BILINEAR),
                                           ("catmull_rom", Image.BICUBIC),
                                           ("lanczos", Image.LANCZOS)])
@pytest.mark.parametrize("size", [(16, 12), (21, 17), (100, 70)])
def test_named_filters_match_pillow(name: str, pil: int, size: tuple[int, int]) -> None:
    """Down and up, against Pillow's convolution resampler (which rounds to 8 bits between its
    two passes and uses fixed-point weights: within 1.5 levels, 0.4 on average)."""
    from degsdk.ops import resample
    x = smooth_images(1, 64, 48, seed=3)
    arr = (x[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    xq = torch.from_numpy(arr).permute(2, 0, 1)[None].double() / 255
    ours = resample(xq, size, name)[0].permute(1, 2, 0).numpy() * 255
    err = np.abs(ours - _pil(arr, size, pil))
    assert err.max() <= 1.5 and err.mean() <= 0.4


def test_cubic_kernels_are_the_mitchell_netravali_closed_forms() -> None:
    from degsdk.ops._resample import KERNELS
    x = torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0], dtype=torch.float64)
    expect = {"catmull_rom": [1, 0.5625, 0, -0.0625, 0], "bspline": [2 / 3, 23 / 48, 1 / 6,
                                                                     1 / 48, 0],
              "mitchell": [8 / 9, 0.5347222222, 1 / 18, -0.0347222222, 0]}
    for name, values in expect.items():
        assert torch.allclose(KERNELS[name][0](x), torch.tensor(values, dtype=torch.float64),
                              atol=1e-9), name


@pytest.mark.parametrize("name", ["box", "linear", "catmull_rom", "lanczos", "mitchell",
                                  "bspline", "gauss", "nearest", "area"])
def test_every_filter_keeps_constants_and_the_interpolating_ones_keep_the_image(
        name: str) -> None:
    from degsdk.ops import resample
    flat = torch.full((1, 3, 20, 30), 0.4, dtype=torch.float64)
    assert torch.allclose(resample(flat, (7, 11), name), flat[..., :7, :11], atol=1e-12)
    x = torch.rand(1, 3, 20, 30, dtype=torch.float64)
    if name in ("box", "linear", "catmull_rom", "lanczos", "nearest", "area"):
        assert torch.allclose(resample(x, (20, 30), name), x, atol=1e-12)


def test_resample_draws_filters_and_a_down_up_chain() -> None:
    deg = degsdk.create("resample", factor=0.5, filters=["lanczos", "box"], down_up=[0.3, 0.7])
    res = deg(smooth_images(4, 32, 48), seed=0, indices=[0, 1, 2, 3])
    assert res.lr.shape == (4, 3, 16, 24)
    assert {p["filter"] for p in res.params} <= {"lanczos", "box"}
    assert all(0.3 <= p["via"] <= 0.7 for p in res.params)
    plain = degsdk.create("resample", factor=0.5, filters=["lanczos"])
    assert plain(smooth_images(1, 32, 48), seed=0).params == [{"filter": "lanczos"}]


# ------------------------------------------------------------------ motion and lens blur
def test_motion_kernel_is_a_line_along_its_angle() -> None:
    from degsdk.ops import motion_kernel
    flat = motion_kernel(5, 0)
    r = flat.shape[0] // 2
    assert float(flat.sum()) == pytest.approx(1.0)
    assert float(flat.abs().sum() - flat[r].abs().sum()) < 1e-12  # only the centre row
    assert torch.allclose(motion_kernel(5, 90), flat.T, atol=1e-12)  # vertical
    assert torch.allclose(motion_kernel(7, 30), motion_kernel(7, 210), atol=1e-12)
    k = motion_kernel(7, 30)
    assert torch.allclose(k, k.flip(0).flip(1), atol=1e-12)  # point-symmetric
    ident = motion_kernel(0.0, 45)
    assert float(ident[ident.shape[0] // 2, ident.shape[1] // 2]) == 1.0


def test_disk_kernel_covers_the_circle() -> None:
    from degsdk.ops import disk_kernel
    d = disk_kernel(2.0)
    assert d.shape == (5, 5) and float(d.sum()) == pytest.approx(1.0)
    assert torch.allclose(d, d.T) and torch.allclose(d, d.flip(0))
    assert float(d[0, 0]) == 0.0 and float(d[2, 2]) == float(d.max())
    # coverage: the kernel is flat inside, so total area / centre weight ≈ π r²
    assert float(d.sum() / d[2, 2]) == pytest.approx(math.pi * 4, rel=0.02)


@pytest.mark.parametrize(("name", "params", "kernel"), [
    ("motion_blur", {"length": 6.0, "angle": 40.0}, lambda: motion_kernel(6.0, 40.0)),
    ("lens_blur", {"radius": 2.5}, lambda: disk_kernel(2.5))])
def test_blurs_are_the_kernels_correlated_with_reflection(name: str, params: dict,
                                                           kernel: Any) -> None:
    """Against scipy.ndimage.correlate (mode="mirror": reflect without repeating the edge)."""
    from scipy import ndimage
    x = smooth_images(1, 24, 30, seed=5)
    deg = degsdk.create(name, **{k: [v, v] for k, v in params.items()})
    out = deg(x, seed=0).lr[0].double().numpy()
    k = kernel().numpy()
    for c in range(3):
        ref = ndimage.correlate(x[0, c].double().numpy(), k, mode="mirror")
        assert np.allclose(out[c], np.clip(ref, 0, 1), atol=1e-5)

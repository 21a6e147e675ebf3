"""The community's ops, part 2 (issue 29): video codecs, DPID, dithering, unsharp masking —
each against an independent reference (float64 loops over the definition, FFmpeg's colour
conversion alone, Pillow, pepedpid). The registry-wide contract test covers seeding, replay
and batch independence."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import degsdk
from degsdk.ops import bayer_matrix, dither, dpid, usm_sharpen, video_compress
from tests.conftest import smooth_images

# ------------------------------------------------------------------ video codecs
av = pytest.importorskip("av", reason="PyAV (degsdk[video]) is not installed")


def _u8(x: torch.Tensor) -> np.ndarray:
    return (x.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


def _yuv420_only(a: np.ndarray) -> np.ndarray:
    """RGB → 4:2:0 YUV → RGB through FFmpeg's converter alone: what a lossless codec gives."""
    f = av.VideoFrame.from_ndarray(a, format="rgb24").reformat(format="yuv420p")
    return f.to_ndarray(format="rgb24")


def test_lossless_h264_is_the_colour_conversion_alone() -> None:
    x = smooth_images(1, 32, 48, seed=2)
    out = _u8(video_compress(x, "h264", [0]))[0]
    assert np.array_equal(out, _yuv420_only(_u8(x)[0]))


@pytest.mark.parametrize(("codec", "qs"), [("h264", (5, 30, 51)), ("hevc", (5, 30, 51)),
                                           ("mpeg2", (1, 8, 31)), ("vp9", (5, 35, 63))])
def test_each_codec_codes_and_its_quantiser_orders_the_error(codec: str, qs: tuple) -> None:
    x = smooth_images(2, 40, 56, seed=3)
    base = np.abs(np.stack([_yuv420_only(a) for a in _u8(x)]).astype(float) - _u8(x)).mean()
    err = [float(np.abs(_u8(video_compress(x, codec, [q, q])).astype(float)
                        - _u8(x)).mean()) for q in qs]
    assert base <= err[0] + 0.5 and err[0] < err[1] < err[2], (base, err)
    again = video_compress(x, codec, [qs[1], qs[1]])
    assert torch.equal(again, video_compress(x, codec, [qs[1], qs[1]]))  # same bytes


def test_odd_sizes_are_padded_and_cropped() -> None:
    x = smooth_images(1, 17, 23, seed=1)
    out = video_compress(x, "hevc", [20])
    assert out.shape == x.shape and float((out - x).abs().mean()) < 0.06


def test_video_config_checks_the_codecs_quantiser_range() -> None:
    assert degsdk.create("video", codec="mpeg2").quantiser == (2, 12)
    with pytest.raises(degsdk.ConfigError, match="qscale must be within 1–31"):
        degsdk.create("video", codec="mpeg2", quantiser=40)
    assert degsdk.create("video", codec="vp9", quantiser=63).quantiser == (63, 63)


# ------------------------------------------------------------------ DPID
def _dpid_ref(img: np.ndarray, h: int, w: int, lam: float) -> np.ndarray:
    """The paper's definition with float64 loops; img: H×W×3."""
    hh, ww = img.shape[:2]
    sy, sx = hh / h, ww / w

    def cov(i: int, s: float, q: int) -> float:
        return max(0.0, min((i + 1) * s, q + 1) - max(i * s, q))

    def pool(weight_of: object) -> tuple[np.ndarray, np.ndarray]:
        out, tot = np.zeros((h, w, 3)), np.zeros((h, w))
        for i in range(h):
            for j in range(w):
                for qy in range(hh):
                    for qx in range(ww):
                        c = cov(i, sy, qy) * cov(j, sx, qx)
                        if c > 0:
                            wt = c * weight_of(i, j, img[qy, qx])  # type: ignore[operator]
                            out[i, j] += wt * img[qy, qx]
                            tot[i, j] += wt
        return out, tot

    s, t = pool(lambda i, j, v: 1.0)
    avg = s / t[..., None]
    k = np.array([1.0, 2.0, 1.0])
    guide = np.zeros_like(avg)
    for i in range(h):
        for j in range(w):
            num, den = np.zeros(3), 0.0
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    if 0 <= i + di < h and 0 <= j + dj < w:
                        num += k[di + 1] * k[dj + 1] * avg[i + di, j + dj]
                        den += k[di + 1] * k[dj + 1]
            guide[i, j] = num / den
    s, t = pool(lambda i, j, v: (np.linalg.norm(v - guide[i, j]) / math.sqrt(3)) ** lam)
    return np.where(t[..., None] > 0, s / np.maximum(t, 1e-300)[..., None], avg)


@pytest.mark.parametrize("size", [(4, 5), (3, 3), (13, 10)])
def test_dpid_is_the_papers_definition(size: tuple[int, int]) -> None:
    x = torch.rand(3, 3, 13, 10, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    lams = [0.0, 0.5, 1.0]
    out = dpid(x, size, lams)
    for i, lam in enumerate(lams):
        ref = _dpid_ref(x[i].permute(1, 2, 0).numpy(), *size, lam)
        assert np.allclose(out[i].permute(1, 2, 0).numpy(), ref, atol=1e-12)


def test_dpid_keeps_a_thin_line_that_the_box_average_dims() -> None:
    x = torch.zeros(1, 3, 16, 16)
    x[..., 5, :] = 1.0  # a one-pixel bright line
    box, kept = dpid(x, (4, 4), [0.0]), dpid(x, (4, 4), [1.0])
    assert float(box.max()) == pytest.approx(0.25)
    assert float(kept.max()) > 0.6


def test_dpid_agrees_with_pepedpid() -> None:
    """pepedpid (the Rust DPID wtp_dataset_destroyer uses) as a second implementation."""
    pepedpid = pytest.importorskip("pepedpid")
    x = smooth_images(1, 64, 48, seed=3)
    a = x[0].permute(1, 2, 0).numpy().astype(np.float32)
    for lam in (0.0, 0.5, 1.0):
        for size in ((16, 12), (21, 17)):
            theirs = pepedpid.dpid_resize(a, size[0], size[1], lam)
            ours = dpid(x, size, [lam])[0].permute(1, 2, 0).numpy()
            assert np.abs(theirs - ours).max() < 0.01 and np.abs(theirs - ours).mean() < 1e-3


def test_dpid_degrader_downscales_by_its_factor() -> None:
    res = degsdk.create("dpid", factor=0.5, lam=[0, 1])(smooth_images(2, 32, 24), seed=3)
    assert res.lr.shape == (2, 3, 16, 12) and 0 <= res.params[0]["lam"] <= 1


# ------------------------------------------------------------------ dithering
def _fs_ref(a: np.ndarray, levels: int) -> np.ndarray:
    a, s = a.astype(np.float64).copy(), levels - 1
    h, w = a.shape
    out = np.zeros_like(a)
    for y in range(h):
        for x in range(w):
            q = min(max(np.round(a[y, x] * s) / s, 0.0), 1.0)
            e, out[y, x] = a[y, x] - q, q
            if x + 1 < w:
                a[y, x + 1] += e * 7 / 16
            if y + 1 < h:
                if x > 0:
                    a[y + 1, x - 1] += e * 3 / 16
                a[y + 1, x] += e * 5 / 16
                if x + 1 < w:
                    a[y + 1, x + 1] += e * 1 / 16
    return out


def test_floyd_steinberg_is_the_raster_order_diffusion() -> None:
    x = torch.rand(2, 3, 13, 17, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    out = dither(x, [3, 5], "floyd_steinberg")
    for i, levels in enumerate((3, 5)):
        for c in range(3):
            assert np.allclose(out[i, c].numpy(), _fs_ref(x[i, c].numpy(), levels), atol=1e-12)


def test_ordered_dither_thresholds_with_the_bayer_map() -> None:
    m = bayer_matrix(4)
    assert sorted(m.flatten().tolist()) == list(range(16))
    assert m.tolist()[:2] == [[0, 8, 2, 10], [12, 4, 14, 6]]
    x = torch.rand(1, 3, 9, 11, dtype=torch.float64)
    out = dither(x, [4], "ordered", 4)[0].numpy()
    for y in range(9):
        for xx in range(11):
            t = (int(m[y % 4, xx % 4]) + 0.5) / 16
            assert np.allclose(out[:, y, xx], np.floor(x[0, :, y, xx].numpy() * 3 + t) / 3)


@pytest.mark.parametrize("method", ["ordered", "floyd_steinberg"])
def test_dithering_keeps_the_local_mean_that_rounding_loses(method: str) -> None:
    x = torch.full((1, 3, 32, 32), 0.3)
    flat = dither(x, [2], "none")
    dithered = dither(x, [2], method)
    assert set(dithered.unique().tolist()) <= {0.0, 1.0}
    assert float(flat.mean()) == 0.0 and abs(float(dithered.mean()) - 0.3) < 0.02


# ------------------------------------------------------------------ unsharp on the LQ
def test_unsharp_is_the_usm_at_each_samples_weight_and_radius() -> None:
    x = smooth_images(2, 40, 40, seed=6)
    res = degsdk.create("unsharp", weight=[0.5, 2], radius=[3, 15], threshold=0)(x, seed=2)
    for i, p in enumerate(res.params):
        ref = usm_sharpen(x[i : i + 1], p["weight"], p["radius"], p["threshold"])
        assert torch.allclose(res.lr[i : i + 1], ref.clamp(0, 1))
    # halos: more contrast along edges
    assert float(res.lr.std()) > float(x.std())


# ------------------------------------------------------------------ box and median blur
def test_box_and_median_blur_match_scipy() -> None:
    from scipy import ndimage
    x = smooth_images(1, 20, 26, seed=7)
    box = degsdk.create("box_blur", radius=2)(x, seed=0).lr[0].double().numpy()
    med = degsdk.create("median_blur", radius=1)(x, seed=0).lr[0].double().numpy()
    for c in range(3):
        a = x[0, c].double().numpy()
        assert np.allclose(box[c], ndimage.uniform_filter(a, 5, mode="mirror"), atol=1e-6)
        assert np.allclose(med[c], ndimage.median_filter(a, 3, mode="mirror"), atol=1e-7)

"""The ``calibrated_camera`` degrader and its stages against independent references: scipy's
filters, Pillow's codec, the sRGB curve written out, closed-form noise laws."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import torch
from PIL import Image
from scipy import ndimage

import degsdk
from degsdk.ops import (
    bayer_mosaic,
    colour_transform,
    demosaic,
    jpeg_compress,
    linear_to_srgb,
    signal_dependent_noise,
    srgb_slope,
    srgb_to_linear,
    unsharp_mask,
)
from degsdk.testing import check_degrader
from tests.conftest import smooth_images

FULL = {"scale": 2, "psf": {"sigma_x": [0.8, 1.5], "sigma_y": [0.5, 2.0], "theta": [0, 3]},
        "colour": {"matrix": [[1.1, 0, 0], [0, 1, 0], [0, 0.1, 0.9]], "offset": [0.01, 0, 0]},
        "noise": {"shot": 0.002, "read": [1, 2, 3]}, "sharpen": {"amount": [0.2, 1.0],
                                                               "sigma": 1.5},
        "jpeg": {"quality": [60, 90], "subsampling": "4:2:2"}}


@pytest.mark.parametrize("params", [
    {}, FULL,
    {"scale": 4, "downsample": "area", "psf": {"type": "kernel",
                                              "kernel": [[0, 1, 0], [1, 4, 1], [0, 1, 0]]},
     "mosaic": "grbg", "noise": {"shot": [0.001, 0.002, 0.003], "read": 2},
     "sensor_space": "srgb"},
    {"mosaic": "rggb", "demosaic": "bilinear", "quantize": False},
], ids=["identity", "every-stage", "kernel-area-mosaic", "mosaic-only"])
def test_calibrated_camera_keeps_the_contract(params: dict) -> None:
    check_degrader(degsdk.create("calibrated_camera", **params))


def test_draws_are_recorded_and_replayed() -> None:
    deg = degsdk.create("calibrated_camera", **FULL)
    hr = smooth_images(3, 32, 32)
    res = deg(hr, seed=4)
    for p in res.params:
        sx, sy, th = p["psf"]
        assert 0.8 <= sx <= 1.5 and 0.5 <= sy <= 2.0 and 0 <= th <= 3
        assert 0.2 <= p["sharpen"] <= 1.0 and 60 <= p["jpeg"] <= 90
        assert isinstance(p["seed"], int)
    assert torch.equal(degsdk.create("calibrated_camera", **FULL).apply(hr, res.params), res.lr)


def _gaussian_kernel(sx: float, sy: float, th: float) -> np.ndarray:
    r = math.ceil(3 * max(sx, sy))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1].astype(float)
    u, v = math.cos(th) * xx + math.sin(th) * yy, -math.sin(th) * xx + math.cos(th) * yy
    k = np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))
    return k / k.sum()


def test_optics_is_scipy_blur_then_pil_bicubic_then_colour() -> None:
    hr = smooth_images(1, 64, 48, seed=2)
    m = [[1.05, 0.02, 0.0], [0.0, 0.97, 0.01], [0.03, 0.0, 0.92]]
    cam = degsdk.create("calibrated_camera", scale=2, psf={"sigma_x": 1.7, "sigma_y": 0.9,
                                                          "theta": 0.4},
                        colour={"matrix": m, "offset": [0.01, -0.02, 0.0]})
    got = cam.optics(hr, [{"psf": [1.7, 0.9, 0.4]}])[0].double().numpy()
    x = hr[0].double().numpy()
    k = _gaussian_kernel(1.7, 0.9, 0.4)
    blurred = np.stack([ndimage.correlate(x[c], k, mode="mirror") for c in range(3)])
    small = np.stack([np.asarray(Image.fromarray(blurred[c].astype(np.float32), mode="F")
                                 .resize((24, 32), Image.BICUBIC)) for c in range(3)])
    ref = np.clip(np.einsum("cd,dhw->chw", np.asarray(m), small)
                  + np.array([0.01, -0.02, 0.0])[:, None, None], 0, 1)
    assert np.abs(got - ref)[:, 2:-2, 2:-2].max() < 2e-3  # PIL resamples in float32


def test_area_sampling_is_the_box_average() -> None:
    hr = smooth_images(2, 32, 32)
    lr = degsdk.create("calibrated_camera", scale=4, downsample="area", quantize=False)(
        hr, seed=0).lr
    assert torch.allclose(lr, hr.reshape(2, 3, 8, 4, 8, 4).mean((3, 5)), atol=1e-6)


def test_srgb_curve_is_the_standard_and_inverts() -> None:
    x = torch.linspace(0, 1, 1001, dtype=torch.float64)
    ref = np.where(x.numpy() <= 0.04045, x.numpy() / 12.92,
                   ((x.numpy() + 0.055) / 1.055) ** 2.4)
    assert np.allclose(srgb_to_linear(x).numpy(), ref, atol=1e-12)
    assert torch.allclose(linear_to_srgb(srgb_to_linear(x)), x, atol=1e-9)
    eps = 1e-6
    num = (srgb_to_linear(x + eps) - srgb_to_linear(x - eps)) / (2 * eps)
    inner = (x > 0.05) & (x < 0.99)
    assert torch.allclose(srgb_slope(x)[inner], 1 / num[inner], rtol=1e-4)


@pytest.mark.parametrize("space", ["srgb", "linear"])
def test_noise_law_per_channel(space: str) -> None:
    shot, read = [0.004, 0.001, 0.0], [1.0, 3.0, 6.0]
    cam = degsdk.create("calibrated_camera", sensor_space=space, quantize=False,
                        noise={"shot": shot, "read": read})
    rng = np.random.default_rng(0)
    for level in (0.25, 0.6):
        x = torch.full((1, 3, 256, 256), level)
        resid = (cam(x, seed=3).lr - x)[0].double()
        for c in range(3):
            var = lambda v, c=c: shot[c] * v + (read[c] / 255) ** 2  # noqa: E731
            if space == "srgb":
                sd = math.sqrt(var(level))
            else:  # noise added in linear light, then encoded: numpy Monte Carlo
                lin = ((level + 0.055) / 1.055) ** 2.4
                y = np.clip(lin + math.sqrt(var(lin)) * rng.standard_normal(400_000), 0, 1)
                enc = np.where(y <= 0.0031308, 12.92 * y, 1.055 * y ** (1 / 2.4) - 0.055)
                sd = float(enc.std())
            assert resid[c].std().item() == pytest.approx(sd, rel=0.03)


def test_signal_dependent_noise_takes_per_pixel_laws() -> None:
    x = torch.full((1, 1, 200, 200), 0.5)
    read = torch.zeros(1, 1, 200, 200)
    read[..., :100] = 0.01**2
    out = signal_dependent_noise(x, torch.zeros(1, 1, 1, 1), read, [5])
    assert (out - x)[..., :100].std().item() == pytest.approx(0.01, rel=0.03)
    assert float((out - x)[..., 100:].abs().max()) == 0.0


def test_jpeg_subsampling_is_pillows() -> None:
    x = smooth_images(2, 48, 64)
    for sub, code in (("4:4:4", 0), ("4:2:2", 1), ("4:2:0", 2)):
        got = jpeg_compress(x, [70, 70], sub)
        for i in range(2):
            u8 = (x[i] * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
            buf = io.BytesIO()
            Image.fromarray(u8).save(buf, format="JPEG", quality=70, subsampling=code)
            ref = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
            assert np.array_equal((got[i] * 255).round().byte().permute(1, 2, 0).numpy(), ref)
    deg = degsdk.create("jpeg", quality=70, subsampling="4:4:4")
    assert torch.equal(deg(x, seed=0).lr, jpeg_compress(x, [70, 70], "4:4:4"))
    with pytest.raises(degsdk.ConfigError, match="subsampling"):
        degsdk.create("jpeg", subsampling="4:1:1")


def test_unsharp_mask_is_scipys() -> None:
    x = smooth_images(1, 40, 40)
    got = unsharp_mask(x, torch.tensor([0.7]), 1.2)[0].double().numpy()
    ref = np.stack([x[0, c].double().numpy() + 0.7 * (
        x[0, c].double().numpy() - ndimage.gaussian_filter(x[0, c].double().numpy(), 1.2,
                                                           mode="mirror", truncate=3.0))
        for c in range(3)])
    assert np.abs(got - ref).max() < 1e-5


def test_colour_transform_is_a_matrix_product() -> None:
    x = smooth_images(1, 8, 8)
    m = [[0.9, 0.1, 0.0], [0.05, 0.9, 0.05], [0.0, 0.2, 0.8]]
    got = colour_transform(x, m, [0.0, 0.01, -0.01])
    ref = (torch.einsum("cd,ndhw->nchw", torch.tensor(m), x)
           + torch.tensor([0.0, 0.01, -0.01]).view(1, 3, 1, 1)).clamp(0, 1)
    assert torch.allclose(got, ref, atol=1e-7)


@pytest.mark.parametrize("pattern", ["rggb", "bggr", "grbg", "gbrg"])
@pytest.mark.parametrize("method", ["bilinear", "malvar"])
def test_demosaic_restores_smooth_images(pattern: str, method: str) -> None:
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 32), torch.linspace(0, 1, 32), indexing="ij")
    planes = torch.stack([0.2 + 0.5 * xx, 0.3 + 0.4 * yy, 0.6 - 0.3 * xx])[None]
    raw = bayer_mosaic(planes, pattern)
    # each photosite holds its own colour, the others are zero in the mosaic
    colours = {"r": 0, "g": 1, "b": 2}
    for k, colour in enumerate(pattern):
        dy, dx = divmod(k, 2)
        assert torch.equal(raw[0, 0, dy::2, dx::2], planes[0, colours[colour], dy::2, dx::2])
    out = demosaic(raw, pattern, method)
    # linear ramps are interpolated exactly away from the borders
    assert torch.allclose(out[..., 3:-3, 3:-3], planes[..., 3:-3, 3:-3], atol=1e-5)

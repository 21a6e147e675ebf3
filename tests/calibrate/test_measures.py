"""The measurements calibration is built on, against closed forms: the noise-level function,
the robust σ, JPEG settings read from files, edge widths, the pairs' least-squares optics and
the noise fit with a simulator whose answer is known."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from degsdk.calibrate import (
    NLF,
    edge_widths,
    file_jpeg_settings,
    fit_noise,
    fit_optics,
    gaussian_psf,
    measure_nlf,
    read_jpeg_settings,
    robust_std,
)
from degsdk.ops import filter2d, gaussian_kernel
from tests.conftest import smooth_images


def _ramp_images(n: int, size: int = 96) -> list[torch.Tensor]:
    """Flat-ish images spanning the intensities 0.1–0.9 (far from clipping): a slow diagonal
    ramp per channel."""
    yy, xx = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size),
                            indexing="ij")
    base = (0.1 + 0.8 * (xx + yy) / 2)
    return [torch.stack([base, base.flip(0), base.flip(1)]).float() for _ in range(n)]


def test_nlf_of_white_noise_reads_its_sigma_with_and_without_references() -> None:
    clean = _ramp_images(12)
    g = torch.Generator().manual_seed(0)
    sigma = 4 / 255
    noisy = [(x + sigma * torch.randn(x.shape, generator=g)).clamp(0, 1) for x in clean]
    for refs in (clean, None):
        nlf = measure_nlf(noisy, refs)
        for c in range(3):
            valid = [b for b in range(nlf.bins) if nlf.valid(c, b)]
            assert len(valid) >= 5
            for b in valid:  # σ from n values is uncertain by 1/√(2n): 3 % for n = 540
                tol = 0.05 if nlf.count[c][b] >= 2000 else 0.1
                assert nlf.std[c][b] == pytest.approx(sigma, rel=tol)
                assert b / nlf.bins <= nlf.level[c][b] <= (b + 1) / nlf.bins


def test_nlf_follows_signal_dependent_noise() -> None:
    clean = _ramp_images(12)
    g = torch.Generator().manual_seed(1)
    a, b = 0.003, (1.5 / 255) ** 2
    noisy = [x + torch.sqrt(a * x + b) * torch.randn(x.shape, generator=g) for x in clean]
    nlf = measure_nlf([n.clamp(0, 1) for n in noisy], clean)
    for c in range(3):
        for k in range(nlf.bins):
            if nlf.valid(c, k):
                x = nlf.level[c][k]
                tol = 0.05 if nlf.count[c][k] >= 2000 else 0.1
                assert nlf.std[c][k] == pytest.approx(math.sqrt(a * x + b), rel=tol)


def test_robust_std_ignores_outliers() -> None:
    g = torch.Generator().manual_seed(2)
    r = torch.randn(20000, generator=g, dtype=torch.float64) * 0.02
    assert robust_std(r, "std") == pytest.approx(0.02, rel=0.03)
    assert robust_std(r, "mad") == pytest.approx(0.02, rel=0.03)
    assert robust_std(r) == pytest.approx(0.02, rel=0.03)
    r[:400] = 0.5  # 2 % texture/ringing outliers
    assert robust_std(r, "std") > 0.05
    assert robust_std(r) == pytest.approx(0.02, rel=0.06)


def _jpeg(path: Path, quality: int, subsampling: int) -> Path:
    a = (np.random.default_rng(0).random((32, 32, 3)) * 255).astype(np.uint8)
    Image.fromarray(a).save(path, quality=quality, subsampling=subsampling)
    return path


@pytest.mark.parametrize("quality", [12, 50, 80, 93, 100])
@pytest.mark.parametrize(("code", "name"), [(0, "4:4:4"), (1, "4:2:2"), (2, "4:2:0")])
def test_jpeg_quality_and_subsampling_are_read_from_the_file(tmp_path: Path, quality: int,
                                                             code: int, name: str) -> None:
    q, sub, exact = file_jpeg_settings(_jpeg(tmp_path / "a.jpg", quality, code)) or (0, "", 0)
    assert (q, sub, exact) == (quality, name, True)


def test_a_camera_codec_is_the_median_of_its_jpeg_files(tmp_path: Path) -> None:
    files = [_jpeg(tmp_path / f"{q}.jpg", q, 1) for q in (70, 75, 90)]
    png = tmp_path / "x.png"
    Image.new("RGB", (8, 8)).save(png)
    got = read_jpeg_settings([*files, png])
    assert got is not None and (got.quality, got.subsampling, got.files) == (75, "4:2:2", 3)
    assert read_jpeg_settings([files[0], png, png]) is None  # mostly not JPEGs
    assert file_jpeg_settings(png) is None
    buf = io.BytesIO()  # a camera's own tables: the nearest quality, not exact
    Image.new("RGB", (16, 16), (90, 120, 30)).save(
        buf, format="JPEG", qtables=[[7] * 64, [9] * 64])
    (tmp_path / "own.jpg").write_bytes(buf.getvalue())
    q, _, exact = file_jpeg_settings(tmp_path / "own.jpg") or (0, "", True)
    assert not exact and 1 <= q <= 100


def test_gaussian_psf_is_the_degraders_kernel() -> None:
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    ours = gaussian_psf(13, t(1.7), t(0.8), t(0.6)).float()
    assert torch.allclose(ours, gaussian_kernel(13, 1.7, 0.8, 0.6), atol=1e-7)


def test_pairs_optics_recover_psf_colour_and_resampler_exactly() -> None:
    hr = smooth_images(4, 96, 96, seed=3)
    hr = hr + 0.15 * (torch.rand(hr.shape, generator=torch.Generator().manual_seed(3)) - 0.5)
    hr = hr.clamp(0, 1)
    k = gaussian_kernel(15, 2.0, 1.1, 1.0)
    m = torch.tensor([[1.05, 0.02, 0.0], [0.0, 0.98, 0.0], [0.01, 0.0, 0.9]])
    lr = torch.nn.functional.interpolate(filter2d(hr, k), size=(48, 48), mode="bicubic",
                                         align_corners=False, antialias=True)
    lr = torch.einsum("cd,ndhw->nchw", m, lr) + torch.tensor([0.01, 0, 0]).view(1, 3, 1, 1)
    fit = fit_optics(list(hr), list(lr), 2)
    assert fit.downsample == "bicubic" and fit.sharpen is None
    assert fit.sigma_x == pytest.approx(2.0, rel=0.02)
    assert fit.sigma_y == pytest.approx(1.1, rel=0.02)
    assert fit.theta == pytest.approx(1.0, abs=0.02)
    assert np.allclose(fit.matrix, m.numpy(), atol=0.01)
    assert max(map(abs, fit.shift)) < 0.05


def test_edge_width_of_a_blurred_step_is_its_sigma() -> None:
    for sigma in (0.7, 1.0, 2.0, 3.0):
        x = torch.zeros(1, 3, 64, 64)
        x[..., 32:] = 0.8  # a vertical edge: its normal points along x (0°)
        x = filter2d(x + 0.1, gaussian_kernel(21, sigma))
        widths = edge_widths([x[0], x[0].transpose(-1, -2)])
        for k in (0, 2):  # and the transposed copy's normal along y (90°)
            assert math.sqrt(widths.width2[k]) == pytest.approx(sigma, rel=0.03)
        assert widths.count[1] == widths.count[3] == 0


def test_noise_fit_finds_the_noise_of_a_known_measurement() -> None:
    """A simulator whose measured σ is a known, compressive function of the sensor σ (as
    a JPEG's is): the fit must invert it."""
    levels = [[(b + 0.5) / 8 for b in range(8)] for _ in range(3)]
    shot, read = [0.002, 0.003, 0.004], [2.0, 1.0, 3.0]

    def measured(sh: list[float], rd: list[float]) -> list[NLF]:
        std = [[0.7 * math.sqrt(sh[c] * x + (rd[c] / 255) ** 2) ** 0.8 * 0.1 ** 0.2
                for x in levels[c]] for c in range(3)]
        return [NLF(8, levels, std, [[1000] * 8 for _ in range(3)])]

    fit = fit_noise(measured(shot, read), measured, "srgb")
    assert fit.error < 0.02 and fit.response == pytest.approx([0.8] * 3, abs=0.02)
    for c in range(3):
        for x in levels[c]:
            truth = math.sqrt(shot[c] * x + (read[c] / 255) ** 2)
            assert fit.model_std(x, c) == pytest.approx(truth, rel=0.03)

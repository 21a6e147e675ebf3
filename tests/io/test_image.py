"""Image reading/writing: bit depths, colour modes, EXIF orientation, bad files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import png
import pytest
import tifffile
import torch
from PIL import Image, ImageOps

import degsdk
from degsdk.io import image_size, read_image, write_image
from tests.conftest import SAMPLES


@pytest.fixture
def rgb16(np_rng: np.random.Generator) -> np.ndarray:
    return np_rng.integers(0, 65536, size=(21, 34, 3), dtype=np.uint16)


def _write_png16(path: Path, arr: np.ndarray) -> None:
    h, w = arr.shape[:2]
    gray = arr.ndim == 2
    writer = png.Writer(width=w, height=h, bitdepth=16, greyscale=gray)
    with open(path, "wb") as f:
        writer.write(f, arr.reshape(h, -1))


def test_16bit_png_keeps_full_precision(tmp_path: Path, rgb16: np.ndarray) -> None:
    _write_png16(tmp_path / "a.png", rgb16)
    x = read_image(tmp_path / "a.png")
    assert x.dtype == torch.float32 and x.shape == (3, 21, 34)
    back = (x.permute(1, 2, 0).double().numpy() * 65535).round().astype(np.uint16)
    np.testing.assert_array_equal(back, rgb16)  # Pillow alone would give 8-bit values


def test_16bit_write_read_round_trip(tmp_path: Path, rgb16: np.ndarray) -> None:
    x = torch.from_numpy(rgb16.astype(np.float32) / 65535).permute(2, 0, 1)
    write_image(tmp_path / "b.png", x, bit_depth=16)
    r = png.Reader(filename=str(tmp_path / "b.png")).asDirect()
    assert r[3]["bitdepth"] == 16
    y = read_image(tmp_path / "b.png")
    np.testing.assert_array_equal((y.numpy() * 65535).round(), (x.numpy() * 65535).round())


def test_8bit_write_read_round_trip(tmp_path: Path, np_rng: np.random.Generator) -> None:
    arr = np_rng.integers(0, 256, size=(9, 13, 3), dtype=np.uint8)
    x = torch.from_numpy(arr).permute(2, 0, 1).float() / 255
    write_image(tmp_path / "c.png", x[None])  # a 1×3×H×W batch of one is accepted
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "c.png")), arr)
    assert torch.equal(read_image(tmp_path / "c.png"), x)


def test_16bit_gray_png_and_tiff(tmp_path: Path, rgb16: np.ndarray) -> None:
    _write_png16(tmp_path / "g.png", rgb16[..., 0])
    g = read_image(tmp_path / "g.png")
    assert torch.equal(g[0], g[2])
    np.testing.assert_array_equal((g[0].double().numpy() * 65535).round(), rgb16[..., 0])
    tifffile.imwrite(tmp_path / "t.tif", rgb16)
    t = read_image(tmp_path / "t.tif")
    np.testing.assert_array_equal((t.permute(1, 2, 0).double().numpy() * 65535).round(), rgb16)


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "CMYK", "1"])
def test_colour_modes_become_rgb_like_pillow(tmp_path: Path, mode: str,
                                             np_rng: np.random.Generator) -> None:
    base = Image.fromarray(np_rng.integers(0, 256, size=(10, 12, 3), dtype=np.uint8))
    im = base.convert(mode)
    ext = ".jpg" if mode == "CMYK" else ".png"
    path = tmp_path / f"m{ext}"
    im.save(path, quality=100) if ext == ".jpg" else im.save(path)
    x = read_image(path)
    assert x.shape == (3, 10, 12)
    ref = np.asarray(Image.open(path).convert("RGB")).astype(np.float32) / 255
    np.testing.assert_allclose(x.permute(1, 2, 0).numpy(), ref, atol=1e-7)


def test_webp_reads(tmp_path: Path, np_rng: np.random.Generator) -> None:
    arr = np_rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "w.webp", lossless=True)
    np.testing.assert_array_equal(
        (read_image(tmp_path / "w.webp").permute(1, 2, 0).numpy() * 255).round(), arr)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow(tmp_path: Path, orientation: int,
                                         np_rng: np.random.Generator) -> None:
    arr = np_rng.integers(0, 256, size=(6, 10, 3), dtype=np.uint8)
    im = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = orientation
    im.save(tmp_path / "o.png", exif=exif.tobytes())
    ref = np.asarray(ImageOps.exif_transpose(Image.open(tmp_path / "o.png")).convert("RGB"))
    x = read_image(tmp_path / "o.png")
    np.testing.assert_array_equal((x.permute(1, 2, 0).numpy() * 255).round(), ref)
    assert image_size(tmp_path / "o.png") == ref.shape[:2]


def test_truncated_and_corrupt_files_are_named(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 100).save(buf, format="PNG")
    (tmp_path / "trunc.png").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    (tmp_path / "junk.jpg").write_bytes(b"not an image at all")
    for name in ("trunc.png", "junk.jpg"):
        with pytest.raises(degsdk.ImageReadError, match=rf"{name}: cannot decode"):
            read_image(tmp_path / name)
    with pytest.raises(degsdk.ImageReadError, match="no such file"):
        read_image(tmp_path / "missing.png")
    (tmp_path / "x.gif").write_bytes(b"GIF89a")
    with pytest.raises(degsdk.ImageReadError, match=r"unsupported image type \.gif"):
        read_image(tmp_path / "x.gif")


def test_bad_writes_leave_nothing(tmp_path: Path) -> None:
    good = torch.rand(3, 4, 4)
    with pytest.raises(degsdk.ImageWriteError, match=r"can write \.png"):
        write_image(tmp_path / "a.gif", good)
    with pytest.raises(degsdk.ImageWriteError, match="16 for PNG"):
        write_image(tmp_path / "a.jpg", good, bit_depth=16)
    with pytest.raises(degsdk.ImageWriteError, match=r"values in \[0, 1\]"):
        write_image(tmp_path / "a.png", good * 255)
    with pytest.raises(degsdk.ImageWriteError, match="3×H×W"):
        write_image(tmp_path / "a.png", torch.rand(4, 4))
    with pytest.raises(degsdk.ImageWriteError, match="bit_depth"):
        write_image(tmp_path / "a.png", good, bit_depth=12)
    assert list(tmp_path.iterdir()) == []


def test_write_is_atomic_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "keep.png"
    write_image(target, torch.zeros(3, 4, 4))
    before = target.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", boom)
    with pytest.raises(degsdk.ImageWriteError, match="No space left"):
        write_image(target, torch.ones(3, 4, 4))
    assert target.read_bytes() == before  # old file intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]  # no temp left


def test_jpeg_and_webp_writes(tmp_path: Path, np_rng: np.random.Generator) -> None:
    arr = np_rng.integers(0, 256, size=(16, 16, 3), dtype=np.uint8)
    x = torch.from_numpy(arr).permute(2, 0, 1).float() / 255
    write_image(tmp_path / "a.webp", x)  # lossless
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "a.webp")), arr)
    write_image(tmp_path / "a.jpg", x, quality=100)
    back = np.asarray(Image.open(tmp_path / "a.jpg")).astype(int)
    assert np.abs(back - arr).mean() < 3


def _png_header_only(path: Path, w: int, h: int) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0,
                                                                        0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    return path


def test_absurd_header_is_an_image_read_error_naming_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16 row 5: a PNG declaring 20000×20000 is refused from its header, naming the file
    and the way to raise the limit; the limit is settable and unsetting it restores it."""
    bomb = _png_header_only(tmp_path / "bomb.png", 20000, 20000)
    for fn in (degsdk.read_image, degsdk.io.image_size):
        with pytest.raises(degsdk.ImageReadError, match=r"bomb\.png: .*DEGSDK_MAX_IMAGE_PIXELS"):
            fn(bomb)
    photo = SAMPLES / "astronaut.png"
    monkeypatch.setenv("DEGSDK_MAX_IMAGE_PIXELS", "1000")
    with pytest.raises(degsdk.ImageReadError, match=r"astronaut\.png: .*DEGSDK_MAX_IMAGE_PIXELS"):
        degsdk.read_image(photo)
    monkeypatch.setenv("DEGSDK_MAX_IMAGE_PIXELS", "lots")
    with pytest.raises(degsdk.ImageReadError, match="expected a whole number"):
        degsdk.read_image(photo)
    monkeypatch.delenv("DEGSDK_MAX_IMAGE_PIXELS")
    assert degsdk.read_image(photo).shape == (3, 512, 512)

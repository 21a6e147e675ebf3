"""Read and write images as float32 RGB tensors 3×H×W in [0, 1].

Reading: PNG, JPEG, WebP, BMP and TIFF at 8 or 16 bits per channel; gray, gray+alpha, RGBA,
palette and CMYK become RGB (alpha is dropped); the EXIF orientation is applied. 16-bit PNG is
decoded with pypng and TIFF with tifffile, because Pillow reduces 16-bit RGB to 8 bits.
Writing: PNG at 8 or 16 bits, atomically (temp file + rename).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import png
import tifffile
import torch
from PIL import Image
from torch import Tensor

from .._errors import ImageReadError, ImageWriteError, InputError
from .._interfaces import check_images
from .._quote import quote
from ._atomic import atomic_path

READ_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
WRITE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EXIF_ORIENTATION = 0x0112


def _png_bit_depth(path: Path) -> int | None:
    """The bit depth from a PNG's IHDR chunk, or None if ``path`` is not a PNG."""
    with open(path, "rb") as f:
        head = f.read(33)
    if len(head) < 33 or head[:8] != _PNG_SIGNATURE or head[12:16] != b"IHDR":
        return None
    return head[24]


def _read_png16(path: Path) -> np.ndarray:
    width, height, rows, info = png.Reader(filename=str(path)).asDirect()
    planes = info["planes"]
    arr = np.vstack([np.asarray(r, dtype=np.uint16) for r in rows])
    return arr.reshape(height, width, planes)


def _pil_to_array(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode in ("RGB", "L"):
        return np.asarray(im)
    if mode in ("RGBA", "RGBa", "LA", "La"):
        return np.asarray(im)[..., : 3 if mode.startswith("RGB") else 1]
    if mode.startswith("I;16"):
        return np.asarray(im).astype(np.uint16)
    if mode == "P":
        return np.asarray(im.convert("RGBA"))[..., :3]
    if mode in ("I", "F"):
        raise ImageReadError(f"{im.filename}: unsupported {quote(mode)} (32-bit) image mode; "
                             "expected 8- or 16-bit gray or colour")
    return np.asarray(im.convert("RGB"))  # 1, CMYK, YCbCr, LAB, HSV


def _read_tiff(path: Path) -> tuple[np.ndarray, int]:
    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        _check_pixels(path, int(page.imagelength), int(page.imagewidth))
        arr = page.asarray()
        tag = page.tags.get("Orientation")
        orientation = int(tag.value) if tag is not None else 1
        if page.planarconfig == tifffile.PLANARCONFIG.SEPARATE and arr.ndim == 3:
            arr = np.moveaxis(arr, 0, -1)
    return arr, orientation


def apply_orientation(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Turn an H×W(×C) array stored with EXIF ``orientation`` (1–8) upright."""
    ops = {
        1: lambda a: a,
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.rot90(a, k=-1),
        7: lambda a: np.rot90(a, k=2).swapaxes(0, 1),
        8: lambda a: np.rot90(a, k=1),
    }
    return np.ascontiguousarray(ops.get(int(orientation), ops[1])(arr))


def _to_tensor(arr: np.ndarray, path: Path) -> Tensor:
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[-1] not in (1, 2, 3, 4):
        raise ImageReadError(f"{path}: unsupported pixel layout {arr.shape}; expected H×W, "
                             "H×W×1, H×W×3 or H×W×4")
    channels = arr.shape[-1]
    arr = arr[..., :1] if channels in (1, 2) else arr[..., :3]  # drop alpha
    if arr.dtype == np.uint8:
        x = torch.from_numpy(arr.astype(np.float32) / 255.0)
    elif arr.dtype == np.uint16:
        x = torch.from_numpy(arr.astype(np.float32) / 65535.0)
    elif arr.dtype in (np.float32, np.float64):
        if not (np.nanmin(arr) >= 0.0 and np.nanmax(arr) <= 1.0):
            raise ImageReadError(f"{path}: floating-point image with values outside [0, 1]")
        x = torch.from_numpy(arr.astype(np.float32))
    else:
        raise ImageReadError(f"{path}: unsupported sample type {arr.dtype}; expected 8- or "
                             "16-bit unsigned integers")
    x = x.permute(2, 0, 1)
    if x.shape[0] == 1:
        x = x.expand(3, -1, -1)
    return x.contiguous()


MAX_PIXELS_ENV = "DEGSDK_MAX_IMAGE_PIXELS"
_PIL_DEFAULT_MAX = Image.MAX_IMAGE_PIXELS


def max_image_pixels() -> int:
    """The largest image (width × height) degsdk decodes: ``$DEGSDK_MAX_IMAGE_PIXELS`` if set,
    else Pillow's decompression-bomb limit (2 × 89 478 485 pixels, about 179 megapixels).
    A header that declares more is refused before any pixel is decoded."""
    raw = os.environ.get(MAX_PIXELS_ENV)
    if raw is None:
        return 2 * int(_PIL_DEFAULT_MAX or 89_478_485)
    try:
        value = int(raw)
    except ValueError:
        raise ImageReadError(f"{MAX_PIXELS_ENV}={quote(raw)}: expected a whole number of pixels") \
            from None
    return value


def _apply_limit() -> None:
    """Pillow refuses more than twice its ``MAX_IMAGE_PIXELS``: keep that at half of
    :func:`max_image_pixels` (Pillow's own default unless ``$DEGSDK_MAX_IMAGE_PIXELS`` is set)."""
    Image.MAX_IMAGE_PIXELS = max(1, max_image_pixels() // 2)


def _check_pixels(p: Path, h: int, w: int) -> None:
    limit = max_image_pixels()
    if h * w > limit:
        raise ImageReadError(f"{p}: its header declares {w}×{h} pixels ({h * w / 1e6:.0f} MP), "
                             f"more than the limit of {limit / 1e6:.0f} MP (a decompression "
                             f"bomb, or a very large photo: set {MAX_PIXELS_ENV} to allow it)")


def read_image(path: str | os.PathLike[str]) -> Tensor:
    """Read an image file as a float32 RGB tensor 3×H×W in [0, 1].

    Raises ``ImageReadError`` naming the file if it is missing, of an unsupported type,
    corrupt/truncated, or larger than :func:`max_image_pixels` (checked from the header first).
    """
    p = Path(path)
    if not p.is_file():
        raise ImageReadError(f"{p}: no such file" if not p.exists() else f"{p}: not a file")
    ext = p.suffix.lower()
    if ext not in READ_EXTENSIONS:
        raise ImageReadError(f"{p}: unsupported image type {ext or '(none)'}; expected one of "
                             f"{', '.join(READ_EXTENSIONS)}")
    try:  # the pixel limit is checked from the header, before any pixel is decoded
        if ext in (".tif", ".tiff"):
            arr, orientation = _read_tiff(p)
        else:
            _apply_limit()
            with Image.open(p) as im:
                _check_pixels(p, im.size[1], im.size[0])
                orientation = int(im.getexif().get(_EXIF_ORIENTATION, 1))
                if im.format == "PNG" and _png_bit_depth(p) == 16:
                    arr = _read_png16(p)
                else:
                    im.load()
                    arr = _pil_to_array(im)
        arr = apply_orientation(arr, orientation)
    except ImageReadError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageReadError(f"{p}: {exc} (set {MAX_PIXELS_ENV} to allow larger images)") \
            from None
    except Exception as exc:  # the decoders parse untrusted bytes: any failure is a bad file
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ImageReadError(f"{p}: cannot decode image ({detail}); the file may be corrupt "
                             "or truncated") from None
    return _to_tensor(arr, p)


def image_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """(height, width) from the file header, without decoding pixels (orientation applied)."""
    p = Path(path)
    try:
        if p.suffix.lower() in (".tif", ".tiff"):
            with tifffile.TiffFile(p) as tif:
                page = tif.pages[0]
                h, w = int(page.imagelength), int(page.imagewidth)
                tag = page.tags.get("Orientation")
                orientation = int(tag.value) if tag is not None else 1
        else:
            _apply_limit()
            with Image.open(p) as im:
                w, h = im.size
                orientation = int(im.getexif().get(_EXIF_ORIENTATION, 1))
    except Image.DecompressionBombError as exc:
        raise ImageReadError(f"{p}: {exc} (set {MAX_PIXELS_ENV} to allow larger images)") \
            from None
    except Exception as exc:  # the header parsers, on untrusted bytes
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise ImageReadError(f"{p}: cannot decode the image header ({detail}); the file may "
                             "be corrupt or truncated") from None
    return (w, h) if orientation in (5, 6, 7, 8) else (h, w)


def _as_chw(image: Any, path: Path) -> Tensor:
    if isinstance(image, Tensor) and image.ndim == 4 and image.shape[0] == 1:
        image = image[0]
    if not isinstance(image, Tensor) or image.ndim != 3:
        shape = tuple(image.shape) if isinstance(image, Tensor) else type(image).__name__
        raise ImageWriteError(f"{path}: expected an image tensor 3×H×W (or 1×3×H×W), got "
                              f"{shape}")
    try:
        check_images(image[None], f"image for {path}")
    except InputError as exc:
        raise ImageWriteError(str(exc)) from None
    return image.detach().cpu()


def write_image(path: str | os.PathLike[str], image: Tensor, bit_depth: int = 8,
                quality: int = 95) -> Path:
    """Write a 3×H×W float tensor in [0, 1], atomically: PNG at 8 or 16 bits, or 8-bit JPEG
    (``quality``, 4:4:4) / lossless WebP. Values are rounded to the nearest level. Returns the
    path."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in WRITE_EXTENSIONS:
        raise ImageWriteError(f"{p}: can write {', '.join(WRITE_EXTENSIONS)}, got "
                              f"{p.suffix or '(no extension)'}")
    if bit_depth not in (8, 16) or (bit_depth == 16 and ext != ".png"):
        raise ImageWriteError(f"{p}: bit_depth must be 8, or 16 for PNG; got {bit_depth}")
    x = _as_chw(image, p)
    levels = 255.0 if bit_depth == 8 else 65535.0
    dtype = torch.uint8 if bit_depth == 8 else torch.int32
    arr = (x * levels).round().to(dtype).permute(1, 2, 0).contiguous().numpy()
    try:
        with atomic_path(p) as tmp:
            if bit_depth == 16:
                h, w, _ = arr.shape
                writer = png.Writer(width=w, height=h, bitdepth=16, greyscale=False)
                with open(tmp, "wb") as f:
                    writer.write(f, arr.astype(np.uint16).reshape(h, w * 3))
            elif ext == ".png":
                Image.fromarray(arr, mode="RGB").save(tmp, format="PNG")
            elif ext == ".webp":
                Image.fromarray(arr, mode="RGB").save(tmp, format="WEBP", lossless=True)
            else:
                Image.fromarray(arr, mode="RGB").save(tmp, format="JPEG", quality=quality,
                                                      subsampling=0)
    except OSError as exc:
        raise ImageWriteError(f"{p}: cannot write ({exc.strerror or exc})") from None
    return p

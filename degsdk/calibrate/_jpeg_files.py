"""What a camera's JPEG files say about its codec: the quality (the libjpeg quality whose scaled
standard tables are closest to the files' luma and chroma quantisation tables) and the chroma
subsampling (from the frame's sampling factors)."""

from __future__ import annotations

import functools
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, JpegImagePlugin

_SAMPLING = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}


@dataclass(frozen=True)
class JPEGFiles:
    """The codec settings read from ``files`` JPEG files (of ``total`` images): the median
    ``quality``; the most common ``subsampling``; ``exact``: whether every file's tables are
    libjpeg's standard ones at that quality (a camera with its own tables is matched to the
    closest quality); ``qualities``: every file's quality."""

    quality: int
    subsampling: str
    files: int
    total: int
    exact: bool
    qualities: tuple[int, ...]


@functools.cache
def _standard_tables() -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """libjpeg's (luma, chroma) tables at every quality 1–100, as Pillow reports them."""
    tiny = np.zeros((8, 8, 3), np.uint8)
    out = {}
    for q in range(1, 101):
        buf = io.BytesIO()
        Image.fromarray(tiny).save(buf, format="JPEG", quality=q)
        with Image.open(io.BytesIO(buf.getvalue())) as im:
            t = im.quantization
        out[q] = (np.asarray(t[0], float), np.asarray(t.get(1, t[0]), float))
    return out


def file_jpeg_settings(path: str | Path) -> tuple[int, str | None, bool] | None:
    """(quality, subsampling, exact) of one JPEG file; None for a file that is not a JPEG.
    Subsampling is None where the frame's sampling is not 4:4:4, 4:2:2 or 4:2:0."""
    with Image.open(path) as im:
        if im.format != "JPEG":
            return None
        tables = getattr(im, "quantization", None) or {}
        sampling = _SAMPLING.get(JpegImagePlugin.get_sampling(im)) if im.mode != "L" else None
    if 0 not in tables:
        return None
    luma = np.asarray(tables[0], float)
    chroma = np.asarray(tables[1], float) if 1 in tables else None

    def cost(q: int) -> float:
        ref_l, ref_c = _standard_tables()[q]
        c = float(np.sum((np.log(luma) - np.log(ref_l)) ** 2))
        if chroma is not None:
            c += float(np.sum((np.log(chroma) - np.log(ref_c)) ** 2))
        return c

    q = min(range(1, 101), key=cost)
    return q, sampling, cost(q) == 0.0


def read_jpeg_settings(paths: Sequence[str | Path]) -> JPEGFiles | None:
    """The codec of a camera whose files are ``paths``: None when most of them are not JPEGs
    (PNG, TIFF…: nothing to model)."""
    found = [s for s in (file_jpeg_settings(p) for p in paths) if s is not None]
    if not paths or len(found) * 2 <= len(paths):
        return None
    qualities = sorted(q for q, _, _ in found)
    samplings = Counter(s for _, s, _ in found if s is not None)
    sub = samplings.most_common(1)[0][0] if samplings else "4:2:0"
    return JPEGFiles(quality=qualities[len(qualities) // 2], subsampling=sub, files=len(found),
                     total=len(paths), exact=all(e for _, _, e in found),
                     qualities=tuple(qualities))

"""The sample plan: which HR crop is sample *i*. It depends only on the recipe (inputs in sorted
order, crop settings, seed) and the image sizes, never on batching or workers."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .._errors import ConfigError
from .._quote import quote
from ..io._image import READ_EXTENSIONS, image_size
from ..seeding import Stream, derive_seed, generator_from_seed, randint
from ._schema import RecipeSpec


@dataclass(frozen=True)
class Sample:
    """Sample ``index``: the box ``(top, left, height, width)`` of ``source``."""

    index: int
    source: Path
    box: tuple[int, int, int, int]
    name: str

    def as_dict(self) -> dict[str, object]:
        return {"index": self.index, "source": str(self.source), "crop": list(self.box),
                "name": self.name}


def list_sources(recipe: RecipeSpec) -> list[Path]:
    """Every input image, source by source, each source's files sorted."""
    files: list[Path] = []
    for k, inp in enumerate(recipe.inputs):
        folder = Path(inp.path)
        if not folder.is_dir():
            raise ConfigError(f"inputs.{k}.path: {folder} is not a folder")
        it = folder.rglob(inp.glob) if inp.recursive else folder.glob(inp.glob)
        found = sorted(f for f in it if f.is_file() and f.suffix.lower() in READ_EXTENSIONS)
        if not found:
            raise ConfigError(f"inputs.{k}: no images match {quote(inp.glob)} in {folder}")
        files.extend(found)
    return files


def _mod(v: int, scale: int) -> int:
    return v - v % scale


def plan(recipe: RecipeSpec, scale: int, limit: int | None = None) -> Iterator[Sample]:
    """Yield the samples in index order (lazily: one image header at a time)."""
    crop = recipe.crop
    if crop.size is not None and crop.size % scale:
        raise ConfigError(f"crop.size {crop.size} is not a multiple of the degrader's scale "
                          f"{scale}")
    min_sizes = {}
    for inp in recipe.inputs:
        min_sizes[str(Path(inp.path))] = inp.min_size
    index = 0
    for img_no, src in enumerate(list_sources(recipe)):
        h, w = image_size(src)
        min_size = max((m for p, m in min_sizes.items() if src.is_relative_to(p)), default=0)
        if min(h, w) < max(min_size, scale):
            continue
        boxes: list[tuple[int, int, int, int]]
        if crop.mode == "none":
            boxes = [(0, 0, _mod(h, scale), _mod(w, scale))]
        elif crop.size is not None and (h < crop.size or w < crop.size):
            continue
        elif crop.mode == "grid":
            s = int(crop.size)  # type: ignore[arg-type]
            boxes = [(t, left, s, s) for t in range(0, h - s + 1, s)
                     for left in range(0, w - s + 1, s)]
            if crop.per_image:
                boxes = boxes[: crop.per_image]
        else:
            s = int(crop.size)  # type: ignore[arg-type]
            g = generator_from_seed(derive_seed(recipe.seed, img_no, Stream.CROP))
            n = crop.per_image or 1
            boxes = [(randint(g, 0, h - s), randint(g, 0, w - s), s, s) for _ in range(n)]
        for k, box in enumerate(boxes):
            yield Sample(index, src, box, f"{index:07d}_{src.stem}_{k}")
            index += 1
            if limit is not None and index >= limit:
                return


def count_estimate(n: int, box: tuple[int, int, int, int], scale: float) -> str:
    """A human estimate of the output size (uncompressed RGB bytes / 2 for PNG)."""
    hr = box[2] * box[3] * 3
    lr = hr / (scale * scale)
    mib = n * (hr + lr) / 2 / 2**20
    return f"~{mib:.0f} MiB" if mib >= 1 else f"~{math.ceil(mib * 1024)} KiB"

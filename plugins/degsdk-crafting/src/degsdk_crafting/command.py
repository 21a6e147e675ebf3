"""``degsdk craft --ref DIR --clean DIR --out DIR``: craft a binned distribution for a set of
reference images and save it (model folder + heat map + top-bins table)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import Field

import degsdk
from degsdk import Command, Options
from degsdk.io import list_images, read_image, staged_folder, write_text_atomic

from .craft import CraftResult, craft, random_crops, reference_patches
from .distribution import BinnedDistribution
from .heatmap import save_heatmap, top_bins_table
from .space import DegradationSpace, default_space


def default_cache() -> Path:
    """``$DEGSDK_CACHE/crafting``, else ``$XDG_CACHE_HOME/degsdk/crafting``, else
    ``~/.cache/degsdk/crafting``."""
    root = os.environ.get("DEGSDK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "degsdk")
    return Path(root) / "crafting"


class CraftOptions(Options):
    """Options of ``craft_folders`` and ``degsdk craft``."""

    ref: Path = Field(description="folder of reference (degraded, LR) images")
    clean: Path = Field(description="folder of clean HR images (Y_w)")
    out: Path = Field(description="output folder (the distribution + heat map)")
    alpha: float = Field(25.0, ge=0, description="eq. 4 sharpness (0 = uniform)")
    extractor: str = Field("degradation_stats", description="registered feature extractor")
    scale: int = Field(4, ge=1, description="the pipeline's downscale factor")
    patch: int = Field(72, ge=8, description="LR patch side (references are tiled into it)")
    crops: int = Field(100, ge=1, description="clean HR crops degraded per bin")
    seed: int = Field(0, ge=0, description="seed of the crops and draws the crafting uses")
    cache: Path | None = Field(None, description="per-bin feature cache folder (default: "
                               "~/.cache/degsdk/crafting)")
    space: DegradationSpace | None = Field(None, json_schema_extra={"cli": False},
                                           description="the binned space (default: "
                                           "default_space(scale))")
    data: str | None = Field(None, description="description of the references for the card")
    raw_features: bool = Field(False, description="Fréchet on raw features (the paper; "
                               "default: each dimension standardised first)")
    progress: bool = Field(True, description="show progress bars")


def craft_folders(options: CraftOptions | None = None, /,
                  **fields: Any) -> tuple[BinnedDistribution, CraftResult]:
    """Craft from image folders and write ``out``: the ``binned`` model folder (config.json,
    model.safetensors, README.md), ``weights.png`` (heat map), ``top_bins.md`` and
    ``crafting.json`` (every distance and weight). Returns the distribution and the result."""
    o = CraftOptions.of(options, **fields)
    grid = o.space or default_space(o.scale)
    refs = reference_patches([read_image(p) for p in list_images([o.ref])], o.patch)
    hr = random_crops([read_image(p) for p in list_images([o.clean])], o.crops,
                      round(o.patch * grid.scale()), o.seed)
    ext = degsdk.create_extractor(o.extractor)
    result = craft(grid, hr, refs, ext, o.extractor, o.alpha, o.seed,
                   default_cache() if o.cache is None else o.cache, o.progress,
                   standardize=not o.raw_features)
    dist = BinnedDistribution(space=grid.model_dump())
    dist.set_bin_probs(result.weights)
    top = result.top_bins(1)[0]
    with staged_folder(o.out) as staging:  # an interrupted write leaves o.out as it was
        _write(staging, o, dist, grid, refs, result, top)
    return dist, result


def _write(out: Path, o: CraftOptions, dist: BinnedDistribution, grid: Any, refs: Any,
           result: CraftResult, top: int) -> None:
    dist.save_pretrained(out, provenance={
        "trainer": "degsdk-crafting", "references": Path(o.ref).resolve().name,
        "reference_patches": len(refs), "patch": o.patch, "clean": Path(o.clean).resolve().name,
        "clean_crops": o.crops, "extractor": o.extractor, "alpha": o.alpha, "seed": o.seed,
        "standardized_features": not o.raw_features,
        **({"data": o.data} if o.data else {}),
        "metrics": {"top_bin": top, "top_bin_weight": float(result.weights[top]),
                    "min_frechet": float(result.distances.min()),
                    "max_frechet": float(result.distances.max())}})
    save_heatmap(grid, result.weights, out / "weights.png")
    write_text_atomic(out / "top_bins.md", top_bins_table(grid, result.weights,
                                                         result.distances))
    write_text_atomic(out / "crafting.json", json.dumps({
        "alpha": o.alpha, "extractor": o.extractor, "distances": result.distances.tolist(),
        "weights": result.weights.tolist(), "bin_ranges": grid.bin_ranges(),
        "seconds": result.seconds}, indent=1) + "\n")


def craft_command() -> Command:
    """``degsdk craft``: ``craft_folders`` with ``CraftOptions``, then the top bins."""

    def run(options: CraftOptions) -> None:
        _, result = craft_folders(options)
        space = options.space or default_space(options.scale)
        print(top_bins_table(space, result.weights, result.distances, k=5), end="")
        print(f"wrote {options.out} (weights.png, top_bins.md, crafting.json)")

    return Command("Craft a training degradation distribution from reference images "
                   "(binned Fréchet, Zhang et al. 2023).", run, CraftOptions)

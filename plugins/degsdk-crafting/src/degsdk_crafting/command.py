"""``degsdk craft --ref DIR --clean DIR --out DIR``: craft a binned distribution for a set of
reference images and save it (model folder + heat map + top-bins table)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import degsdk
from degsdk import Command, ConfigError, TrainerOption
from degsdk.io import list_images, read_image, write_text_atomic

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


def craft_folders(ref: str | Path, clean: str | Path, out: str | Path, alpha: float = 25.0,
                  extractor: str = "degradation_stats", scale: int = 4, patch: int = 72,
                  crops: int = 100, seed: int = 0, cache: str | Path | None = None,
                  space: DegradationSpace | None = None, data: str | None = None,
                  raw_features: bool = False,
                  progress: bool = True) -> tuple[BinnedDistribution, CraftResult]:
    """Craft from image folders and write ``out``: the ``binned`` model folder (config.json,
    model.safetensors, README.md), ``weights.png`` (heat map), ``top_bins.md`` and
    ``crafting.json`` (every distance and weight). Returns the distribution and the result."""
    if alpha < 0:
        raise ConfigError(f"--alpha must be ≥ 0, got {alpha}")
    space = space or default_space(scale)
    refs = reference_patches([read_image(p) for p in list_images([ref])], patch)
    hr = random_crops([read_image(p) for p in list_images([clean])], crops,
                      round(patch * space.scale()), seed)
    ext = degsdk.create_extractor(extractor)
    result = craft(space, hr, refs, ext, extractor, alpha, seed,
                   default_cache() if cache is None else cache, progress,
                   standardize=not raw_features)
    dist = BinnedDistribution(space=space.model_dump())
    dist.set_weights(result.weights)
    top = result.top_bins(1)[0]
    dist.save_pretrained(out, provenance={
        "trainer": "degsdk-crafting", "references": Path(ref).resolve().name,
        "reference_patches": len(refs), "patch": patch, "clean": Path(clean).resolve().name,
        "clean_crops": crops, "extractor": extractor, "alpha": alpha, "seed": seed,
        "standardized_features": not raw_features,
        **({"data": data} if data else {}),
        "metrics": {"top_bin": top, "top_bin_weight": float(result.weights[top]),
                    "min_frechet": float(result.distances.min()),
                    "max_frechet": float(result.distances.max())}})
    out = Path(out)
    save_heatmap(space, result.weights, out / "weights.png")
    write_text_atomic(out / "top_bins.md", top_bins_table(space, result.weights,
                                                          result.distances))
    write_text_atomic(out / "crafting.json", json.dumps({
        "alpha": alpha, "extractor": extractor, "distances": result.distances.tolist(),
        "weights": result.weights.tolist(), "bin_ranges": space.bin_ranges(),
        "seconds": result.seconds}, indent=1) + "\n")
    return dist, result


def craft_command() -> Command:
    opts = (
        TrainerOption("ref", "folder of reference (degraded, LR) images", required=True),
        TrainerOption("clean", "folder of clean HR images (Y_w)", required=True),
        TrainerOption("out", "output folder (the distribution + heat map)", required=True),
        TrainerOption("alpha", "eq. 4 sharpness (0 = uniform)", float, 25.0),
        TrainerOption("extractor", "registered feature extractor", str, "degradation_stats"),
        TrainerOption("scale", "the pipeline's downscale factor", int, 4),
        TrainerOption("patch", "LR patch side (references are tiled into it)", int, 72),
        TrainerOption("crops", "clean HR crops degraded per bin", int, 100),
        TrainerOption("seed", "seed", int, 0),
        TrainerOption("cache", "per-bin feature cache folder (default: ~/.cache/degsdk/"
                      "crafting)", str, None),
        TrainerOption("data", "description of the references for the card", str, None),
        TrainerOption("raw_features", "Fréchet on raw features (the paper; default: each "
                      "dimension standardised first)", flag=True),
    )

    def run(**kw: Any) -> None:
        _, result = craft_folders(**kw)
        space = default_space(kw["scale"])
        print(top_bins_table(space, result.weights, result.distances, k=5), end="")
        print(f"wrote {kw['out']} (weights.png, top_bins.md, crafting.json)")

    return Command("Craft a training degradation distribution from reference images "
                   "(binned Fréchet, Zhang et al. 2023).", run, opts)

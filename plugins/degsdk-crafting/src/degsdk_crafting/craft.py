"""Crafting (paper §3.4): degrade clean crops with every bin's degradations, extract deep
features, take the squared Fréchet distance of each bin's features to the references', and
turn the distances into bin weights with eq. 4. Per-bin features are cached on disk, so a new
α, or new references for the same space and clean crops, costs only the Fréchet step."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import safetensors.torch
import torch
from torch import Tensor
from tqdm import tqdm

from degsdk import Extractor, InputError
from degsdk.evaluation import patch_grid
from degsdk.io import atomic_path
from degsdk.metrics import frechet_distance
from degsdk.seeding import derive_seed

from .distribution import BinnedDistribution
from .eq4 import bin_weights_from_distances
from .space import DegradationSpace


@dataclass
class CraftResult:
    """Distances (squared Fréchet, one per bin), the eq. 4 weights and the stage times (s)."""

    distances: Tensor
    weights: Tensor
    alpha: float
    seconds: dict[str, float] = field(default_factory=dict)

    def top_bins(self, k: int = 10) -> list[int]:
        """Bin indices by decreasing weight."""
        return torch.argsort(self.weights, descending=True)[:k].tolist()


def random_crops(images: Sequence[Tensor], n: int, size: int, seed: int) -> Tensor:
    """``n`` random ``size``² crops (n×3×size×size) of ``images`` (each 3×H×W), from a
    generator seeded ``seed``: image i mod len, position random."""
    g = torch.Generator().manual_seed(seed)
    usable = [x for x in images if min(x.shape[-2:]) >= size]
    if not usable:
        raise InputError(f"no clean image is at least {size}×{size} px")
    out = []
    for i in range(n):
        x = usable[i % len(usable)]
        t = int(torch.randint(x.shape[-2] - size + 1, (1,), generator=g))
        s = int(torch.randint(x.shape[-1] - size + 1, (1,), generator=g))
        out.append(x[:, t : t + size, s : s + size])
    return torch.stack(out)


def reference_patches(images: Sequence[Tensor], size: int) -> Tensor:
    """Every ``size``² tile of the reference images (row-major, no overlap)."""
    tiles = [patch_grid(x, size) for x in images if min(x.shape[-2:]) >= size]
    if not tiles:
        raise InputError(f"no reference image is at least {size}×{size} px")
    return torch.cat(tiles)


def extract(extractor: Extractor, images: Tensor, batch_size: int = 64) -> Tensor:
    """(N, D) features of N images, in batches."""
    with torch.no_grad():
        return torch.cat([extractor(images[i : i + batch_size].contiguous()).detach().cpu()
                          for i in range(0, len(images), batch_size)])


def _cache_key(space: DegradationSpace, crops: Tensor, extractor_name: str, seed: int) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(space.model_dump(), sort_keys=True).encode())
    h.update(extractor_name.encode())
    h.update(str(seed).encode())
    h.update(crops.contiguous().numpy().tobytes())
    return h.hexdigest()[:20]


def bin_features(space: DegradationSpace, crops: Tensor, extractor: Extractor,
                 extractor_name: str, seed: int = 0, cache: str | Path | None = None,
                 progress: bool = True, seconds: dict[str, float] | None = None,
                 ) -> list[Tensor]:
    """For every bin: degrade the clean ``crops`` with degradations drawn in that bin (sample
    i of bin b from the generator of (seed, b, i)) and extract features → list of (N, D).
    ``cache``: a folder; features already computed for the same space, crops, extractor and
    seed are read back instead."""
    timing = seconds if seconds is not None else {}
    timing.setdefault("degrade", 0.0)
    timing.setdefault("extract", 0.0)
    folder = Path(cache) / _cache_key(space, crops, extractor_name, seed) if cache else None
    dist = BinnedDistribution(space=space.model_dump())
    n = space.num_bins
    feats = []
    for b in tqdm(range(n), desc="craft: bins", unit="bin", disable=None if progress else True):
        path = folder / f"bin_{b:04d}.safetensors" if folder else None
        if path is not None and path.is_file():
            feats.append(safetensors.torch.load_file(str(path))["features"])
            continue
        one_hot = torch.zeros(n, dtype=torch.float64)
        one_hot[b] = 1
        dist.set_bin_probs(one_hot)
        t0 = time.perf_counter()
        with torch.no_grad():
            lr = dist(crops, seed=derive_seed(seed, b), indices=list(range(len(crops)))).lr
        t1 = time.perf_counter()
        f = extract(extractor, lr)
        timing["degrade"] += t1 - t0
        timing["extract"] += time.perf_counter() - t1
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                safetensors.torch.save_file({"features": f.contiguous()}, str(tmp))
        feats.append(f)
    return feats


def standardizer(feats: Sequence[Tensor]) -> tuple[Tensor, Tensor]:
    """Per-dimension mean and std of all bins' features pooled: a fixed, reference-independent
    scale for every feature dimension."""
    pooled = torch.cat(list(feats)).double()
    return pooled.mean(0), pooled.std(0).clamp(min=1e-12)


def craft(space: DegradationSpace, crops: Tensor, references: Tensor, extractor: Extractor,
          extractor_name: str, alpha: float = 25.0, seed: int = 0,
          cache: str | Path | None = None, progress: bool = True,
          standardize: bool = True) -> CraftResult:
    """Craft bin weights for ``references`` (N_ref×3×h×w LR patches) from clean HR ``crops``
    (N×3×H×W with H = h·scale). ``standardize`` z-scores every feature dimension by the pooled
    bin features before the Fréchet distance, so hand-made statistics of different units
    weigh alike (a deep extractor's features are already commensurate; the paper does not
    standardise)."""
    seconds: dict[str, float] = {}
    feats = bin_features(space, crops, extractor, extractor_name, seed, cache, progress,
                         seconds)
    t0 = time.perf_counter()
    ref = extract(extractor, references)
    seconds["extract"] = seconds.get("extract", 0.0) + time.perf_counter() - t0
    t1 = time.perf_counter()
    if standardize:
        mean, std = standardizer(feats)
        feats = [(f.double() - mean) / std for f in feats]
        ref = (ref.double() - mean) / std
    d = torch.tensor([frechet_distance(f, ref) for f in feats], dtype=torch.float64)
    seconds["frechet"] = time.perf_counter() - t1
    return CraftResult(d, bin_weights_from_distances(d, alpha), alpha, seconds)

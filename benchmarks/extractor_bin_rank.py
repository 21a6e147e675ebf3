"""Which extractor finds a degradation's bin? (issue 19, claim f: a learned degradation
extractor for crafting)

    .venv/bin/python benchmarks/extractor_bin_rank.py [--extractor NAME …]

For a grid of target settings spanning the crafting plugin's default space (75 bins: blur σ
0–5 / 5, noise 0–50 / 5, JPEG quality 30–90 / 3) — mild to severe blur, noise and JPEG,
strong blur under heavy noise — 100 reference LR crops of 72² are made ×4 from held-out HR
crops (Kodak24, Set14, Urban100) with values drawn in a small box (a tenth of a bin) around the
centre of one bin, the *true bin*. Crafting then ranks the 75 bins by the Fréchet distance of
their features to the references' (100 crops of 288² from BSD100 and DIV2K-valid per bin,
features standardised, as the crafting plugin does). Reported: the rank of the true bin
(1 = nearest) per setting and extractor: ``realdgen_degradation`` (the RealDGen plugin's
E_deg, weights realdgen/x4), ``degradation_stats`` and ``alexnet_random``.

Needs the crafting and RealDGen plugins (``make setup`` installs both).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from degsdk_crafting import Axis, BinnedDistribution, DegradationSpace, craft, default_space
from degsdk_crafting.craft import random_crops

import degsdk

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETTINGS = {  # name: (blur σ, noise level 0–255, JPEG quality), each a bin centre
    "mild": (0.5, 5.0, 80.0),
    "medium blur": (2.5, 5.0, 80.0),
    "severe blur": (4.5, 5.0, 80.0),
    "medium noise": (0.5, 25.0, 80.0),
    "heavy noise": (0.5, 45.0, 80.0),
    "heavy JPEG": (0.5, 5.0, 40.0),
    "strong blur, heavy noise": (4.5, 45.0, 80.0),
    "middle of everything": (2.5, 25.0, 60.0),
    "all severe": (4.5, 45.0, 40.0),
}
EXTRACTORS = ("realdgen_degradation", "degradation_stats", "alexnet_random")


def _images(*sets: str) -> list[torch.Tensor]:
    return [degsdk.read_image(f) for f in degsdk.list_images([DATA / "hr" / s for s in sets])]


def point_space(base: DegradationSpace, point: tuple[float, ...]) -> DegradationSpace:
    """One bin: a box a tenth of a bin wide around ``point``."""
    axes = []
    for a, v in zip(base.axes, point, strict=True):
        half = 0.05 * (a.high - a.low) / a.bins
        axes.append(Axis(**{**a.model_dump(), "low": v - half, "high": v + half, "bins": 1}))
    return DegradationSpace(ops=base.ops, axes=axes)


def true_bin(space: DegradationSpace, point: tuple[float, ...]) -> int:
    names = [a.name for a in space.axes]
    (b,) = [i for i, r in enumerate(space.bin_ranges())
            if all(r[n][0] <= v < r[n][1] for n, v in zip(names, point, strict=True))]
    return b


def main() -> int:
    if not DATA.is_dir():
        print(f"needs the real data in {DATA}", file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--extractor", action="append", help="default: the three of the doc")
    ap.add_argument("--cache", default=str(Path(__file__).resolve().parents[1] / "outputs"
                                          / "crafting-cache"))
    args = ap.parse_args()
    space = default_space()
    y_w = random_crops(_images("bsd100", "div2k_valid"), 100, 288, seed=0)
    ref_hr = random_crops(_images("kodak24", "set14", "urban100"), 100, 288, seed=1)
    refs = {}
    for k, (name, point) in enumerate(SETTINGS.items()):
        target = BinnedDistribution(space=point_space(space, point).model_dump())
        refs[name] = target(ref_hr, seed=200 + k, indices=list(range(100))).lr
    ranks: dict[str, dict[str, int]] = {}
    for ext_name in args.extractor or EXTRACTORS:
        ext = degsdk.create_extractor(ext_name)
        ranks[ext_name] = {}
        for name, point in SETTINGS.items():
            res = craft(space, y_w, refs[name], ext, ext_name, seed=0, cache=args.cache,
                        progress=False)
            d = torch.as_tensor(res.distances)
            b = true_bin(space, point)
            ranks[ext_name][name] = 1 + int((d < d[b]).sum())
        print(f"{ext_name}: " + ", ".join(f"{n} {r}" for n, r in ranks[ext_name].items()),
              flush=True)
    names = list(ranks)
    print("setting (σ, noise, q) | " + " | ".join(names))
    for name, point in SETTINGS.items():
        print(f"{name} {point} | " + " | ".join(str(ranks[e][name]) for e in names))
    print("median rank | " + " | ".join(
        f"{float(torch.tensor(list(ranks[e].values())).float().median()):g}" for e in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())

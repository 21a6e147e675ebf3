"""A multi-level aligned dataset made with the core ``camera`` degrader (a synthetic zoom
camera whose blur, chromatic aberration, white balance and noise change smoothly with the
level; no JPEG): for each HR photo, one LR per level registered at the HR size, like RealSR v2.
Every level of a scene shares the scene's draws of focus and white-balance direction (the
same camera at different zoom settings) but has its own noise draw (separate exposures).

    .venv/bin/python plugins/degsdk-interflow/benchmarks/camera_levels.py OUT --levels 2 3 4 \
        --sources bsd100 urban100 div2k_valid

writes OUT/hr/<name>.png and OUT/<level>/<name>.png. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import torch

import degsdk
from degsdk import derive_seed, make_generators
from degsdk.io import list_images, read_image, write_image

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared" / "data" / "hr"
CAMERA = {"jpeg": None}  # the core camera's defaults otherwise


def centre_crop(x: torch.Tensor, size: int, multiple: int = 4) -> torch.Tensor:
    h = min(x.shape[-2], size) // multiple * multiple
    w = min(x.shape[-1], size) // multiple * multiple
    t, s = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2
    return x[:, t : t + h, s : s + w]


def make_camera_levels(out: Path, sources: Sequence[str], levels: Sequence[float],
                       size: int = 384, seed: int = 0) -> list[str]:
    """Write the set (module doc) and return the scene names."""
    names = []
    cams = {s: degsdk.create("camera", level=float(s), scale=1, **CAMERA) for s in levels}
    for src in sources:
        for path in list_images([SHARED / src]):
            name = f"{src}_{path.stem}"
            hr = centre_crop(read_image(path), size)
            write_image(out / "hr" / f"{name}.png", hr)
            index = len(names)
            scene = cams[levels[0]].sample(hr[None], make_generators(seed, [index]))[0]
            for k, (s, cam) in enumerate(cams.items()):
                params = {**scene, "seed": derive_seed(seed, index, 1 + k)}
                with torch.no_grad():
                    lr = cam.apply(hr[None], [params])[0]
                write_image(out / f"{s:g}" / f"{name}.png", lr)
            names.append(name)
    return names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--levels", type=float, nargs="+", default=[2.0, 3.0, 4.0])
    ap.add_argument("--sources", nargs="+", default=["bsd100", "urban100", "div2k_valid"])
    ap.add_argument("--size", type=int, default=384)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    names = make_camera_levels(a.out, a.sources, a.levels, a.size, a.seed)
    print(f"{len(names)} scenes × levels {a.levels} in {a.out}")


if __name__ == "__main__":
    main()

"""Scenes for the calibration tests: crops of scikit-image's colour photographs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from degsdk.testing import TruthCamera, write_truth_camera_data


def photos(n: int, side: int, seed: int) -> list[np.ndarray]:
    """``n`` side×side crops (uint8 H×W×3) of scikit-image's colour photographs, at positions
    drawn from ``seed``."""
    import skimage.data as data

    sources = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket(),
               data.stereo_motorcycle()[0]]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        a = sources[i % len(sources)]
        t = int(rng.integers(0, a.shape[0] - side + 1))
        s = int(rng.integers(0, a.shape[1] - side + 1))
        out.append(np.ascontiguousarray(a[t : t + side, s : s + side]))
    return out


def write_camera_data(camera: TruthCamera, root: Path, n: int = 8, side: int = 192,
                      seed: int = 0) -> dict[str, Path]:
    """``camera``'s pairs, real LR and clean HR of ``n`` crops each, other crops per group."""
    return write_truth_camera_data(camera, root, lambda k: photos(n, side, seed + k))

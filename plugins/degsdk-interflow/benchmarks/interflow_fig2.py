"""Paper check, Fig. 2: do InterFlow's per-level latent statistics line up smoothly with the
zoom level?

A small InterFlow (tiny preset, per-channel level means that all start at 0 — so any order
they end in is learned, not the linspace init —, NLL only as in the paper's Fig. 2
experiment) is trained on aligned bicubic levels s ∈ {1.2, 1.4, …, 4.0}: each HR photo
bicubic-downscaled by s (antialiased) and upscaled back to its size. Two sets of per-level
vectors are projected to 2-D with PCA: the learned means μ_s (48-D), and the mean encoded latent
of held-out photos at each level. The check: the first component is monotone in s (Spearman
|ρ| ≥ 0.95) for both.

    .venv/bin/python plugins/degsdk-interflow/benchmarks/interflow_fig2.py --steps 600 --threads 1

Train: 38 photos (BSD100, Urban100, DIV2K-valid; 192 px centre crops); held out: Kodak (10).
Writes docs/images/interflow_fig2.png and prints the result. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from camera_levels import SHARED, centre_crop
from degsdk_interflow import InterFlow, train_interflow
from plot import panel, save_panels
from scipy.stats import spearmanr

from degsdk.io import list_images, read_image, write_image
from degsdk.ops import resize

REPO = Path(__file__).resolve().parents[3]
LEVELS = [round(1.2 + 0.2 * i, 1) for i in range(15)]


def bicubic_level(hr: torch.Tensor, s: float) -> torch.Tensor:
    """Down by s and back up to the HR size (antialiased bicubic both ways)."""
    h, w = hr.shape[-2:]
    small = resize(hr[None], (max(1, round(h / s)), max(1, round(w / s))), "bicubic")
    return resize(small, (h, w), "bicubic")[0]


def make_set(root: Path, sources: list[str], size: int) -> list[torch.Tensor]:
    hrs = []
    for src in sources:
        for path in list_images([SHARED / src]):
            hr = centre_crop(read_image(path), size)
            name = f"{src}_{path.stem}"
            write_image(root / "hr" / f"{name}.png", hr)
            for s in LEVELS:
                write_image(root / f"{s:g}" / f"{name}.png", bicubic_level(hr, s))
            hrs.append(hr)
    return hrs


def pca_2d(x: np.ndarray) -> np.ndarray:
    x = x - x.mean(0, keepdims=True)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return x @ vt[:2].T


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--size", type=int, default=192)
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "images" / "interflow_fig2.png")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_set(root / "train", ["bsd100", "urban100", "div2k_valid"], a.size)
        held = make_set(root / "held", ["kodak24"], a.size)
        model: InterFlow = train_interflow(
            hr=root / "train" / "hr", level=[f"{s:g}={root / 'train' / f'{s:g}'}"
                                             for s in LEVELS],
            out=root / "model", steps=a.steps, patch=32, batch_size=2, prior_mean="channel",
            architecture={"mean_init": 0.0},
            lambda_cons=0.0, lambda_ib=0.0, checkpoint_every=0, progress=False)
        model.eval()
        with torch.no_grad():
            means = torch.stack([model.priors.mean_vector(i) for i in range(len(LEVELS))])
            encoded = []
            for s in LEVELS:
                zs = []
                for hr in held:
                    x = hr[None]
                    z, _ = model.encode(bicubic_level(hr, s)[None], model.conditions(x))
                    zs.append(z.mean((0, 2, 3)))
                encoded.append(torch.stack(zs).mean(0))
            encoded_t = torch.stack(encoded)
    result = {}
    projections = {}
    for name, vecs in (("learned means", means), ("encoded held-out latents", encoded_t)):
        p = pca_2d(vecs.double().numpy())
        rho = float(spearmanr(LEVELS, p[:, 0]).statistic)
        result[name] = {"spearman_pc1": rho, "pass": abs(rho) >= 0.95}
        projections[name] = p
    seconds = time.perf_counter() - t0
    _plot(projections, result, a.out)
    print(json.dumps({"steps": a.steps, "levels": LEVELS, "seconds": round(seconds),
                      **result}, indent=2))
    for name, r in result.items():
        print(f"{'PASS' if r['pass'] else 'FAIL'}: {name}: Spearman ρ(PC1, s) = "
              f"{r['spearman_pc1']:+.3f} (goal |ρ| ≥ 0.95)")
    print(f"wrote {a.out}")


def _plot(projections: dict[str, np.ndarray], result: dict[str, dict[str, float]],
          out: Path) -> None:
    panels = []
    for name, p in projections.items():
        marks = [(float(x), float(y), f"×{s:g}") for s, (x, y) in zip(LEVELS, p, strict=True)
                 if s in (1.2, 2.0, 3.0, 4.0)]
        panels.append(panel(f"{name}: ρ(PC1, s) = {result[name]['spearman_pc1']:+.3f}",
                            [("levels 1.2 … 4.0", list(p[:, 0]), list(p[:, 1]), True)],
                            "PC1", "PC2", marks))
    save_panels(panels, out)


if __name__ == "__main__":
    main()

"""Issue 30's goal for RealDGen: with references from camera A, the generated LR are closer to
A than to B by HF-KL and by Fréchet distance, for both orders of two clearly different
cameras, and closer to A than Real-ESRGAN's LR of the same HR.

    .venv/bin/python plugins/degsdk-realdgen/benchmarks/realdgen_condition_goal.py \
        [--weights realdgen/x4 …] [--guidance 1 2 3] [--n 16] [--threads 2]

Three synthetic cameras none of the weights were trained on: A (Gaussian blur σ 3.2 HR px,
bicubic ×4, noise σ 1, JPEG 95), B (bicubic ×4, noise σ 18, JPEG 60) — the claim-(b) cameras —
and C (the core ``camera`` at level 3: spatially varying blur, chromatic aberration, a strong
white-balance cast, Poisson–Gaussian noise, JPEG 70). Each camera "captures" 28 crops of
BSD100 photos (its own crops, same photo pool for all three, so the cameras differ in
degradation, not in content): 4 are the references, 24 its held-out real LR. The model
generates ×4 LR of ``--n`` Kodak24 crops (held out from training) with each camera's
references (DDIM 25 steps, seed 0; K = 1 and T = 300 unless ``--candidates`` and ``--T``
are given; each guidance value). For each ordered pair (X, Y)
of cameras: is the set made with X's references closer to X's real LR than to Y's, by HF-KL
and by Fréchet distance on ``alexnet_random`` and ``degradation_stats`` patch features? And
is it closer to X than ``realesrgan``'s LR of the same HR (the comparison of the issue)?
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realdgen_claims import CAMERA_A, CAMERA_B, DATA, PATCH, crops, load

import degsdk
from degsdk.evaluation import patch_features
from degsdk.metrics import frechet_distance, hf_kl

CAMERA_C = {"name": "camera", "params": {
    "level": 3.0, "scale": 4, "blur_center": 1.0, "blur_edge": 1.5, "ca": 0.002,
    "wb_shift": 0.2, "shot": 0.003, "read": 4.0, "jpeg": [70, 70]}}
CAMERAS = {"A": CAMERA_A, "B": CAMERA_B, "C": CAMERA_C}
FRECHET = ("alexnet_random", "degradation_stats")
N_REFERENCES = 4


def camera_sets(n_real: int = 24) -> dict[str, Tensor]:
    """Each camera's LR of its own BSD100 crops (the first 4 are its references)."""
    return {name: degsdk.from_config(cfg)(crops(["bsd100"], n_real + N_REFERENCES, 192,
                                                seed=10 + i), seed=i).lr
            for i, (name, cfg) in enumerate(CAMERAS.items())}


def distances(lr: Tensor, real: Tensor, exts: dict[str, Any]) -> dict[str, float]:
    """HF-KL and the Fréchet distances of ``lr`` to the real LR ``real``."""
    out = {"hf_kl": hf_kl(real, lr)}
    for name, ext in exts.items():
        with torch.no_grad():
            out[name] = frechet_distance(patch_features(ext, list(lr), PATCH),
                                         patch_features(ext, list(real), PATCH))
    return out


def main() -> int:
    if not DATA.is_dir():
        print(f"needs the real data in {DATA}", file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", nargs="+", default=["realdgen/x4"])
    ap.add_argument("--guidance", type=float, nargs="+", default=[1.0])
    ap.add_argument("--candidates", type=int, default=1, help="K (filtering; 1: off)")
    ap.add_argument("--T", type=int, default=300, help="start step (the paper's 300)")
    ap.add_argument("--n", type=int, default=16, help="Kodak24 crops generated from")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    sets = camera_sets()
    real = {k: v[N_REFERENCES:] for k, v in sets.items()}
    exts = {name: degsdk.create_extractor(name) for name in FRECHET}
    hr = crops(["kodak24"], args.n, 192, seed=3)
    esrgan = degsdk.create("realesrgan", scale=4)(hr, seed=0).lr
    base = {cam: distances(esrgan, real[cam], exts) for cam in CAMERAS}
    metrics = ["hf_kl", *FRECHET]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        refs = {}
        for cam, lr in sets.items():
            for i in range(N_REFERENCES):
                degsdk.write_image(Path(tmp) / cam / f"{i}.png", lr[i])
            refs[cam] = str(Path(tmp) / cam)
        for weights in args.weights:
            for w in args.guidance:
                t0 = time.perf_counter()
                dist = {}
                for cam in CAMERAS:
                    m = load(weights, references=refs[cam], sampler="ddim", ddim_steps=25,
                             candidates=args.candidates, guidance=w, T=args.T)
                    with torch.no_grad():
                        lr = m(hr, seed=0).lr
                    dist[cam] = {other: distances(lr, real[other], exts) for other in CAMERAS}
                took = time.perf_counter() - t0
                print(f"\n{weights}, guidance {w:g}, T {args.T}, K {args.candidates} "
                      f"({took:.0f} s)")
                print("references | distance to A, B, C: " + ", ".join(metrics)
                      + " | Real-ESRGAN's to the reference camera")
                for cam in CAMERAS:
                    cells = "; ".join(f"{o}: " + " ".join(f"{dist[cam][o][k]:.4g}"
                                                          for k in metrics) for o in CAMERAS)
                    print(f"{cam} | {cells} | " + " ".join(f"{base[cam][k]:.4g}"
                                                           for k in metrics))
                pairs = [(x, y) for x in CAMERAS for y in CAMERAS if x != y]
                ok = {(x, y): all(dist[x][x][k] < dist[x][y][k] for k in metrics)
                      for x, y in pairs}
                ok_pairs = sum(ok.values())
                closer = {x: [k for k in metrics if dist[x][x][k] < base[x][k]]
                          for x in CAMERAS}
                print(f"closer to the reference camera than to the other, all measures: "
                      f"{ok_pairs}/{len(pairs)} ordered pairs; " + ", ".join(
                          f"({x},{y}) {'yes' if v else 'no'}" for (x, y), v in ok.items()))
                print("closer than Real-ESRGAN's: " + "; ".join(
                    f"{x}: {', '.join(v) or 'none'}" for x, v in closer.items()))
                goal = ok_pairs == len(pairs) and all(len(v) == len(metrics)
                                                      for v in closer.values())
                print(f"goal: {'PASS' if goal else 'FAIL'}")
                failed += not goal
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

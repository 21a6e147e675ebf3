"""Paper Table 1 in miniature (``degsdk eval``): does an SR model trained on InterFlow data
spanning levels 2–4 restore a camera's unseen level 3 at least as well as one trained on the
camera's real levels 2 and 4 only?

The camera is the core ``camera`` degrader (aligned, no JPEG). The test pairs are its level 3
on 10 held-out Kodak photos (384 px centre crops). Every SR model (``srresnet_small``, the
``degsdk eval`` protocol at scale 1) trains on the same HR photos — the 38 InterFlow training
photos — degraded by:

- **interflow**: the shipped ``interflow/camera24``, level drawn in [2, 4] per sample;
- **real levels 2 and 4**: the camera itself at level 2 or 4 (one of them per sample);
- **bicubic 2 and 4**: bicubic down by 2 or 4 and back up (the classic synthetic data);

and the protocol's no-training row is the test LR itself (identity at scale 1). The check: the
InterFlow-trained model's PSNR is at least the real-levels model's, over ``--seeds`` seeds.

    .venv/bin/python plugins/degsdk-interflow/benchmarks/interflow_table1.py --steps 1500 --seeds 2

Prints the table; needs ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch
from camera_levels import CAMERA, make_camera_levels

import degsdk
from degsdk.evaluation import DegraderEntry, EvalSettings, evaluate


def _entries(model: str) -> list[DegraderEntry]:
    def cam(s: float) -> dict[str, object]:
        return {"name": "camera", "params": {"level": s, "scale": 1, **CAMERA}}

    def bic(s: int) -> dict[str, object]:
        return {"name": "sequential", "params": {"ops": [
            {"name": "resize", "params": {"factor": 1 / s}},
            {"name": "resize", "params": {"factor": float(s)}}]}}

    configs = {
        "interflow": {"name": "interflow", "params": {"weights": model, "level": [2.0, 4.0]}},
        "real levels 2 and 4": {"name": "one_of", "params": {"ops": [cam(2.0), cam(4.0)]}},
        "bicubic 2 and 4": {"name": "one_of", "params": {"ops": [bic(2), bic(4)]}},
    }
    return [DegraderEntry(label, degsdk.from_config(c), json.dumps(c))
            for label, c in configs.items()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="interflow/camera24")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    rows: dict[str, list[tuple[float, float]]] = {}
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_camera_levels(root / "train", ["bsd100", "urban100", "div2k_valid"], [2.0],
                           size=384)
        make_camera_levels(root / "test", ["kodak24"], [3.0], size=384, seed=1)
        (root / "test" / "lr").symlink_to(root / "test" / "3")
        for seed in range(a.seeds):
            report = evaluate(_entries(a.model), root / "train" / "hr", root / "test",
                              settings=EvalSettings(steps=a.steps, seed=seed, extractors=[]),
                              progress=False)
            base = {k: report["baseline"]["sr"][k] for k in ("psnr", "ssim")}
            for r in report["degraders"]:
                rows.setdefault(r["label"], []).append((r["sr"]["psnr"], r["sr"]["ssim"]))
    print("| training LR | PSNR (dB) per seed | mean | SSIM mean |")
    print("|---|---|---:|---:|")
    for label, vals in rows.items():
        ps = [p for p, _ in vals]
        print(f"| {label} | {', '.join(f'{p:.3f}' for p in ps)} | {sum(ps) / len(ps):.3f} | "
              f"{sum(s for _, s in vals) / len(vals):.4f} |")
    print(json.dumps({"no_training": base, "seconds": round(time.perf_counter() - t0)}))
    inter = [p for p, _ in rows["interflow"]]
    real = [p for p, _ in rows["real levels 2 and 4"]]
    ok = sum(inter) / len(inter) >= sum(real) / len(real)
    print(f"{'PASS' if ok else 'FAIL'}: InterFlow-trained {sum(inter) / len(inter):.3f} dB vs "
          f"real levels 2 and 4 {sum(real) / len(real):.3f} dB (goal: at least as good)")


if __name__ == "__main__":
    main()

"""Paper check, Fig. 6: an unseen level 3 made from levels 2 and 4, by latent interpolation, by
pixel interpolation and by the prior (from HR alone), against the real level 3.

An InterFlow trained on aligned levels {2, 4} of a synthetic camera (the core ``camera``
degrader; default: the shipped ``interflow/camera24``) is given held-out scenes (10 Kodak
photos, 384 px centre crops, never seen in training or calibration). For each blend weight
w ∈ {0.05, …, 0.95} (w weights level 4; the paper's a = 1 − w) three level-3 sets are made:

- **latent**: encode the captured level-2 and level-4 LR under the HR, blend (1 − w)·z₂ + w·z₄,
  decode (eq. 6–7);
- **pixel**: (1 − w)·LR₂ + w·LR₄;
- **prior**: z drawn from the blended prior (1 − w)·(μ, M)₂ + w·(μ, M)₄ and decoded — from the
  HR alone, the mode the ``interflow`` degrader uses.

Each is compared with the camera's true level-3 LR by HF-KL (KL divergence of the residual
histograms, as the paper). Checks: the minimum over w of latent interpolation is below the
minimum of pixel interpolation, and so is the prior's.

    .venv/bin/python plugins/degsdk-interflow/benchmarks/interflow_fig6.py \
        [--model interflow/camera24]

Writes docs/images/interflow_fig6.png and prints the table. Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch
from camera_levels import make_camera_levels
from degsdk_interflow.calibrate import BLEND_WEIGHTS, generate_at_blend_weight
from plot import panel, save_panels

import degsdk
from degsdk.io import read_image
from degsdk.metrics import hf_kl

REPO = Path(__file__).resolve().parents[3]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="interflow/camera24")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "images" / "interflow_fig6.png")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    model = degsdk.create("interflow", weights=a.model)
    assert model.cfg.trained_levels == [2.0, 4.0], model.cfg.trained_levels
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = make_camera_levels(root, ["kodak24"], [2.0, 3.0, 4.0], size=384, seed=1)
        hrs = [read_image(root / "hr" / f"{n}.png") for n in names]
        lv = {s: [read_image(root / s / f"{n}.png") for n in names] for s in ("2", "3", "4")}
    curves: dict[str, dict[float, float]] = {"latent": {}, "pixel": {}, "prior": {}}
    with torch.no_grad():
        for w in BLEND_WEIGHTS:
            latent = [model.interpolate_captured(h[None], x2[None], x4[None], w)[0]
                      for h, x2, x4 in zip(hrs, lv["2"], lv["4"], strict=True)]
            pixel = [(1 - w) * x2 + w * x4 for x2, x4 in zip(lv["2"], lv["4"], strict=True)]
            prior = generate_at_blend_weight(model, hrs, 0, w, seed=0)
            for name, imgs in (("latent", latent), ("pixel", pixel), ("prior", prior)):
                curves[name][w] = hf_kl(lv["3"], imgs)
        mapped = model.blend_weight(3.0)[1]
        at3 = generate_at_blend_weight(model, hrs, 0, mapped, seed=0)
        degrader_kl = hf_kl(lv["3"], at3)
    best = {k: min(v.items(), key=lambda kv: kv[1]) for k, v in curves.items()}
    print("| w (weight of level 4) | latent | pixel | prior |")
    print("|---:|---:|---:|---:|")
    for w in BLEND_WEIGHTS:
        print(f"| {w:.2f} | {curves['latent'][w]:.4f} | {curves['pixel'][w]:.4f} | "
              f"{curves['prior'][w]:.4f} |")
    print(json.dumps({"model": a.model, "calibration": model.cfg.calibration,
                      "best": {k: {"w": w, "hf_kl": v} for k, (w, v) in best.items()},
                      "degrader_at_level_3": {"w": mapped, "hf_kl": degrader_kl},
                      "seconds": round(time.perf_counter() - t0)}, indent=2))
    for k in ("latent", "prior"):
        ok = best[k][1] < best["pixel"][1]
        print(f"{'PASS' if ok else 'FAIL'}: min HF-KL of {k} ({best[k][1]:.4f} at w = "
              f"{best[k][0]:.2f}) < min of pixel interpolation ({best['pixel'][1]:.4f} at w = "
              f"{best['pixel'][0]:.2f})")
    xs = list(BLEND_WEIGHTS)
    img = panel("HF-KL to the real level 3 (lower is better)",
                [(k, xs, [curves[k][w] for w in xs], True) for k in ("latent", "pixel",
                                                                     "prior")],
                "w (0: level 2, 1: level 4)", "HF-KL")
    save_panels([img], a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()

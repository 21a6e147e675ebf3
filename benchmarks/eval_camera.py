"""The evaluation harness on a known camera: does it pick the true degradation?

    .venv/bin/python benchmarks/eval_camera.py            # 5–8 minutes on 2 CPU cores

Aligned test pairs (LR on the HR grid, like RealSR/City100) are made with the synthetic
``camera`` (level 2, scale 1, defocus 1.5, JPEG 75–95) from held-out HR photos; then
``degsdk.evaluation.run_eval`` compares three degraders on them, each used to make training
pairs from other HR photos and to train ``srresnet_small`` with the same seed and budget:

- ``true camera`` — the same camera config (fresh random draws: other seed, other images);
- ``bicubic`` — aligned bicubic: down ×2 and back up (``bicubic:level=2``);
- ``realesrgan`` — the Real-ESRGAN pipeline at scale 1.

Claims checked (printed as PASS/FAIL): SR trained on true-camera pairs beats bicubic-trained
SR by ≥ 0.5 dB PSNR on the held-out camera pairs; Fréchet (each extractor) and HF-KL rank the
true camera closest to the test LR. Data: ``../shared/data/hr`` (train: DIV2K valid + 7 BSD100
photos, test: 4 Kodak photos, central 384×256 crops); without it, the committed samples
(train: astronaut, chelsea, rocket; test: coffee). The report folder is kept with ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

import degsdk
from degsdk.evaluation import EvalSettings, run_eval

REPO = Path(__file__).resolve().parents[1]
CAMERA = {"level": 2.0, "scale": 1, "defocus": 1.5}
SHARED = REPO.parent / "shared" / "data" / "hr"


def _sources() -> tuple[list[Path], list[Path]]:
    if SHARED.is_dir():
        train = sorted((SHARED / "div2k_valid").glob("*.png"))
        train += sorted((SHARED / "bsd100").glob("*.png"))[:7]
        test = [SHARED / "kodak24" / f"kodim{n}.png" for n in ("03", "05", "13", "23")]
        return train, test
    hr = REPO / "samples" / "hr"
    return [hr / f"{n}.png" for n in ("astronaut", "chelsea", "rocket")], [hr / "coffee.png"]


def _center(x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    if x.shape[-2] > x.shape[-1]:  # portrait: crop w×h
        h, w = w, h
    t, s = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2
    return x[:, t : t + h, s : s + w]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0, help="evaluation seed (test pairs fixed)")
    ap.add_argument("--out", type=Path, help="keep the report folder here")
    args = ap.parse_args()
    train_files, test_files = _sources()
    camera = degsdk.create("camera", **CAMERA)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        for f in train_files:
            degsdk.write_image(root / "train" / f.name, degsdk.read_image(f))
        for i, f in enumerate(test_files):
            hr = _center(degsdk.read_image(f), 256, 384)
            lr = camera(hr[None], seed=2026, indices=[i]).lr[0]
            degsdk.write_image(root / "test" / "hr" / f.name, hr)
            degsdk.write_image(root / "test" / "lr" / f.name, lr)
        cam_spec = "true_camera=camera:" + ":".join(f"{k}={v}" for k, v in CAMERA.items())
        settings = EvalSettings(steps=args.steps, seed=args.seed, copies=2, patch=48, batch_size=16)
        report = run_eval([cam_spec, "bicubic=bicubic:level=2", "realesrgan"],
                          root / "train", root / "test", args.out or root / "report",
                          settings=settings)
    secs = time.perf_counter() - t0
    res = {r["label"]: r for r in report["degraders"]}
    print(f"{len(train_files)} train HR, {len(test_files)} test pairs, {args.steps} steps per "
          f"model, seed {args.seed}; {secs:.0f} s in all (torch {torch.get_num_threads()} threads)")
    print(f"{'degrader':<12} {'SR PSNR':>8} {'SR SSIM':>8} "
          + " ".join(f"{'FD ' + n:>24}" for n in settings.extractors) + f" {'HF-KL':>8}")
    base = report["baseline"]["sr"]
    print(f"{'(LR as is)':<12} {base['psnr']:8.2f} {base['ssim']:8.4f}")
    for label, r in res.items():
        print(f"{label:<12} {r['sr']['psnr']:8.2f} {r['sr']['ssim']:8.4f} "
              + " ".join(f"{r['frechet'][n]:24.4f}" for n in settings.extractors)
              + f" {r['hf_kl']:8.4f}")
    gain = res["true_camera"]["sr"]["psnr"] - res["bicubic"]["sr"]["psnr"]
    ok = gain >= 0.5
    print(f"{'PASS' if ok else 'FAIL'}: true camera vs bicubic SR PSNR {gain:+.2f} dB "
          "(goal ≥ +0.5 dB)")
    for key, order in report["ranking"].items():
        if key.startswith("frechet") or key == "hf_kl":
            first = order[0] == "true_camera"
            ok &= first
            print(f"{'PASS' if first else 'FAIL'}: {key} ranks {', '.join(order)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The baseline SR model against bicubic interpolation on ×2 bicubic pairs.

    .venv/bin/python benchmarks/sr_baseline.py            # 5 minutes of training

Pairs: the committed sample photos, LR = antialiased bicubic ×0.5 (the ``resize`` op). Training
set: astronaut, chelsea, rocket; held-out test image: coffee. ``srresnet_small`` (scale 2, 32
channels, 4 blocks) is trained with ``train_sr`` (L1, Adam 1e-3 with cosine decay, batch 16 of
32×32 LR patches, seed 0) for ``--seconds``; PSNR on the Y channel (border 2) of the test image
against bicubic upscaling. Goal: ≥ 1.0 dB within 5 minutes of training on this CPU.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

import degsdk
from degsdk.metrics import psnr, ssim
from degsdk.sr import train_sr

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=300.0)
    args = ap.parse_args()
    down = degsdk.create("resize", factor=0.5, mode="bicubic")
    with tempfile.TemporaryDirectory() as d:
        train, test = Path(d) / "train", Path(d) / "test"
        for name in ("astronaut", "chelsea", "rocket", "coffee"):
            hr = degsdk.read_image(REPO / "samples" / "hr" / f"{name}.png")[None]
            lr = down(hr, seed=0).lr
            folder = test if name == "coffee" else train
            degsdk.write_image(folder / "hr" / f"{name}.png", hr[0])
            degsdk.write_image(folder / "lr" / f"{name}.png", lr[0])
        t0 = time.perf_counter()
        model = train_sr(pairs=train, out=Path(d) / "model", scale=2, steps=1_000_000,
                         max_seconds=args.seconds, batch_size=16, patch=32, lr=1e-3, seed=0,
                         progress=False)
        secs = time.perf_counter() - t0
        steps = degsdk.hub.read_config(Path(d) / "model").provenance["steps"]
        hr = degsdk.read_image(test / "hr" / "coffee.png")[None]
        lr = degsdk.read_image(test / "lr" / "coffee.png")[None]
        with torch.no_grad():
            sr = model(lr).clamp(0, 1)
        bic = degsdk.create_sr_model("bicubic", scale=2)(lr)
        p_b = psnr(bic, hr, crop_border=2, y_channel=True)
        p_m = psnr(sr, hr, crop_border=2, y_channel=True)
        s_b = ssim(bic, hr, crop_border=2, y_channel=True)
        s_m = ssim(sr, hr, crop_border=2, y_channel=True)
    print(f"trained {steps} steps in {secs:.0f} s (torch {torch.get_num_threads()} threads)")
    print(f"held-out coffee ×2, Y channel, border 2: bicubic PSNR {p_b:.2f} dB / SSIM {s_b:.4f}; "
          f"srresnet_small PSNR {p_m:.2f} dB / SSIM {s_m:.4f}")
    print(f"gain over bicubic: {p_m - p_b:+.2f} dB (goal ≥ +1.0 dB within 5 minutes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

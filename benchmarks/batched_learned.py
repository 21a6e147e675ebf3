"""Learned degraders run batched (version 2) or one sample at a time (version 1): time per
image and the largest difference between a sample's output in the batch and alone.

    .venv/bin/python benchmarks/batched_learned.py [--batch 8] [--size 128] [--threads 2]

Uses the shipped weights (dml/city100, deflow/realsrset); a degrader whose plugin is not
installed is skipped. Prints, per degrader, seconds per image for both versions side by side,
their ratio, and max |batch − alone| against its declared ``batch_tolerance``.
"""

from __future__ import annotations

import argparse
import time

import torch

import degsdk
from degsdk.testing import example_images

MODELS = {"dml": "dml/city100", "deflow": "deflow/realsrset"}


def _seconds(deg: degsdk.Degrader, hr: torch.Tensor, repeats: int) -> float:
    deg(hr[:1], seed=0)  # warm-up
    t0 = time.perf_counter()
    for r in range(repeats):
        deg(hr, seed=r)
    return (time.perf_counter() - t0) / (repeats * hr.shape[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    hr = example_images(args.batch, size=args.size)
    print(f"batch {args.batch} of {args.size}×{args.size}, {args.threads} threads, CPU")
    print("| degrader | version 1 (s/image) | version 2 (s/image) | speed-up | "
          "max |batch − alone| | declared tolerance |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, ref in MODELS.items():
        if name not in degsdk.list_degraders():
            print(f"| {name} | (plugin not installed) | | | | |")
            continue
        v1 = degsdk.create(name, weights=ref, version="1")
        v2 = degsdk.create(name, weights=ref, version="2")
        t1, t2 = _seconds(v1, hr, args.repeats), _seconds(v2, hr, args.repeats)
        with torch.no_grad():
            batched = v2(hr, seed=5).lr
            alone = torch.cat([v2(hr[i : i + 1], seed=5, indices=[i]).lr
                               for i in range(hr.shape[0])])
        diff = float((batched - alone).abs().max())
        print(f"| {name} | {t1:.4f} | {t2:.4f} | {t1 / t2:.2f}× | {diff:.2e} | "
              f"{type(v2).batch_tolerance:g} |")


if __name__ == "__main__":
    main()

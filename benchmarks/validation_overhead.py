"""What degsdk's validation of degrader outputs and params costs: each degrader timed with the
checks on and with them replaced by no-ops, side by side in one run.

    .venv/bin/python benchmarks/validation_overhead.py [--batch 8] [--size 256] [--rounds 5]

Checked on every call: output shape, dtype and (one pass) finite values in [0, 1], and params
a list of one dict of JSON values per sample, for every op of a chain (so a bad op is named).
Prints the best-of-rounds time per call and the overhead in percent.
"""

from __future__ import annotations

import argparse
import time

import torch

import degsdk
from degsdk._interfaces import Degrader

CASES = {
    "gaussian_blur": {},
    "realesrgan": {},
    "sequential: blur, resize ×0.5, noise, jpeg": {"ops": [
        {"name": "gaussian_blur"}, {"name": "resize", "params": {"factor": 0.5}},
        {"name": "gaussian_noise"}, {"name": "jpeg"}]},
}


def _best(deg: Degrader, x: torch.Tensor, rounds: int) -> float:
    deg(x, seed=0)
    times = []
    for r in range(rounds):
        t0 = time.perf_counter()
        deg(x, seed=r)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    x = torch.rand(args.batch, 3, args.size, args.size)
    check_output, check_params = Degrader._check_output, Degrader._check_params
    print(f"batch {args.batch} of {args.size}², best of {args.rounds}, "
          f"{torch.get_num_threads()} threads")
    print("| degrader | with checks (ms) | without (ms) | overhead |")
    print("|---|---:|---:|---:|")
    for label, params in CASES.items():
        deg = degsdk.create(label.split(":")[0], **params)
        on, off = [], []
        for _ in range(3):  # interleaved, so drift hits both alike
            on.append(_best(deg, x, args.rounds))
            Degrader._check_output = lambda self, hr, lr, values=True: None  # type: ignore
            Degrader._check_params = lambda self, params, n: None  # type: ignore
            try:
                off.append(_best(deg, x, args.rounds))
            finally:
                Degrader._check_output, Degrader._check_params = check_output, check_params
        a, b = min(on), min(off)
        print(f"| {label} | {a * 1e3:.1f} | {b * 1e3:.1f} | {100 * (a - b) / b:+.1f} % |")


if __name__ == "__main__":
    main()

"""Generation time of the ``interflow`` degrader for 160² images (the paper reports 0.35 s on
a V100 for its config): the shipped (tiny) config and the paper's (K = 16, L = 2, hidden 64,
RRDB 23×64; random weights, the time does not depend on them), one image alone and a batch of
8, side by side in one run. With ``--device cuda`` also on the GPU, with a CPU-vs-GPU
agreement check.

    .venv/bin/python plugins/degsdk-interflow/benchmarks/interflow_speed.py [--device cuda]
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from degsdk_interflow import PRESETS, InterFlow

import degsdk


def _time(deg: InterFlow, x: torch.Tensor, repeats: int) -> float:
    deg(x, seed=0)  # warm-up
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for r in range(repeats):
        deg(x, seed=r)
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / repeats / x.shape[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    x = torch.rand(8, 3, 160, 160, generator=torch.Generator().manual_seed(0))
    models = {"shipped (tiny)": degsdk.create("interflow", weights="interflow/camera24",
                                              level=3.0),
              "paper": InterFlow(**PRESETS["paper"], level=3.0)}
    rows = {}
    for name, m in models.items():
        m = m.to(a.device)
        xd = x.to(a.device)
        rows[name] = {"alone_s": _time(m, xd[:1], a.repeats),
                      "batch8_s_per_image": _time(m, xd, a.repeats)}
        if a.device != "cpu":
            cpu = m.to("cpu")(x[:2], seed=1).lr
            dev = m.to(a.device)(xd[:2], seed=1).lr.cpu()
            rows[name]["max_abs_cpu_vs_device"] = float((cpu - dev).abs().max())
    print(f"threads {torch.get_num_threads()}, device {a.device}")
    print("| config | alone (s/image) | batch of 8 (s/image) | speed-up |")
    print("|---|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['alone_s']:.3f} | {r['batch8_s_per_image']:.3f} | "
              f"{r['alone_s'] / r['batch8_s_per_image']:.2f}× |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()

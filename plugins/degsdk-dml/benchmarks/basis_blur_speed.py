"""DML's fast per-pixel blur against the unfold reference: time and peak memory.

    .venv/bin/python plugins/degsdk-dml/benchmarks/basis_blur_speed.py

One 512×512 RGB image, M = 8 basis kernels of 15×15, per-pixel weights, float32, scale 1 (the
costliest: every pixel kept). ``basis_blur`` computes Σ_m C(m) ⊙ (I ⋆ φ_m) with direct
convolutions ("fast", what inference uses) or through the FFT ("fft", what training uses);
``basis_blur_unfold`` materialises every 15×15 window and every per-pixel kernel. Time: median
of ``--repeats`` calls each, alternating, after a warm-up. Peak memory: the growth of the
resident set's high-water mark of a fresh process above its size after a warm-up call (Linux
``/proc``).
Goal: ≥ 10× faster and ≥ 10× less peak memory.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch
from degsdk_dml import basis_blur, basis_blur_unfold

FUNCS = {"fast": functools.partial(basis_blur, method="direct"),
         "fft": functools.partial(basis_blur, method="fft"), "unfold": basis_blur_unfold}


def _inputs(size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    hr = torch.rand(1, 3, size, size, generator=g)
    kernels = torch.softmax(torch.randn(8, 15 * 15, generator=g), 1).reshape(8, 15, 15)
    weights = torch.rand(1, 8, size, size, generator=g)
    return hr, kernels, weights


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _peak_child(name: str, size: int, q: Any) -> None:
    args = _inputs(size)
    with torch.no_grad():
        FUNCS[name](*args)  # warm-up
        Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
        base = _status_kib("VmRSS")
        FUNCS[name](*args)
    q.put((_status_kib("VmHWM") - base) / 1024)


def peak_mib(name: str, size: int) -> float:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_peak_child, args=(name, size, q))
    p.start()
    out = q.get()
    p.join()
    return float(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    hr, kernels, weights = _inputs(args.size)
    times: dict[str, list[float]] = {k: [] for k in FUNCS}
    with torch.no_grad():
        ref = basis_blur_unfold(hr, kernels, weights)
        err = float((basis_blur(hr, kernels, weights) - ref).abs().max())
        for _ in range(args.repeats):
            for name, fn in FUNCS.items():
                t0 = time.perf_counter()
                fn(hr, kernels, weights)
                times[name].append(time.perf_counter() - t0)
    t = {k: statistics.median(v) for k, v in times.items()}
    mem = {k: peak_mib(k, args.size) for k in FUNCS}
    print(f"{args.size}² RGB, M = 8, 15×15, float32, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; max |fast − unfold| = {err:.1e}")
    for k in FUNCS:
        print(f"  {k:<7} {t[k] * 1000:8.1f} ms   peak +{mem[k]:7.1f} MiB")
    print(f"fft: {t['unfold'] / t['fft']:.1f}× faster, "
          f"{mem['unfold'] / max(mem['fft'], 1e-3):.1f}× less peak memory than unfold")
    speed, memory = t["unfold"] / t["fast"], mem["unfold"] / max(mem["fast"], 1e-3)
    ok = speed >= 10 and memory >= 10
    print(f"{'PASS' if speed >= 10 else 'FAIL'}: {speed:.1f}× faster (goal ≥ 10×)")
    print(f"{'PASS' if memory >= 10 else 'FAIL'}: {memory:.1f}× less peak memory (goal ≥ 10×)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

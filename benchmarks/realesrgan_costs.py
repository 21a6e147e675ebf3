"""Where degsdk's ``realesrgan`` spends its time, and whether drawing per batch would help.

    .venv/bin/python benchmarks/realesrgan_costs.py [--batch 16] [--rounds 12]

1. Stage costs, one thread, samples one after another: the time inside the filters, resizes,
   noise and JPEG per batch of 256×256 crops (the rest is Python and bookkeeping).
2. Per-sample draws (degsdk's ``realesrgan``: each image its own resize, noise kind and final
   order, chains in parallel threads) against per-batch draws (BasicSR's way: those choices
   once per batch, every stage run on the whole batch), both with degsdk's ops, interleaved
   round by round on the machine's threads. The per-batch variant exists only here, to measure.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realesrgan_pipeline import load_crops

import degsdk
from degsdk.ops import _parallel, _realesrgan
from degsdk.seeding import bernoulli, generator_from_seed, make_generators


def stage_costs(hr: torch.Tensor, batch: int, rounds: int) -> dict[str, float]:
    """Seconds per batch inside each kind of stage, one thread, chains run in turn."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    deg = degsdk.create("realesrgan")
    spent: dict[str, float] = collections.defaultdict(float)
    names = {"blur_with": "blur (kernels, sinc)", "_resize": "resize",
             "gaussian_noise": "Gaussian noise", "poisson_noise": "Poisson noise",
             "_jpeg": "JPEG (libjpeg)"}
    saved = {n: getattr(_realesrgan, n) for n in names}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            out = fn(*a, **k)
            spent[names[name]] += time.perf_counter() - t
            return out
        return run

    for n, fn in saved.items():
        setattr(_realesrgan, n, timed(n, fn))
    _parallel._local.inside = True  # chains one after another (no pool)
    try:
        deg(hr[:batch], seed=0)
        spent.clear()
        t0 = time.perf_counter()
        for r in range(rounds):
            x = hr[(r % 4) * batch : (r % 4 + 1) * batch]
            deg(x, seed=0, indices=range(r * batch, (r + 1) * batch))
        total = time.perf_counter() - t0
    finally:
        for n, fn in saved.items():
            setattr(_realesrgan, n, fn)
        _parallel._local.inside = False
        torch.set_num_threads(threads)
    out = {k: v / rounds for k, v in spent.items()}
    out["everything else (Python, kernels, copies)"] = total / rounds - sum(out.values())
    out["total"] = total / rounds
    return out


def per_batch(deg: Any, x: torch.Tensor, step: int) -> torch.Tensor:
    """Real-ESRGAN with BasicSR's per-batch choices (resize, noise kind, second blur, final
    order and mode once per batch), every stage on the whole batch, degsdk's ops."""
    from degsdk.ops._blur import blur_with
    from degsdk.ops._jpeg import jpeg_compress
    from degsdk.ops._noise import gaussian_noise, poisson_noise

    c = deg.cfg
    n, (h, w), s = x.shape[0], x.shape[-2:], c.scale
    ps = deg.sample(x, make_generators(step, range(n)))
    g = generator_from_seed(step)

    def noise(y: torch.Tensor, key: str, gaussian: bool) -> torch.Tensor:
        p = [q[key] for q in ps]
        gray, seeds = [q["gray"] for q in p], [q["seed"] for q in p]
        if gaussian:
            return gaussian_noise(y, [q.get("sigma", 1.0) for q in p], gray, seeds)
        return poisson_noise(y, [q.get("scale", 0.1) for q in p], gray, seeds)

    r1, n1 = c.resize1.draw(g), bernoulli(g, c.noise1.gaussian_prob)
    blur2, r2 = bernoulli(g, c.second_blur_prob), c.resize2.draw(g)
    n2, first = bernoulli(g, c.noise2.gaussian_prob), bernoulli(g, 0.5)
    y = blur_with(x, [p["kernel1"] for p in ps])
    y = _realesrgan._resize(y, None, r1["factor"], r1["mode"])
    y = jpeg_compress(noise(y, "noise1", n1), [p["jpeg1"] for p in ps])
    if blur2:
        y = blur_with(y, [p["kernel2"] for p in ps])
    y = _realesrgan._resize(y, (int(h / s * r2["factor"]), int(w / s * r2["factor"])), None,
                            r2["mode"])
    y = noise(y, "noise2", n2)
    final = (h // s, w // s)
    if first:
        y = blur_with(_realesrgan._resize(y, final, None, "bicubic"),
                      [p["final"]["sinc"] for p in ps]).clamp(0, 1)
        y = jpeg_compress(y, [p["final"]["jpeg"] for p in ps])
    else:
        y = jpeg_compress(y, [p["final"]["jpeg"] for p in ps])
        y = blur_with(_realesrgan._resize(y, final, None, "bicubic"),
                      [p["final"]["sinc"] for p in ps])
    return (y * 255).round().clamp(0, 255) / 255


def draws(hr: torch.Tensor, batch: int, rounds: int) -> dict[str, float]:
    """Seconds per batch, per-sample vs per-batch draws, rounds interleaved."""
    deg = degsdk.create("realesrgan")
    sides: dict[str, Callable[[torch.Tensor, int], Any]] = {
        "per-sample draws (degsdk)": lambda x, r: deg(
            x, seed=0, indices=range(r * batch, (r + 1) * batch)),
        "per-batch draws (BasicSR's way)": lambda x, r: per_batch(deg, x, r)}
    spent = dict.fromkeys(sides, 0.0)
    with torch.no_grad():
        for fn in sides.values():
            fn(hr[:batch], 0)
        for r in range(rounds):
            x = hr[(r % 4) * batch : (r % 4 + 1) * batch]
            for name, fn in sides.items():
                t = time.perf_counter()
                fn(x, r)
                spent[name] += time.perf_counter() - t
    return {k: v / rounds for k, v in spent.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=12)
    args = ap.parse_args()
    hr = load_crops(4 * args.batch, seed=1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; batch "
          f"{args.batch} of 256×256, {args.rounds} rounds\n")
    print("stage costs, 1 thread (ms per batch):")
    for k, v in stage_costs(hr, args.batch, args.rounds).items():
        print(f"  {k:45s} {1000 * v:7.1f}")
    print("\nper-sample vs per-batch draws (ms per batch, interleaved):")
    res = draws(hr, args.batch, args.rounds)
    for k, v in res.items():
        print(f"  {k:45s} {1000 * v:7.1f}  ({args.batch / v:.1f} images/s)")
    a, b = res.values()
    print(f"  per-batch / per-sample time: {b / a:.2f}")


if __name__ == "__main__":
    main()

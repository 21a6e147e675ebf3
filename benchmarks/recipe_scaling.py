"""Recipe runner scaling: throughput with 2 workers vs 1, and peak memory for 100 vs 1000
samples. Run from the repository root:

    .venv/bin/python benchmarks/recipe_scaling.py

Throughput: the same recipe (the Real-ESRGAN pipeline on 160×160 crops of the sample photos,
PNG output) made with ``run.workers`` 1 and 2; each worker runs torch with one intra-op thread,
as the runner always does; wall time of ``Recipe.run`` including worker start-up (about 3.7 s
to spawn the workers and import torch, hence the default of 1536 samples), best of
``--repeats``. Both outputs are checked to be byte-identical.

Memory: peak RSS (high-water mark of the process and its workers' largest) of a fresh process
running the recipe (``bsrgan`` on 96×96 crops) for 100 and for 1000 samples with 1 worker;
flat means the 1000-sample run needs no more memory than the 100-sample one.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def recipe(out: Path, workers: int, samples_per_image: int, size: int = 160,
           degrader: str = "realesrgan") -> dict[str, Any]:
    return {
        "version": 1, "name": "scaling", "seed": 0,
        "inputs": [{"path": str(REPO / "samples" / "hr")}],
        "crop": {"mode": "random", "size": size, "per_image": samples_per_image},
        "degrader": {"name": degrader, "params": {}},
        "output": {"dir": str(out), "preview": 0},
        "run": {"batch_size": 8, "workers": workers},
    }


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def timed_run(workers: int, per_image: int, tmp: Path) -> tuple[float, str]:
    import degsdk

    out = tmp / f"w{workers}"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    degsdk.Recipe.from_dict(recipe(out, workers, per_image)).run(progress=False)
    return time.perf_counter() - t0, digest(out)


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def _memory_child(per_image: int, out: str, q: Any) -> None:
    import degsdk

    try:
        spec = recipe(Path(out), 1, per_image, size=96, degrader="bsrgan")
        degsdk.Recipe.from_dict(spec).run(progress=False)
        q.put(_rss_kib("VmHWM"))
    except BaseException as exc:
        q.put(exc)
        raise


def peak_rss_mib(samples: int, tmp: Path) -> float:
    per_image = samples // 4  # four sample photos
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    out = tmp / f"mem{samples}"
    p = ctx.Process(target=_memory_child, args=(per_image, str(out), q))
    p.start()
    peak = q.get(timeout=600)
    p.join()
    if isinstance(peak, BaseException):
        raise peak
    shutil.rmtree(out, ignore_errors=True)
    return peak / 1024.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=1536,
                    help="samples for the throughput runs (enough to amortise worker start-up)")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    per_image = args.samples // 4
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        best: dict[int, float] = {}
        digests: dict[int, str] = {}
        for _ in range(args.repeats):
            for w in (1, 2):
                secs, dig = timed_run(w, per_image, tmp)
                best[w] = min(best.get(w, float("inf")), secs)
                digests[w] = dig
        n = per_image * 4
        print(f"throughput, {n} samples of 160x160 (realesrgan, PNG), best of {args.repeats}:")
        for w in (1, 2):
            print(f"  {w} worker(s): {best[w]:.1f} s, {n / best[w]:.1f} samples/s")
        print(f"  speed-up 2 workers / 1 worker: {best[1] / best[2]:.2f}x "
              f"(outputs byte-identical: {digests[1] == digests[2]})")
        mem = {s: peak_rss_mib(s, tmp) for s in (100, 1000)}
        print("peak RSS of a fresh process running the recipe (bsrgan, 96x96, 1 worker):")
        for s, v in mem.items():
            print(f"  {s:5d} samples: {v:.0f} MiB")
        print(f"  ratio 1000 / 100: {mem[1000] / mem[100]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

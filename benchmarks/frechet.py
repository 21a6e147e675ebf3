"""degsdk's ``frechet_distance`` vs pytorch-fid's ``calculate_frechet_distance``, same run.

    bash benchmarks/setup_fid_env.sh
    benchmarks/.venv-fid/bin/python benchmarks/frechet.py

For D ∈ {64, 256, 2048} and N = 200 features per set (random Gaussians with a random
covariance): both values, their relative difference, the time of each (median of repeats, each
side timed in its own block after an untimed warm-up;
pytorch-fid's time includes its mean/covariance computation, as ours does) and the speed ratio.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from degsdk.metrics import frechet_distance


def main() -> int:
    from pytorch_fid.fid_score import calculate_frechet_distance

    def theirs(a: np.ndarray, b: np.ndarray) -> float:
        mu1, mu2 = a.mean(0), b.mean(0)
        s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
        return float(calculate_frechet_distance(mu1, s1, mu2, s2))

    rng = np.random.default_rng(0)
    n = 200
    print(f"N = {n} features per set; median time of repeats")
    print(f"{'D':>6} {'degsdk':>14} {'pytorch-fid':>14} {'rel diff':>10} "
          f"{'degsdk ms':>10} {'fid ms':>10} {'speed-up':>9}")
    for d in (64, 256, 2048):
        a = rng.normal(size=(n, d))
        b = rng.normal(0.1, 1.0, size=(n, d)) @ rng.normal(size=(d, d)) / np.sqrt(d)
        reps = 5 if d < 2048 else 3
        t_ours, t_fid = [], []
        # Each side in its own block after an untimed warm-up: interleaving single calls lets
        # SciPy's spinning BLAS threads slow down whichever call comes next.
        frechet_distance(a, b)
        for _ in range(reps):
            t0 = time.perf_counter()
            v_ours = frechet_distance(a, b)
            t_ours.append(time.perf_counter() - t0)
        theirs(a, b) if d < 2048 else None
        for _ in range(reps):
            t0 = time.perf_counter()
            v_fid = theirs(a, b)
            t_fid.append(time.perf_counter() - t0)
        mo, mf = statistics.median(t_ours), statistics.median(t_fid)
        print(f"{d:>6} {v_ours:>14.6f} {v_fid:>14.6f} {abs(v_ours - v_fid) / abs(v_fid):>10.1e} "
              f"{mo * 1e3:>10.1f} {mf * 1e3:>10.1f} {mf / mo:>8.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

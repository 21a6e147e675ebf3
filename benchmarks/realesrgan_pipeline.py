"""degsdk ``realesrgan`` (+ ``usm`` on the HR) vs BasicSR 1.4.2 / Real-ESRGAN 0.3.0, side by side.

Run (sets up its own environment once; needs network access to the package index):

    bash benchmarks/setup_basicsr_env.sh
    benchmarks/.venv-basicsr/bin/python benchmarks/realesrgan_pipeline.py

Both sides degrade the same batches of 16 real 256×256 HR crops on the CPU with Real-ESRNet
x4plus options. BasicSR runs its own code: per-image kernel generation as in
``RealESRGANDataset.__getitem__`` (``random_mixed_kernels``, ``circular_lowpass_kernel``) and
``RealESRNetModel.feed_data`` itself, called on a stand-in model object that holds CPU
``USMSharp``/``DiffJPEG`` instead of the hard-coded ``.cuda()`` ones (the training-pair queue is
a no-op; ``filter2D`` gets a contiguous input, working around a CPU-only ``view`` error).

Three measurements: the whole pipeline (USM on the HR + degradation), the degradation stages
alone, and the degradation stages with BasicSR's dataset-side kernel generation left out of its
timing (degsdk builds its kernels inside its timing in every case). Timings interleave the two
sides batch by batch and report images over total time; peak memory is each side's RSS
high-water mark in a fresh child process above its resident size once warmed up (the mark is
reset through /proc/self/clear_refs).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
SHARED_HR = REPO.parent / "shared" / "data" / "hr"
X4PLUS: dict[str, Any] = {
    "scale": 4, "gt_usm": True, "gt_size": 256, "queue_size": 180,
    "resize_prob": [0.2, 0.7, 0.1], "resize_range": [0.15, 1.5], "gaussian_noise_prob": 0.5,
    "noise_range": [1, 30], "poisson_scale_range": [0.05, 3], "gray_noise_prob": 0.4,
    "jpeg_range": [30, 95], "second_blur_prob": 0.8, "resize_prob2": [0.3, 0.4, 0.3],
    "resize_range2": [0.3, 1.2], "gaussian_noise_prob2": 0.5, "noise_range2": [1, 25],
    "poisson_scale_range2": [0.05, 2.5], "gray_noise_prob2": 0.4, "jpeg_range2": [30, 95],
}
KERNEL_LIST = ["iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso",
               "plateau_aniso"]
KERNEL_PROB = [0.45, 0.25, 0.12, 0.03, 0.12, 0.03]


def load_crops(n: int, size: int = 256, seed: int = 0) -> torch.Tensor:
    """``n`` random size×size crops of real HR photos (shared data, else the repo samples)."""
    from degsdk.io import list_images, read_image

    folder = SHARED_HR if SHARED_HR.is_dir() else REPO / "samples" / "hr"
    files = list_images([folder], recursive=True)
    images = [read_image(f) for f in files]
    images = [im for im in images if min(im.shape[-2:]) >= size]
    rng = np.random.default_rng(seed)
    crops = []
    for _ in range(n):
        im = images[int(rng.integers(len(images)))]
        t = int(rng.integers(im.shape[1] - size + 1))
        left = int(rng.integers(im.shape[2] - size + 1))
        crops.append(im[:, t : t + size, left : left + size])
    return torch.stack(crops).contiguous()


# --------------------------------------------------------------------------- BasicSR side
class BasicSRPipeline:
    """Real-ESRGAN's reference code, driven as its dataset + model would drive it."""

    def __init__(self, usm: bool) -> None:
        import realesrgan.models.realesrnet_model as rm
        from basicsr.data.degradations import circular_lowpass_kernel, random_mixed_kernels
        from basicsr.utils import DiffJPEG, USMSharp, img_process_util

        def filter2d_contiguous(img: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
            return img_process_util.filter2D(img.contiguous(), kernel.contiguous())

        rm.filter2D = filter2d_contiguous  # the benchmark's CPU workaround, not degsdk's
        self._feed = rm.RealESRNetModel.feed_data
        self._mixed, self._sinc = random_mixed_kernels, circular_lowpass_kernel
        opt = dict(X4PLUS, gt_usm=usm)
        self.model = SimpleNamespace(
            is_train=True, opt=opt, device=torch.device("cpu"),
            usm_sharpener=USMSharp(), jpeger=DiffJPEG(differentiable=False),
            _dequeue_and_enqueue=lambda: None,
        )
        self.pulse = torch.zeros(21, 21)
        self.pulse[10, 10] = 1

    def _kernels(self, sigma: tuple[float, float]) -> np.ndarray:
        size = random.choice([2 * v + 1 for v in range(3, 11)])
        if np.random.uniform() < 0.1:
            omega = np.random.uniform(np.pi / 3 if size < 13 else np.pi / 5, np.pi)
            k = self._sinc(omega, size, pad_to=False)
        else:
            k = self._mixed(KERNEL_LIST, KERNEL_PROB, size, sigma, sigma, [-math.pi, math.pi],
                            [0.5, 4], [1, 2], noise_range=None)
        p = (21 - size) // 2
        return np.pad(k, ((p, p), (p, p)))

    def __call__(self, hr: torch.Tensor) -> torch.Tensor:
        return self.feed(self.make_data(hr))

    def make_data(self, hr: torch.Tensor) -> dict[str, torch.Tensor]:
        """What the DataLoader delivers: the GT and per-image kernels."""
        k1, k2, sinc = [], [], []
        for _ in range(hr.shape[0]):  # RealESRGANDataset.__getitem__, per image
            k1.append(torch.FloatTensor(self._kernels((0.2, 3))))
            k2.append(torch.FloatTensor(self._kernels((0.2, 1.5))))
            if np.random.uniform() < 0.8:
                size = random.choice([2 * v + 1 for v in range(3, 11)])
                sinc.append(torch.FloatTensor(
                    self._sinc(np.random.uniform(np.pi / 3, np.pi), size, pad_to=21)))
            else:
                sinc.append(self.pulse)
        return {"gt": hr, "kernel1": torch.stack(k1), "kernel2": torch.stack(k2),
                "sinc_kernel": torch.stack(sinc)}

    def feed(self, data: dict[str, torch.Tensor]) -> torch.Tensor:
        """``RealESRNetModel.feed_data`` on that batch."""
        with torch.no_grad():
            self._feed(self.model, data)
        return self.model.lq


# ---------------------------------------------------------------------------- degsdk side
class DegsdkPipeline:
    def __init__(self, usm: bool) -> None:
        import degsdk

        self.usm = degsdk.create("usm") if usm else None
        self.deg = degsdk.create("realesrgan")
        self.batch = 0

    def __call__(self, hr: torch.Tensor) -> torch.Tensor:
        self.batch += 1
        idx = range(self.batch * hr.shape[0], (self.batch + 1) * hr.shape[0])
        with torch.no_grad():
            if self.usm is not None:
                hr = self.usm(hr, seed=0).lr
            return self.deg(hr, seed=0, indices=idx).lr


SIDES = {"basicsr": BasicSRPipeline, "degsdk": DegsdkPipeline}


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _peak_rss_child(side: str, usm: bool, hr: torch.Tensor, batch: int, batches: int,
                    q: Any) -> None:
    pipe = SIDES[side](usm)
    pipe(hr[:batch])  # warm-up: lazy allocations, thread pools
    Path("/proc/self/clear_refs").write_text("5")  # reset the RSS high-water mark (Linux)
    base = _rss_kib("VmRSS")
    for b in range(batches):
        pipe(hr[(b % 2) * batch : (b % 2 + 1) * batch])
    q.put((base, _rss_kib("VmHWM")))


def peak_memory_mib(side: str, usm: bool, hr: torch.Tensor, batch: int,
                    batches: int = 3) -> float:
    """Peak RSS growth (MiB) of a fresh process while ``side`` degrades a few batches, above
    its resident size once set up and warmed up."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_peak_rss_child, args=(side, usm, hr, batch, batches, q))
    p.start()
    base, peak = q.get()
    p.join()
    return (peak - base) / 1024.0


def throughput(usm: bool, batch: int, rounds: int,
               basicsr_kernels_untimed: bool = False) -> dict[str, list[float]]:
    """Seconds per round (``batch`` images) for each side, rounds interleaved. With
    ``basicsr_kernels_untimed``, BasicSR's dataset-side kernel generation happens outside the
    timed region (degsdk still builds its kernels inside)."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)  # BasicSR draws from the global RNGs; degsdk ignores them
    hr_all = load_crops(batch * rounds, seed=1)
    pipes = {name: cls(usm) for name, cls in SIDES.items()}
    for pipe in pipes.values():  # warm-up
        pipe(hr_all[:batch])
    rates: dict[str, list[float]] = {name: [] for name in pipes}  # seconds per round
    for r in range(rounds):
        hr = hr_all[r * batch : (r + 1) * batch]
        for name, pipe in pipes.items():
            if basicsr_kernels_untimed and name == "basicsr":
                data = pipe.make_data(hr)
                t0 = time.perf_counter()
                lq = pipe.feed(data)
                rates[name].append(time.perf_counter() - t0)
                continue
            t0 = time.perf_counter()
            lq = pipe(hr)
            rates[name].append(time.perf_counter() - t0)
            assert lq.shape == (batch, 3, 64, 64), (name, lq.shape)
    return rates


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=24)
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    import basicsr

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, basicsr "
          f"{basicsr.__version__}; batch {args.batch} of 256×256, {args.rounds} rounds")
    cases = (("whole pipeline (USM on HR + degradation)", True, False),
             ("degradation stages alone", False, False),
             ("degradation stages alone, BasicSR's kernel generation not timed", False, True))
    for label, usm, untimed in cases:
        secs = throughput(usm, args.batch, args.rounds, basicsr_kernels_untimed=untimed)
        # Images over total time (a training run's average speed); per-round rates shown too.
        rate = {k: args.batch * len(v) / sum(v) for k, v in secs.items()}
        print(f"\n{label}:")
        for k, v in rate.items():
            rounds = ", ".join(f"{args.batch / x:.0f}" for x in secs[k])
            print(f"  {k:8s} {v:7.1f} images/s  (per round: {rounds})")
        print(f"  speed-up degsdk / basicsr: {rate['degsdk'] / rate['basicsr']:.2f}x")
        if not args.skip_memory and not untimed:
            hr = load_crops(args.batch * 2, seed=2)
            mem = {k: peak_memory_mib(k, usm, hr, args.batch) for k in SIDES}
            print(f"  peak memory (RSS growth): basicsr {mem['basicsr']:.0f} MiB, degsdk "
                  f"{mem['degsdk']:.0f} MiB, ratio {mem['degsdk'] / max(mem['basicsr'], 1):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

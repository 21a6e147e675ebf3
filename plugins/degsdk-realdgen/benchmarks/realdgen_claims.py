"""RealDGen's claims in miniature (issue checks a–e) and its generation time.

    .venv/bin/python plugins/degsdk-realdgen/benchmarks/realdgen_claims.py --part a
    .venv/bin/python plugins/degsdk-realdgen/benchmarks/realdgen_claims.py --part b \
        --ablation MODEL_WITHOUT_EDEG
    .venv/bin/python plugins/degsdk-realdgen/benchmarks/realdgen_claims.py --part d
    .venv/bin/python plugins/degsdk-realdgen/benchmarks/realdgen_claims.py --part speed

a. E_deg reads degradations, not content: degradation grids (4 held-out Kodak24 HR crops ×
   4 unseen ``realesrgan`` draws, each draw replayed on every crop) — for every anchor and
   i = 1..3, is d(anchor, positive_i) < d(anchor, negative_i)? Goal ≥ 90 %. The same count
   with ``degradation_stats`` (standardised) for comparison.
b. The reference controls the output: two synthetic cameras, A (strong blur, almost no noise)
   and B (sharp, strong noise, JPEG). Each "captures" its real LR from its own HR photos; 4 of
   them are the references. From the same held-out HR crops (Kodak24), LR are generated with
   reference A and with reference B; each set's distance to camera A's and B's real LR
   (Fréchet on ``realdgen_degradation`` and ``degradation_stats`` patch features, HF-KL), and
   the distance of the ``realesrgan`` start D(HR).
c. Filtering (Table 6): the same with K = 4 and K = 1.
e. Ablation (Table 4): (b) with a DDPM trained without E_deg in its condition (``--ablation``).
d. T trade-off (Table 3): T ∈ {200, 300, 400, 500} with reference A: realism (Fréchet and
   HF-KL to camera A) and fidelity (PSNR of the LR against the HR's bicubic ↓4); and the
   realism cost of the fast sampler (DDIM with 25 and 10 steps from T = 300), K = 1 throughout.
speed: 256² HR → 64² LR, DDPM (T = 300) and DDIM (25 steps), K = 1 and 4, alone and batched ×8.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

import degsdk
from degsdk.evaluation import patch_features
from degsdk.metrics import frechet_distance, hf_kl, psnr

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
CAMERA_A = {"name": "sequential", "params": {"ops": [
    {"name": "gaussian_blur", "params": {"sigma": 3.2}},
    {"name": "bicubic", "params": {"scale": 4}},
    {"name": "gaussian_noise", "params": {"sigma": 1.0}},
    {"name": "jpeg", "params": {"quality": 95}}]}}
CAMERA_B = {"name": "sequential", "params": {"ops": [
    {"name": "bicubic", "params": {"scale": 4}},
    {"name": "gaussian_noise", "params": {"sigma": 18.0}},
    {"name": "jpeg", "params": {"quality": 60}}]}}
PATCH = 16


def crops(sets: list[str], n: int, side: int, seed: int) -> Tensor:
    """n random side² crops of the photos of ``sets`` (one per photo, round robin)."""
    files = degsdk.list_images([DATA / "hr" / s for s in sets])
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(n):
        img = degsdk.read_image(files[i % len(files)])
        h, w = img.shape[-2:]
        t = int(torch.randint(0, h - side + 1, (1,), generator=g))
        s = int(torch.randint(0, w - side + 1, (1,), generator=g))
        out.append(img[:, t : t + side, s : s + side])
    return torch.stack(out)


def load(ref: str, **kw: Any) -> degsdk.Degrader:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return degsdk.load(ref, **kw)


def part_a(weights: str) -> int:
    from degsdk_realdgen.losses import degradation_grid, grid_triplets

    deg_ext = degsdk.create_extractor("realdgen_degradation", weights=weights)
    stats = degsdk.create_extractor("degradation_stats")
    d = degsdk.create("realesrgan", scale=4)
    groups = 30
    hr = crops(["kodak24"], groups * 4, 160, seed=7).view(groups, 4, 3, 160, 160)
    with torch.no_grad():
        lr = degradation_grid(d, hr, torch.Generator().manual_seed(12345))
        flat = lr.flatten(0, 2)
        feats = {"realdgen_degradation": deg_ext(flat),
                 "degradation_stats": stats(flat)}
    feats["degradation_stats"] = (feats["degradation_stats"] - feats["degradation_stats"].mean(0)
                                  ) / feats["degradation_stats"].std(0).clamp(min=1e-8)
    ok = True
    for name, v in feats.items():
        a, p, n = grid_triplets(v.view(groups, 4, 4, -1))
        dp = (a[:, None] - p).norm(dim=-1)
        dn = (a[:, None] - n).norm(dim=-1)
        frac = float((dp < dn).float().mean())
        print(f"[a] {name}: d(anchor, positive) < d(anchor, negative) for {100 * frac:.1f} % "
              f"of {dp.numel()} triplets ({groups * 16} LR of 40², held-out Kodak24, unseen "
              "draws)")
        if name == "realdgen_degradation":
            ok = frac >= 0.9
    print(f"[a] goal ≥ 90 %: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def _camera_sets(n_real: int = 24) -> dict[str, Tensor]:
    """Each camera's real LR: camera A from Urban100 crops, B from BSD100 crops."""
    out = {}
    for name, cfg, sets, seed in (("A", CAMERA_A, ["urban100"], 1), ("B", CAMERA_B, ["bsd100"], 2)):
        hr = crops(sets, n_real, 192, seed)
        out[name] = degsdk.from_config(cfg)(hr, seed=seed).lr
    return out


def _distances(lr: Tensor, real: dict[str, Tensor], exts: dict[str, Any]) -> dict[str, float]:
    out = {}
    for cam, ref in real.items():
        for ename, ext in exts.items():
            with torch.no_grad():
                fa = patch_features(ext, list(lr), PATCH)
                fb = patch_features(ext, list(ref), PATCH)
            out[f"{ename}→{cam}"] = frechet_distance(fa, fb)
        out[f"hf_kl→{cam}"] = hf_kl(ref, lr)
    return out


def _write_refs(real: dict[str, Tensor], root: Path) -> dict[str, Path]:
    out = {}
    for cam, lr in real.items():
        for i in range(4):
            degsdk.write_image(root / cam / f"{i}.png", lr[i])
        out[cam] = root / cam
    return out


def part_b(weights: str, ablation: str | None, n: int, out: Path) -> int:
    real = _camera_sets()
    refs = _write_refs(real, out / "refs")
    held = {cam: lr[4:] for cam, lr in real.items()}  # not the references
    exts = {"realdgen_degradation": degsdk.create_extractor("realdgen_degradation",
                                                            weights=weights),
            "degradation_stats": degsdk.create_extractor("degradation_stats")}
    hr = crops(["kodak24"], n, 192, seed=3)
    rows: list[tuple[str, dict[str, float]]] = []
    start = degsdk.create("realesrgan", scale=4)(hr, seed=0).lr
    rows.append(("realesrgan start D(HR)", _distances(start, held, exts)))
    runs = [("K=4", weights, 4), ("K=1", weights, 1)]
    if ablation:
        runs.append(("no E_deg, K=1", ablation, 1))
    verdict = {}
    for label, model_ref, k in runs:
        for cam in ("A", "B"):
            t0 = time.perf_counter()
            m = load(model_ref, references=str(refs[cam]), candidates=k)
            with torch.no_grad():
                lr = m(hr, seed=0).lr
            d = _distances(lr, held, exts)
            rows.append((f"{label}, reference {cam}", d))
            print(f"[b] {label} reference {cam}: {time.perf_counter() - t0:.0f} s", flush=True)
            degsdk.write_image(out / f"{label}_{cam}.png".replace(" ", "_").replace(",", ""),
                               torch.cat(list(lr[:4]), dim=-1))
            other = "B" if cam == "A" else "A"
            verdict[(label, cam)] = {m_: d[f"{m_}→{cam}"] < d[f"{m_}→{other}"]
                                     for m_ in ("realdgen_degradation", "degradation_stats",
                                                "hf_kl")}
            verdict[(label, cam)]["closer than start"] = all(
                d[f"{m_}→{cam}"] < rows[0][1][f"{m_}→{cam}"]
                for m_ in ("realdgen_degradation", "degradation_stats", "hf_kl"))
    keys = list(rows[0][1])
    print("[b] generated set | " + " | ".join(keys))
    for label, d in rows:
        print(f"[b] {label} | " + " | ".join(f"{d[k]:.4g}" for k in keys))
    for (label, cam), v in verdict.items():
        print(f"[b] {label}, reference {cam}: closer to camera {cam} than to the other on "
              + ", ".join(f"{k} {'yes' if ok else 'no'}" for k, ok in v.items()))
    return 0


def part_d(weights: str, n: int) -> int:
    real = _camera_sets()
    refs = _write_refs(real, Path("/tmp/realdgen-bench-refs"))
    held = {"A": real["A"][4:]}
    exts = {"realdgen_degradation": degsdk.create_extractor("realdgen_degradation",
                                                            weights=weights),
            "degradation_stats": degsdk.create_extractor("degradation_stats")}
    hr = crops(["kodak24"], n, 192, seed=3)
    bic = degsdk.create("bicubic", scale=4)(hr, seed=0).lr
    print("[d] sampler | T | Fréchet realdgen_degradation → A | Fréchet degradation_stats → A "
          "| HF-KL → A | LR PSNR vs bicubic ↓4 (dB) | s per image")
    runs = [("ddpm", t, 0) for t in (200, 300, 400, 500)] + [("ddim", 300, 25),
                                                             ("ddim", 300, 10)]
    for sampler, t, steps in runs:
        m = load(weights, references=str(refs["A"]), candidates=1, T=t, sampler=sampler,
                 ddim_steps=max(steps, 1))
        t0 = time.perf_counter()
        with torch.no_grad():
            lr = m(hr, seed=0).lr
        sec = (time.perf_counter() - t0) / n
        d = _distances(lr, held, exts)
        label = sampler if sampler == "ddpm" else f"ddim {steps}"
        print(f"[d] {label} | {t} | {d['realdgen_degradation→A']:.4g} | "
              f"{d['degradation_stats→A']:.4g} | {d['hf_kl→A']:.4g} | {psnr(lr, bic):.2f} | "
              f"{sec:.2f}", flush=True)
    return 0


def part_speed(weights: str) -> int:
    hr = crops(["kodak24"], 8, 256, seed=5)
    print(f"[speed] {torch.get_num_threads()} threads, 256² HR → 64² LR, seconds per image")
    for sampler, k in (("ddpm", 1), ("ddim", 1), ("ddpm", 4), ("ddim", 4)):
        m = load(weights, sampler=sampler, candidates=k)
        with torch.no_grad():
            t0 = time.perf_counter()
            m(hr[:1], seed=0)
            alone = time.perf_counter() - t0
            t0 = time.perf_counter()
            m(hr, seed=0)
            batched = (time.perf_counter() - t0) / 8
        print(f"[speed] {sampler} K={k}: alone {alone:.2f} s, batched ×8 {batched:.2f} s",
              flush=True)
    return 0


def main() -> int:
    if not DATA.is_dir():
        print(f"needs the real data in {DATA}", file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=("a", "b", "d", "speed"), required=True)
    ap.add_argument("--weights", default="realdgen/x4")
    ap.add_argument("--ablation", help="a model trained with --no-degradation (part b)")
    ap.add_argument("--n", type=int, default=16, help="HR crops generated from (parts b, d)")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--out", type=Path, default=Path("outputs/bench-realdgen"))
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.part == "a":
        return part_a(args.weights)
    if args.part == "b":
        return part_b(args.weights, args.ablation, args.n, args.out)
    if args.part == "d":
        return part_d(args.weights, args.n)
    return part_speed(args.weights)


if __name__ == "__main__":
    sys.exit(main())

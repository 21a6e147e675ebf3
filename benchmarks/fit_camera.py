"""``degsdk fit`` on (a) a synthetic camera with known truth and (b) the real City100 iPhone X
pairs: does the recipe it picks train a better SR model than Real-ESRGAN's pipeline and than
bicubic at the fitted level, by more than the seed spread?

    .venv/bin/python benchmarks/fit_camera.py --part a --budget 12m
    .venv/bin/python benchmarks/fit_camera.py --part b --budget 30m

(a) The truth is the ``camera`` degrader (level 2, ×2, read noise σ 2, shot noise, no JPEG).
    Its "photos" are made from other content than the clean HR: 4 Kodak crops as aligned
    pairs, 15 Urban100 photos as unpaired real LR, 3 other Kodak crops as test pairs. The
    clean HR are the 20 BSD100 photos. The same camera also captured the 4 pair scenes and 3
    more Kodak crops at zoom levels 1.5 and 3 (aligned, ×1): ``--levels`` for InterFlow. The
    true camera is scored beside the fitted methods as a reference (``baseline-truth``), with
    Real-ESRGAN.
(b) ``../shared/data/paired/city100_iphonex``: 9 aligned ×1 pairs. Scenes 073, 085 and 097
    are the test pairs; the other 6 are the pairs and (their LR) the unpaired real LR. The
    clean HR are Urban100, DIV2K and Kodak (28 photos).

Prints the report's ranking, the checks (PASS/FAIL) and where the report is. Needs
``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import torch

import degsdk
from degsdk.fit import fit

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
LEVELS_A = (1.5, 3.0)  # zoom levels the camera also captured, for InterFlow (part a)
TRUTH = {"name": "camera", "params": {"level": 2.0, "scale": 2, "read": 2.0, "shot": 0.0005,
                                      "jpeg": None}}


def _centre(x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    if x.shape[-2] > x.shape[-1]:
        h, w = w, h
    t, s = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2
    return x[:, t : t + h, s : s + w]


def _link_all(files: list[Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        (folder / f.name).symlink_to(f.resolve())


def synthetic(root: Path) -> dict[str, Any]:
    """Data for part (a) under ``root``."""
    truth = degsdk.from_config(TRUTH)
    kodak = sorted((SHARED / "hr" / "kodak24").glob("*.png"))
    groups = {"pairs": kodak[:4], "test": kodak[4:7]}
    for name, files in groups.items():
        for i, f in enumerate(files):
            hr = _centre(degsdk.read_image(f), 256, 384)
            lr = truth(hr[None], seed=11 if name == "pairs" else 12, indices=[i]).lr[0]
            degsdk.write_image(root / name / "hr" / f"{f.stem}.png", hr)
            degsdk.write_image(root / name / "lr" / f"{f.stem}.png", lr)
    for i, f in enumerate(sorted((SHARED / "hr" / "urban100").glob("*.png"))):
        hr = degsdk.read_image(f)
        hr = hr[:, : hr.shape[-2] // 2 * 2, : hr.shape[-1] // 2 * 2]
        degsdk.write_image(root / "real_lr" / f"{f.stem}.png",
                           truth(hr[None], seed=13, indices=[i]).lr[0])
    _link_all(sorted((SHARED / "hr" / "bsd100").glob("*.png")), root / "clean")
    for level in LEVELS_A:
        cam = degsdk.from_config({"name": "camera", "params": {
            **TRUTH["params"], "level": level, "scale": 1}})
        for i, f in enumerate(kodak[:4] + kodak[7:10]):
            hr = _centre(degsdk.read_image(f), 256, 384)
            lr = cam(hr[None], seed=14, indices=[i]).lr[0]
            degsdk.write_image(root / f"level{level:g}" / "hr" / f"{f.stem}.png", hr)
            degsdk.write_image(root / f"level{level:g}" / "lr" / f"{f.stem}.png", lr)
    (root / "truth.json").write_text(json.dumps(TRUTH))
    return {"real_lr": root / "real_lr", "clean_hr": root / "clean", "pairs": root / "pairs",
            "test": root / "test",
            "levels": [f"{lv:g}={root / f'level{lv:g}'}" for lv in LEVELS_A]}


def city100(root: Path) -> dict[str, Any]:
    """Data for part (b) under ``root``."""
    src = SHARED / "paired" / "city100_iphonex"
    test = {"073", "085", "097"}
    for f in sorted((src / "hr").glob("*.png")):
        side = "test" if f.stem in test else "pairs"
        _link_all([f], root / side / "hr")
        _link_all([src / "lr" / f.name], root / side / "lr")
        if side == "pairs":
            _link_all([src / "lr" / f.name], root / "real_lr")
    clean = [f for s in ("urban100", "div2k_valid", "kodak24")
             for f in sorted((SHARED / "hr" / s).glob("*.png"))]
    _link_all(clean, root / "clean")
    return {"real_lr": root / "real_lr", "clean_hr": root / "clean", "pairs": root / "pairs",
            "test": root / "test"}


def _check(name: str, ok: bool, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=("a", "b"), required=True)
    ap.add_argument("--budget", default="30m")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sr-steps", type=int, default=600)
    ap.add_argument("--methods", nargs="*", default=[], help="default: every method")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--out", type=Path, help="default: outputs/bench-fit-<part>")
    ap.add_argument("--resume", action="store_true", help="continue an interrupted run")
    args = ap.parse_args()
    if not SHARED.is_dir():
        print(f"needs {SHARED}", file=sys.stderr)
        return 2
    out = args.out or REPO / "outputs" / f"bench-fit-{args.part}"
    data_root = out.with_name(out.name + "-data")
    shutil.rmtree(data_root, ignore_errors=True)
    data = synthetic(data_root) if args.part == "a" else city100(data_root)
    baselines = ["realesrgan"] + ([f"truth={data_root / 'truth.json'}"]
                                  if args.part == "a" else [])
    report = fit(**data, out=out, budget=args.budget, repeats=args.repeats, methods=args.methods,
                 **{"sr.steps": args.sr_steps}, baselines=baselines, overwrite=not args.resume,
                 resume=args.resume,
                 threads=args.threads).to_json()
    c = report["candidates"]
    print(f"\nranking ({report['criterion']}), {report['seconds']:.0f} s:")
    for lbl in report["ranking"]:
        s = c[lbl]["summary"]
        sr = s["sr_psnr"]
        print(f"  {lbl:22s} SR {sr['mean']:.3f} [{sr['min']:.3f}, {sr['max']:.3f}]  "
              f"Fréchet {s['frechet']['degradation_stats']['mean']:.4f}  "
              f"HF-KL {s['hf_kl']['mean']:.4f}")
    for name, m in report["methods"].items():
        print(f"  {name}: {m.get('failed') or m.get('notes')} ({m['seconds']:.0f} s of "
              f"{m['budget_s']:.0f})")
    pairs = report.get("real_pairs") or {}
    if pairs.get("sr_psnr"):
        r = pairs["sr_psnr"]
        print(f"  {'your real pairs':22s} SR {r['mean']:.3f} [{r['min']:.3f}, {r['max']:.3f}]"
              f"  (SR trained on the {pairs['pairs']} fitting pairs themselves)")
    if report.get("no_training_sr") is not None:
        print(f"  {'no training':22s} SR {report['no_training_sr']:.3f}")
    print(f"verdict: {report.get('verdict')}")
    print("\nscoring time per candidate (probed full protocol / given / planned / used, s):")
    print("  | candidate | probed | given | planned | used | note |")
    print("  |---|---|---|---|---|---|")
    for lbl, p in report.get("scoring", {}).items():
        note = "; ".join(x for x in (c.get(lbl, {}).get("reduced", ""),
                                     c.get(lbl, {}).get("cut", ""),
                                     report.get("not_scored", {}).get(lbl, "")) if x)
        print(f"  | {lbl} | {p['probe_s']:.0f} | {p['given_s']:.0f} | "
              f"{p.get('planned_s', 0):.0f} | {p.get('used_s', float('nan')):.0f} | {note} |")
    total = report["budget"]["total_s"]
    print(f"\nthe whole run: {report['seconds']:.0f} s of the {total:.0f} s budget "
          f"({100 * report['seconds'] / total:.0f} %)")
    print("\nplanned / used time per method:")
    print("  | method | planned (s) | used (s) | used | under its share because |")
    print("  |---|---|---|---|---|")
    for name, t in report["time"].items():
        print(f"  | {name} | {t['planned_s']:.0f} | {t['used_s']:.0f} | "
              f"{100 * t['used_s'] / t['planned_s']:.0f} % | {t.get('under_budget', '')} |")
    best = report["best"]
    b = c[best]["summary"]["sr_psnr"]
    ok = _check("the run ends within 10 % of its budget", report["seconds"] <= 1.1 * total,
                f"{report['seconds']:.0f} s of {total:.0f} s")
    for ref in ("baseline-realesrgan", "bicubic"):
        if ref == best or ref not in c:
            ok &= _check(f"best beats {ref}", False, f"{best} is {ref}")
            continue
        r = c[ref]["summary"]["sr_psnr"]
        ok &= _check(f"best ({best}) beats {ref} beyond the seed spread", b["min"] > r["max"],
                     f"{b['mean']:.3f} [{b['min']:.3f}, {b['max']:.3f}] vs {r['mean']:.3f} "
                     f"[{r['min']:.3f}, {r['max']:.3f}]")
    if "interflow" in c and report.get("no_training_sr") is not None:
        i = c["interflow"]["summary"]["sr_psnr"]
        ok &= _check("InterFlow trains SR above no training", i["mean"] > report["no_training_sr"],
                     f"{i['mean']:.3f} [{i['min']:.3f}, {i['max']:.3f}] vs "
                     f"{report['no_training_sr']:.3f}")
    if "baseline-truth" in c:
        t = c["baseline-truth"]["summary"]["sr_psnr"]
        ok &= _check("best ties or beats the true camera", b["max"] >= t["min"],
                     f"{b['mean']:.3f} vs truth {t['mean']:.3f} [{t['min']:.3f}, "
                     f"{t['max']:.3f}]")
        fitted = report["methods"]["camera"].get("fitted", {})
        psf = fitted.get("psf", {})
        print(f"fitted camera: PSF {psf.get('sigma_x')} × {psf.get('sigma_y')} px, noise "
              f"{fitted.get('noise', {}).get('space')} (truth: camera level 2.0, read σ 2.0 "
              "+ shot)")
    print(f"report: {out / 'report.md'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

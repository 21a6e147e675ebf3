"""The calibrated camera against cameras with a known truth and a real phone:

    .venv/bin/python benchmarks/calibrate_camera.py --part a --budget 35m --threads 2
    .venv/bin/python benchmarks/calibrate_camera.py --part b --budget 21m --threads 2
    .venv/bin/python benchmarks/calibrate_camera.py --part c

(a) Two synthetic cameras, written without degsdk's ops (``degsdk.testing.TruthCamera``):
    the issue's new-user camera (PIL Gaussian blur 1.2 → bicubic ×2 → white noise σ 5 → JPEG 80
    4:2:0, saved as .jpg) and a Poisson–Gaussian JPEG camera (anisotropic PSF 1.6 × 1.0 at
    0.6 rad, white balance, per-channel shot/read noise, JPEG 90 4:2:2). Their "photos": 12
    Kodak crops (256²) as aligned pairs, 12 Set14/Kodak crops as unpaired real LR, 3 other Kodak
    crops as test pairs; clean HR: Urban100 and DIV2K (18 photos). For each: the camera
    calibrated from the pairs and from the real LR alone (against 12 other Set14/Kodak crops,
    and against the Urban100/DIV2K clean HR), fitted against true parameters (the
    sensor's NLF per bin, PSF σ, JPEG); the white σ the old fitters estimated on the JPEG'd LR;
    then ``degsdk fit`` (camera, bicubic, dml, crafting; Real-ESRGAN and the true camera scored
    beside): SR trained on fit's pick against SR trained on the true camera.
(b) City100 iPhone X (``../shared/data/paired/city100_iphonex``, the setup of
    ``fit_camera.py --part b``): ``degsdk fit`` with camera, dml and bicubic; the calibrated
    camera against the pick of the earlier benchmark (DML) and Real-ESRGAN, with the spread
    over seeds; and each fitted model's LR fidelity (Y PSNR) on the test pairs.
(c) The time calibration takes: from pairs and from real LR, on part (a)'s new-user data, with
    1 and 2 torch threads.

Writes results.json, the calibration reports and pictures under --out; prints the checks
(PASS/FAIL). Needs ``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from degsdk import from_config
from degsdk.calibrate import Calibration, calibrate, edge_widths, write_calibration
from degsdk.calibrate._figure import calibration_figure
from degsdk.fit import estimate_noise_sigma, fit
from degsdk.io import read_image
from degsdk.testing import TruthCamera, decode_output, save_output

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fit_camera import city100  # a sibling script: the same City100 setup

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
IMAGES = REPO / "docs" / "images"

NEW_USER = TruthCamera(pil_blur=1.2, read=(5.0, 5.0, 5.0), jpeg=(80, "4:2:0"))
POISSON_GAUSSIAN = TruthCamera(psf=(1.6, 1.0, 0.6), gains=(1.06, 1.0, 0.94),
                               shot=(0.004, 0.003, 0.005), read=(1.5, 1.0, 2.0),
                               jpeg=(90, "4:2:2"))
CAMERAS = {"new_user": NEW_USER, "poisson_gaussian": POISSON_GAUSSIAN}


def _crops(files: list[Path], n: int, side: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        a = np.asarray(Image.open(files[i % len(files)]).convert("RGB"))
        t = int(rng.integers(0, a.shape[0] - side + 1))
        s = int(rng.integers(0, a.shape[1] - side + 1))
        out.append(np.ascontiguousarray(a[t : t + side, s : s + side]))
    return out


def synthetic_data(camera: TruthCamera, root: Path) -> dict[str, Path]:
    """Part (a)'s folders for ``camera`` under ``root``."""
    kodak = sorted((SHARED / "hr" / "kodak24").glob("*.png"))
    other = sorted((SHARED / "hr" / "set14").glob("*.png")) + kodak[7:]
    rng = np.random.default_rng(0)
    groups = {"pairs": _crops(kodak[:7], 12, 256, 1), "real_lr": _crops(other, 12, 256, 2),
              "test": _crops(kodak[7:], 3, 256, 3),
              "clean_similar": _crops(sorted((SHARED / "hr" / "set14").glob("*.png"))
                                      + kodak, 12, 256, 4)}
    for name, hrs in groups.items():
        for i, hr in enumerate(hrs):
            if name == "real_lr":
                save_output(camera(hr, rng), root / name / f"{i:02d}")
            elif name == "clean_similar":
                save_output(hr, root / name / f"{i:02d}")
            else:
                save_output(hr, root / name / "hr" / f"{i:02d}")
                save_output(camera(hr, rng), root / name / "lr" / f"{i:02d}")
    clean = root / "clean"
    clean.mkdir(parents=True, exist_ok=True)
    for f in sorted((SHARED / "hr" / "urban100").glob("*.png")) + sorted(
            (SHARED / "hr" / "div2k_valid").glob("*.png")):
        (clean / f.name).symlink_to(f.resolve())
    (root / "truth.json").write_text(json.dumps(camera.config()))
    return {"pairs": root / "pairs", "real_lr": root / "real_lr", "clean_hr": clean,
            "test": root / "test", "truth": root / "truth.json",
            "clean_similar": root / "clean_similar"}


def _check(name: str, ok: bool, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    return ok


def _sensor_errors(cal: Calibration, camera: TruthCamera) -> dict[str, Any]:
    """Per channel and measured bin: fitted sensor σ / true σ − 1."""
    f = cal.noise
    rows = {}
    for c, name in enumerate("RGB"):
        rows[name] = [(round(f.real.level[c][b], 3),
                       round(f.model_std(f.real.level[c][b], c)
                             / camera.noise_std(f.real.level[c][b], c) - 1, 4))
                      for b in range(f.real.bins) if f.real.valid(c, b)]
    worst = max(abs(e) for r in rows.values() for _, e in r)
    return {"per_bin": rows, "worst": round(worst, 4)}


def _summary(cal: Calibration) -> dict[str, Any]:
    s = cal.summary()
    return {k: s[k] for k in ("mode", "psf", "downsample", "colour", "sharpen", "noise",
                              "noise_spaces", "jpeg", "hf_kl", "seconds", "edges") if k in s}


def edge_model_check(camera: TruthCamera, clean: Path) -> dict[str, list[float]]:
    """Edge widths (LR px², per orientation) of the true camera and of its
    ``calibrated_camera`` config on the same clean photos: whether the model reproduces what
    the unpaired PSF fit measures, apart from any content difference."""
    hrs = [read_image(p) for p in sorted(clean.iterdir())]
    rng = np.random.default_rng(0)
    truth = [torch.from_numpy(decode_output(camera(
        (h.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8), rng))
        .astype(np.float32) / 255).permute(2, 0, 1) for h in hrs]
    model = from_config(camera.config())
    ours = [model(h[None], seed=0, indices=[i]).lr[0] for i, h in enumerate(hrs)]
    out = {"truth": [round(v, 3) for v in edge_widths(truth).width2],
           "model": [round(v, 3) for v in edge_widths(ours).width2]}
    print(f"edge widths on the same photos, truth {out['truth']} vs model {out['model']}")
    return out


def _sr_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for lbl in report["ranking"]:
        s = report["candidates"][lbl]["summary"]
        rows.append({"label": lbl, "sr": s["sr_psnr"], "ssim": s.get("sr_ssim"),
                     "hf_kl": s["hf_kl"]["mean"] if s.get("hf_kl") else None,
                     "frechet": s["frechet"]["degradation_stats"]["mean"]
                     if s.get("frechet") else None})
        sr = s["sr_psnr"]
        print(f"  {lbl:26s} SR {sr['mean']:.3f} [{sr['min']:.3f}, {sr['max']:.3f}]")
    return rows


def _fit(data: dict[str, Any], out: Path, methods: list[str], baselines: list[str],
         args: argparse.Namespace) -> dict[str, Any]:
    return fit(real_lr=data["real_lr"], clean_hr=data["clean_hr"], pairs=data["pairs"],
               test=data["test"], out=out, methods=methods, baselines=baselines,
               budget=args.budget, repeats=args.repeats, **{"sr.steps": args.sr_steps},
               overwrite=not args.resume, resume=args.resume, threads=args.threads).to_json()


def part_a(args: argparse.Namespace, out: Path) -> bool:
    ok, results = True, {}
    for name, camera in CAMERAS.items():
        print(f"\n== {name}")
        root = out / f"{name}-data"
        shutil.rmtree(root, ignore_errors=True)
        data = synthetic_data(camera, root)
        res: dict[str, Any] = {"truth": camera.config()}
        # real LR alone, against clean HR of the same kind of scenes (other Set14/Kodak crops)
        # and against the fit's clean HR (Urban100, DIV2K: downscaled, so sharper)
        for mode in ("pairs", "real_lr", "real_lr_urban"):
            cal = calibrate(pairs=data["pairs"]) if mode == "pairs" else calibrate(
                real_lr=data["real_lr"], scale=camera.scale,
                clean_hr=data["clean_similar" if mode == "real_lr" else "clean_hr"])
            write_calibration(cal, out / f"{name}-{mode}")
            err = _sensor_errors(cal, camera)
            res[mode] = {"fitted": _summary(cal), "sensor_nlf_error": err}
            psf = cal.params["psf"]
            sx, sy, _ = camera.psf or (camera.pil_blur, camera.pil_blur, 0.0)
            ok &= _check(f"{name} from {mode}: PSF within 10 %",
                         abs(psf["sigma_x"] / sx - 1) <= 0.1 and abs(psf["sigma_y"] / sy - 1)
                         <= 0.1, f"{psf['sigma_x']:.3f} x {psf['sigma_y']:.3f} (truth {sx} x "
                         f"{sy})")
            ok &= _check(f"{name} from {mode}: sensor NLF within 10 % in every bin",
                         err["worst"] <= 0.1, f"worst bin {100 * err['worst']:+.1f} %")
            j = cal.params["jpeg"]
            ok &= _check(f"{name} from {mode}: JPEG", abs(j["quality"] - camera.jpeg[0]) <= 3
                         and j["subsampling"] == camera.jpeg[1],
                         f"q{j['quality']} {j['subsampling']} (truth q{camera.jpeg[0]} "
                         f"{camera.jpeg[1]})")
            fig = calibration_figure(cal.noise, psf, [f"{mode}: sx {psf['sigma_x']:.2f} sy "
                                                      f"{psf['sigma_y']:.2f}"],
                                     f"{name} camera calibrated from {mode.replace('_', ' ')}"
                                     " (dots: the truth)", truth=camera.noise_std)
            fig.save(out / f"{name}-{mode}" / "nlf_truth.png")
            if mode == "pairs":
                fig.save(IMAGES / f"calibration_{name}.png")
        res["edge_model_check"] = edge_model_check(camera, data["clean_similar"])
        real = [read_image(p) for p in sorted(data["real_lr"].iterdir())]
        res["old_white_sigma"] = round(estimate_noise_sigma(real), 3)
        print(f"the old fitters' white σ on the JPEG'd LR: {res['old_white_sigma']}")
        report = _fit(data, out / f"{name}-fit", ["camera", "bicubic", "dml", "crafting"],
                      ["realesrgan", f"truth={data['truth']}"], args)
        res["fit"] = {"best": report["best"], "rows": _sr_rows(report),
                      "seconds": report["seconds"]}
        c = report["candidates"]
        best, truth = c[report["best"]]["summary"]["sr_psnr"], \
            c["baseline-truth"]["summary"]["sr_psnr"]
        ok &= _check(f"{name}: SR of fit's pick within the seed spread of the true camera's",
                     best["max"] >= truth["min"],  # ranges overlap, or better
                     f"{report['best']} {best['mean']:.3f} [{best['min']:.3f}, "
                     f"{best['max']:.3f}] vs truth {truth['mean']:.3f} [{truth['min']:.3f}, "
                     f"{truth['max']:.3f}]")
        results[name] = res
    (out / "results-a.json").write_text(json.dumps(results, indent=1, default=str))
    return ok


DML_EARLIER = {"mean": 24.82, "min": 24.78, "max": 24.85}  # docs/benchmarks.md, issue 17


def lr_fidelity(report: dict[str, Any], test: Path) -> dict[str, float]:
    """Mean Y PSNR of each fitted method's noise-free-ish LR (seed 0) against the real LR of
    the test pairs: how closely each model reproduces the camera, apart from SR."""
    from degsdk.calibrate import load_pairs
    from degsdk.metrics import psnr

    hrs, lrs, _, _ = load_pairs(test, side=4096)
    out = {}
    for name, rec in report["methods"].items():
        if "degrader" not in rec:
            continue
        deg = from_config(rec["degrader"])
        with torch.no_grad():
            vals = [float(psnr(deg(h[None], seed=0, indices=[i]).lr, lr[None], y_channel=True))
                    for i, (h, lr) in enumerate(zip(hrs, lrs, strict=True))]
        out[name] = round(sum(vals) / len(vals), 3)
    print("LR fidelity on the test pairs (Y PSNR):", out)
    return out


def part_b(args: argparse.Namespace, out: Path) -> bool:
    root = out / "city100-data"
    shutil.rmtree(root, ignore_errors=True)
    data = city100(root)  # the setup of fit_camera.py --part b
    cal = calibrate(pairs=data["pairs"])
    write_calibration(cal, out / "city100-calibration")
    report = _fit(data, out / "city100-fit", ["camera", "dml", "bicubic"], ["realesrgan"],
                  args)
    rows = _sr_rows(report)
    fidelity = lr_fidelity(report, data["test"])
    c = report["candidates"]
    cam, esr = c["camera"]["summary"]["sr_psnr"], c["baseline-realesrgan"]["summary"]["sr_psnr"]
    dml = c["dml"]["summary"]["sr_psnr"]
    ok = _check("calibrated camera beats Real-ESRGAN beyond the seed spread",
                cam["min"] > esr["max"], f"{cam['mean']:.3f} [{cam['min']:.3f}, "
                f"{cam['max']:.3f}] vs {esr['mean']:.3f} [{esr['min']:.3f}, {esr['max']:.3f}]")
    for label, ref in (("DML in this run", dml), ("DML of the earlier benchmark", DML_EARLIER)):
        ok &= _check(f"calibrated camera ties or beats {label}", cam["max"] >= ref["min"],
                     f"{cam['mean']:.3f} [{cam['min']:.3f}, {cam['max']:.3f}] vs "
                     f"{ref['mean']:.3f} [{ref['min']:.3f}, {ref['max']:.3f}]")
    (out / "results-b.json").write_text(json.dumps(
        {"calibration": _summary(cal), "best": report["best"], "rows": rows,
         "lr_fidelity_y_psnr": fidelity,
         "seconds": report["seconds"], "methods": {k: {kk: v.get(kk) for kk in (
             "seconds", "budget_s", "notes", "failed")} for k, v in report["methods"].items()}},
        indent=1, default=str))
    return ok


def part_c(args: argparse.Namespace, out: Path) -> bool:
    root = out / "timing-data"
    shutil.rmtree(root, ignore_errors=True)
    data = synthetic_data(NEW_USER, root)
    rows = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for mode in ("pairs", "real_lr"):
            t0 = time.perf_counter()
            cal = calibrate(pairs=data["pairs"]) if mode == "pairs" else calibrate(
                real_lr=data["real_lr"], clean_hr=data["clean_hr"], scale=2)
            rows[f"{mode}, {threads} thread{'s' * (threads > 1)}"] = {
                "wall_s": round(time.perf_counter() - t0, 2),
                "stages": {k: round(v, 2) for k, v in cal.seconds.items()}}
            print(f"{mode:8s} {threads} threads: {rows[list(rows)[-1]]}")
    (out / "results-c.json").write_text(json.dumps(rows, indent=1))
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=("a", "b", "c"), required=True)
    ap.add_argument("--budget", default="30m")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sr-steps", type=int, default=600)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--out", type=Path, help="default: outputs/bench-calibrate")
    ap.add_argument("--resume", action="store_true", help="continue interrupted fit runs")
    args = ap.parse_args()
    if not SHARED.is_dir():
        print(f"needs {SHARED}", file=sys.stderr)
        return 2
    out = args.out or REPO / "outputs" / "bench-calibrate"
    out.mkdir(parents=True, exist_ok=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    ok = {"a": part_a, "b": part_b, "c": part_c}[args.part](args, out)
    print(f"results under {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

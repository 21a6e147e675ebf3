"""DeFlow's claims: the noise of DeFlow samples is closer to the true noise than the best-tuned
white-noise baseline (paper Tab. 1–2's "White Noise"), on (a) a synthetic camera with known
noise and (b) the shipped real-data model against its held-out real LR images; (c) the time to
sample one 160² image.

    B=plugins/degsdk-deflow/benchmarks/deflow_claims.py
    .venv/bin/python $B prepare                                  # (a)'s data
    S=outputs/deflow-synth
    degsdk train deflow --clean $S/clean --degraded $S/degraded --out $S/model-k8 \\
        --steps 4500 --lr 2e-4 --flow-steps 8 --hidden 64           # unpaired
    degsdk train deflow --clean $S/clean --degraded $S/degraded --out $S/model-paired \\
        --steps 3000 --lr 2e-4 --pairs $S/pairs                       # + eq. 5 on the pairs
    .venv/bin/python $B a --model $S/model-k8
    .venv/bin/python $B b --model deflow/realsrset
    .venv/bin/python $B speed --model deflow/realsrset

(a) The camera: Poisson–Gaussian sensor noise (shot 0.003, read σ 2/255) followed by JPEG
    quality 90, at scale 1 — signal-dependent and, after JPEG, spatially correlated. The 49
    non-test photos (BSD100, Urban100, DIV2K, Set14) are split alternately: 25 form the clean
    domain, the camera is applied to the other 24 for the degraded domain (unpaired, the same
    content mix). Test: 10 Kodak photos (central 256² crops), clean; the
    reference is the camera applied to them (seed 1). Compared sets, each made from the test
    clean images: DeFlow samples (τ = 1) and white noise N(0, σ²) with σ tuned on a 0.5/255 grid
    to minimise each metric on the *training* degraded domain (noise added to the degraded
    domain's clean sources vs the camera's output), plus the same baseline tuned on the test
    reference itself (oracle).
(b) Real: degraded = RealSRSet's held-out images (chip, dog, oldphoto3, tiger; the model never
    saw them); clean = the 10 Kodak photos bicubic-downscaled ×2 (never seen either). White noise
    is tuned on the 16 training RealSRSet images against the training clean images.

Metrics, generated set vs reference set: HF-KL (``degsdk.metrics.hf_kl``) and the Fréchet
distance of ``degradation_stats`` features of all 32² patches. Lower is better.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from torch import Tensor

import degsdk
from degsdk.evaluation import patch_features
from degsdk.metrics import frechet_distance, hf_kl
from degsdk.ops import auto_kernel_size, gaussian_blur2d, resize

REPO = Path(__file__).resolve().parents[3]
DATA = REPO.parent / "shared" / "data"
SYNTH = REPO / "outputs" / "deflow-synth"
REAL = REPO / "outputs" / "deflow-data"
PATCH = 32
SIGMAS = [s / 2 for s in range(1, 41)]  # 0.5 … 20 on the 0–255 scale


def camera() -> degsdk.Degrader:
    return degsdk.Sequential([degsdk.create("camera_noise", shot=0.003, read=2.0),
                              degsdk.create("jpeg", quality=90)])


def _center(x: Tensor, size: int = 256) -> Tensor:
    t, s = (x.shape[-2] - size) // 2, (x.shape[-1] - size) // 2
    return x[:, t : t + size, s : s + size]


def kodak() -> list[Tensor]:
    """The 10 Kodak test photos, central 256² crops."""
    return [_center(degsdk.read_image(f)) for f in sorted((DATA / "hr" / "kodak24").glob("*.png"))]


def prepare() -> None:
    """Write (a)'s unpaired training folders (8-bit PNG, as a user would have them). Both domains
    draw on the same photo collections (every other photo of each set), so that they differ in
    the camera only, not in content."""
    hr = DATA / "hr"
    photos = [f for s in ("bsd100", "urban100", "div2k_valid", "set14")
              for f in sorted((hr / s).glob("*.png"))]
    cam = camera()
    for i, f in enumerate(photos):
        x, name = degsdk.read_image(f), f"{f.parent.name}_{f.name}"
        if i % 2 == 0:
            degsdk.write_image(SYNTH / "clean" / name, x)
        else:
            y = cam(x[None], seed=0, indices=[i]).lr[0]
            degsdk.write_image(SYNTH / "degraded" / name, y)
            degsdk.write_image(SYNTH / "degraded_source" / name, x)
    pairs = SYNTH / "pairs"  # the same pairs as an hr/ + lr/ folder, for --pairs
    pairs.mkdir(exist_ok=True)
    for sub, target in (("hr", "degraded_source"), ("lr", "degraded")):
        if not (pairs / sub).exists():
            (pairs / sub).symlink_to(Path("..") / target)
    print(f"wrote {SYNTH}/clean, degraded, degraded_source and pairs")


def _read(folder: Path) -> list[Tensor]:
    return [degsdk.read_image(f) for f in sorted(folder.iterdir())]


def _scores(ref: Sequence[Tensor], imgs: Sequence[Tensor]) -> tuple[float, float]:
    ext = degsdk.create_extractor("degradation_stats")
    fd = frechet_distance(patch_features(ext, list(ref), PATCH),
                          patch_features(ext, list(imgs), PATCH))
    return hf_kl(list(ref), list(imgs)), fd


def _white(images: Sequence[Tensor], sigma: float, seed: int) -> list[Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [(x + sigma / 255 * torch.randn(x.shape, generator=g)).clamp(0, 1).mul(255).round()
            .div(255) for x in images]


def _tune(clean: Sequence[Tensor], ref: Sequence[Tensor]) -> tuple[float, float]:
    """σ minimising HF-KL and σ minimising the Fréchet distance, noise(clean) vs ref."""
    scores = [(s, *_scores(ref, _white(clean, s, seed=0))) for s in SIGMAS]
    return min(scores, key=lambda t: t[1])[0], min(scores, key=lambda t: t[2])[0]


def _deflow(model: degsdk.Degrader, images: Sequence[Tensor], seed: int) -> list[Tensor]:
    with torch.no_grad():
        return [model(x[None], seed=seed, indices=[i]).lr[0].mul(255).round().div(255)
                for i, x in enumerate(images)]


def _blur(x: Tensor, sigma: float) -> Tensor:
    return gaussian_blur2d(x[None], torch.tensor([sigma]), auto_kernel_size(sigma))[0]


def noise_by_texture(clean: Sequence[Tensor], outs: Sequence[Tensor]) -> list[float]:
    """Std (on the 0–255 scale) of the added luma noise, mean over channels of out − clean, in
    the flat, middle and textured thirds of the clean pixels (ranked by local high-frequency
    energy, |x − blur₁(x)| smoothed by blur₂)."""
    res: list[list[Tensor]] = [[], [], []]
    for o, c in zip(outs, clean, strict=True):
        activity = _blur((c - _blur(c, 1.0)).abs().mean(0, keepdim=True), 2.0)[0].flatten()
        r = (o - c).mean(0).flatten()
        order = activity.argsort()
        for k, part in enumerate(order.tensor_split(3)):
            res[k].append(r[part])
    return [float(torch.cat(parts).std()) * 255 for parts in res]


def _report(name: str, ref: Sequence[Tensor], test_clean: Sequence[Tensor],
            model: degsdk.Degrader, train_clean: Sequence[Tensor],
            train_ref: Sequence[Tensor], aligned: bool = False) -> bool:
    s_kl, s_fd = _tune(train_clean, train_ref)
    o_kl, o_fd = _tune(test_clean, ref)
    rows: list[tuple[str, Callable[[], list[Tensor]], str]] = [
        ("DeFlow (τ = 1)", lambda: _deflow(model, test_clean, seed=3), "both"),
        (f"white noise σ={s_kl:g} (tuned on train, HF-KL)",
         lambda: _white(test_clean, s_kl, seed=3), "kl"),
        (f"white noise σ={s_fd:g} (tuned on train, Fréchet)",
         lambda: _white(test_clean, s_fd, seed=3), "fd"),
        (f"white noise σ={o_kl:g} (oracle-tuned on the reference, HF-KL)",
         lambda: _white(test_clean, o_kl, seed=3), "kl"),
        (f"white noise σ={o_fd:g} (oracle-tuned on the reference, Fréchet)",
         lambda: _white(test_clean, o_fd, seed=3), "fd"),
        ("clean input, no degradation", lambda: list(test_clean), "both"),
    ]
    print(f"{name}: generated vs reference ({len(ref)} reference images), lower is better")
    bands = "  added noise std flat / mid / textured" if aligned else ""
    print(f"  {'set':<62} {'HF-KL':>9} {'Fréchet':>9}{bands}")
    if aligned:
        print(f"  {'reference':<62} {0:9.4f} {0:9.4f}  "
              + " / ".join(f"{v:.2f}" for v in noise_by_texture(test_clean, ref)))
    results = {}
    for label, make, _ in rows:
        imgs = make()
        kl, fd = _scores(ref, imgs)
        results[label] = (kl, fd)
        extra = ("  " + " / ".join(f"{v:.2f}" for v in noise_by_texture(test_clean, imgs))
                 if aligned else "")
        print(f"  {label:<62} {kl:9.4f} {fd:9.4f}{extra}")
    d_kl, d_fd = results["DeFlow (τ = 1)"]
    tuned = [v for k, v in results.items() if "tuned on train" in k]
    ok = d_kl < min(v[0] for v in tuned) and d_fd < min(v[1] for v in tuned)
    print(f"{'PASS' if ok else 'FAIL'}: DeFlow below the train-tuned white noise on both metrics")
    return ok


def claim_a(model_ref: str) -> bool:
    model = degsdk.load(model_ref)
    test_clean = kodak()
    cam = camera()
    ref = [cam(x[None], seed=1, indices=[i]).lr[0] for i, x in enumerate(test_clean)]
    return _report("(a) synthetic camera", ref, test_clean, model,
                   _read(SYNTH / "degraded_source"), _read(SYNTH / "degraded"), aligned=True)


def claim_b(model_ref: str) -> bool:
    model = degsdk.load(model_ref)
    ref = _read(REAL / "realsr_test")
    test_clean = [resize(x[None], (x.shape[-2] // 2, x.shape[-1] // 2), "bicubic")[0]
                  for x in (_center(degsdk.read_image(f), 512) for f in
                            sorted((DATA / "hr" / "kodak24").glob("*.png")))]
    train_clean = [resize(x[None], (x.shape[-2] // 2, x.shape[-1] // 2), "bicubic")[0]
                   for x in _read(REAL / "clean_train")]
    return _report("(b) real: held-out RealSRSet", ref, test_clean, model, train_clean,
                   _read(REAL / "realsr_train"))


def speed(model_ref: str) -> None:
    x = torch.rand(1, 3, 160, 160, generator=torch.Generator().manual_seed(0))
    from degsdk_deflow import PRESETS, DeFlow

    shipped = degsdk.load(model_ref)
    paper = DeFlow(**PRESETS["paper"])
    for label, model in (("shipped (" + model_ref + ")", shipped), ("paper K=16 L=3", paper)):
        with torch.no_grad():
            model(x, seed=0)  # warm-up
            times = []
            for i in range(3):
                t = time.perf_counter()
                model(x, seed=i)
                times.append(time.perf_counter() - t)
        n = sum(p.numel() for p in model.parameters())
        print(f"  {label:<32} {sorted(times)[1] * 1000:8.0f} ms per 160² sample "
              f"({n / 1e6:.2f} M parameters, {torch.get_num_threads()} threads)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=("prepare", "a", "b", "speed"))
    ap.add_argument("--model", default="deflow/realsrset")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"needs the real data in {DATA}", file=sys.stderr)
        return 2
    if args.what == "prepare":
        prepare()
        return 0
    if args.what == "speed":
        speed(args.model)
        return 0
    return 0 if (claim_a if args.what == "a" else claim_b)(args.model) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Why a DeFlow fitted the way ``degsdk fit`` fits it (tiny preset, paired likelihood, from
scratch, a few hundred steps) makes LR far from the camera's: a probe of the trained model.

    .venv/bin/python plugins/degsdk-deflow/benchmarks/deflow_fit_probe.py \
        [--steps 300] [--threads 2] [--out /tmp/deflow_probe]

A synthetic camera (the core ``camera`` at level 2, scale 1, JPEG on) makes aligned ×1 pairs of
held-out-style photos (BSD100 for training, Kodak24 for testing). DeFlow is trained as the
fitter trains it (``train_deflow`` with ``pairs``, from scratch), then:

1. The flow: decode(encode(x)) against x (it must invert), and the output at τ = 0 (no shift).
2. The learned shift per flow level: ‖μ_u‖ and the square root of the mean diagonal of Σ_u,
   against the spread of the clean latents at that level.
3. The output at τ ∈ {0.05, 0.1, 0.25, 0.5, 1}: HF-KL to the camera's real LR of the test
   photos, the mean brightness offset and the residual std (output − clean) against the
   camera's (real LR − clean); and each level's gain: the image's change for a small latent
   change.
4. Each level's shift alone at τ = 1 (the others at 0): which level makes the damage.
5. For scale: the clean input itself, and the clean input plus white noise of the camera's
   residual std.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch import Tensor

import degsdk
from degsdk.io import list_images, read_image
from degsdk.metrics import hf_kl
from degsdk.seeding import generator_from_seed

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "hr"


def photos(source: str, n: int, side: int) -> Tensor:
    files = list_images([SHARED / source])[:n]
    return torch.stack([read_image(f)[:, :side, :side] for f in files])


def write_pairs(root: Path, hr: Tensor, lr: Tensor) -> None:
    for i, (a, b) in enumerate(zip(hr, lr, strict=True)):
        degsdk.write_image(root / "hr" / f"{i:03d}.png", a)
        degsdk.write_image(root / "lr" / f"{i:03d}.png", b)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("/tmp/deflow_probe"))
    ap.add_argument("--init", help="fine-tune from these weights (e.g. deflow/realsrset) "
                    "instead of training from scratch as the fitter does with pairs")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from degsdk_deflow.train import train_deflow

    camera = degsdk.create("camera", level=2.0, scale=1)
    train_hr, test_hr = photos("bsd100", 20, 128), photos("kodak24", 10, 128)
    train_lr = camera(train_hr, seed=1).lr
    test_lr = camera(test_hr, seed=2).lr
    write_pairs(args.out / "pairs", train_hr, train_lr)
    model = train_deflow(clean=args.out / "pairs" / "hr", degraded=args.out / "pairs" / "lr",
                         pairs=args.out / "pairs", preset="tiny", cond_down=4, patch=64,
                         steps=args.steps, out=args.out / "model", progress=False,
                         checkpoint_every=0, seed=0, init=args.init)
    model.eval()
    n = test_hr.shape[0]
    gens = [generator_from_seed(i) for i in range(n)]
    start = f"from {args.init}" if args.init else "from scratch"
    print(f"trained {args.steps} steps, paired, {start}; test: {n} Kodak crops 128²\n")
    with torch.no_grad():
        conds = model.conditions(test_hr, gens)
        latents, _ = model.flow.encode(test_hr, conds)
        back, _ = model.flow.decode(latents, conds)
        at0 = model.translate(test_hr, gens, 0.0)
        print(f"1. flow: max |decode(encode(x)) − x| {float((back - test_hr).abs().max()):.2e}; "
              f"τ = 0 output vs x {float((at0 - test_hr).abs().max()):.2e}")
        for k, (shift, z) in enumerate(zip(model.shifts, latents, strict=True)):
            spread = float(z.std())
            mu_n = float(shift.mean.norm() / shift.mean.numel() ** 0.5)
            sd = float(shift.covariance().diagonal().mean().sqrt())
            print(f"2. level {k}: rms μ_u {mu_n:.4f}, √mean diag Σ_u {sd:.4f}; clean latents' "
                  f"std {spread:.4f}")
        real_res = test_lr - test_hr
        print(f"   the camera: mean offset {float(real_res.mean()):+.4f}, residual std "
              f"{float(real_res.std()):.4f}")
        for tau in (0.05, 0.1, 0.25, 0.5, 1.0):
            y = model.translate(test_hr, [generator_from_seed(i) for i in range(n)], tau)
            res = y - test_hr
            print(f"3. τ = {tau:g}: HF-KL to the real LR {hf_kl(test_lr, y):.4f}; mean offset "
                  f"{float(res.mean()):+.4f}, residual std {float(res.std()):.4f}")
        # how much the decoder amplifies a small latent change, per level
        for k, z in enumerate(latents):
            g = torch.Generator().manual_seed(k)
            eps = 0.01 * z.std()
            moved = [v + eps * torch.randn(v.shape, generator=g) if j == k else v
                     for j, v in enumerate(latents)]
            y, _ = model.flow.decode(moved, conds)
            print(f"   level {k}: a latent change of std {float(eps):.4f} moves the image by "
                  f"std {float((y - back).std()):.4f} (gain {float((y - back).std() / eps):.1f})")
        for k in range(len(model.shifts)):
            conds = model.conditions(test_hr, gens)
            lat, _ = model.flow.encode(test_hr, conds)
            shifted = []
            for j, (shift, z) in enumerate(zip(model.shifts, lat, strict=True)):
                u = torch.stack([shift.sample(tuple(z.shape[1:]), generator_from_seed(i))
                                 for i in range(n)])
                shifted.append(z + u if j == k else z)
            y, _ = model.flow.decode(shifted, conds)
            y = y.clamp(0, 1)
            print(f"4. level {k}'s shift alone: HF-KL {hf_kl(test_lr, y):.4f}, residual std "
                  f"{float((y - test_hr).std()):.4f}")
        g = torch.Generator().manual_seed(0)
        white = (test_hr + torch.randn(test_hr.shape, generator=g) * real_res.std()).clamp(0, 1)
        print(f"5. clean input: HF-KL {hf_kl(test_lr, test_hr):.4f}; + white noise of the "
              f"camera's residual std: {hf_kl(test_lr, white):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where InterFlow's level stops moving the degradation: a probe of the latent space and the
decoder, with the shipped ``interflow/camera24`` (trained on the core camera's levels 2 and 4)
and held-out photos through that camera at levels 2, 3 and 4.

    .venv/bin/python plugins/degsdk-interflow/benchmarks/interflow_latent_probe.py \
        [--weights interflow/camera24] [--n 10] [--threads 2]

1. Encoded latents of the real levels: the mean latent value per image at each level, its
   spread, and the separation of levels 2 and 4 (difference of means / pooled std).
2. The priors: μ and the typical σ (√ of the mean diagonal of M·Mᵀ) per trained level; how
   far the encoded latents sit from their own level's μ, in prior σ.
3. Which prior the encoded latents prefer: the share of images whose latent has the higher
   log-likelihood under its own level's Gaussian.
5. The decoder: the true level 2 encoded and decoded back; the same latents with their
   positions shuffled (spatial structure removed); the priors' means decoded (τ = 0); the
   encoded latents' correlation between horizontal neighbours.
4. Decoding: the same HR decoded from the prior at levels 2, 3, 4 (same seed) — HF-KL to the
   camera's true LR at each level, the mean |Δ| between levels 2 and 4 against another seed,
   and, for scale, HF-KL between the true levels and of the best pixel blend of the true
   levels 2 and 4 at level 3 (weights 0, 0.05, …, 1).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import torch

import degsdk
from degsdk import derive_seed, make_generators
from degsdk.io import list_images, read_image
from degsdk.metrics import hf_kl
from degsdk.seeding import generator_from_seed

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "hr"


def camera_levels(n: int, side: int = 128) -> tuple[torch.Tensor, dict[float, torch.Tensor]]:
    """n held-out HR crops (Kodak24) and the core camera's aligned LR at levels 2, 3, 4, each
    scene's focus/white-balance draw shared across its levels (as camera_levels.py)."""
    files = list_images([SHARED / "kodak24"])[:n]
    hr = torch.stack([read_image(f)[:, :side, :side] for f in files])
    cams = {s: degsdk.create("camera", level=s, scale=1, jpeg=None) for s in (2.0, 3.0, 4.0)}
    out: dict[float, list[torch.Tensor]] = {s: [] for s in cams}
    for i in range(n):
        scene = cams[2.0].sample(hr[i : i + 1], make_generators(7, [i]))[0]
        for k, (s, cam) in enumerate(cams.items()):
            with torch.no_grad():
                out[s].append(cam.apply(hr[i : i + 1], [{**scene, "seed": derive_seed(
                    7, i, 1 + k)}])[0])
    return hr, {s: torch.stack(v) for s, v in out.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", default="interflow/camera24")
    ap.add_argument("--n", type=int, default=10, help="scenes (Kodak24 has 10 here)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = degsdk.load(args.weights)
    hr, real = camera_levels(args.n)
    print(f"{args.weights}; trained levels {model.cfg.trained_levels}; {args.n} Kodak24 crops "
          f"{tuple(hr.shape[-2:])}\n")
    with torch.no_grad():
        conds = model.conditions(hr)
        z = {s: model.encode(real[s], conds)[0] for s in (2.0, 4.0)}
        per_image = {s: v.mean(dim=(1, 2, 3)) for s, v in z.items()}
        pooled = ((per_image[2.0].var() + per_image[4.0].var()) / 2).sqrt()
        print("1. encoded latents, mean per image: level 2 "
              f"{float(per_image[2.0].mean()):+.4f} ± {float(per_image[2.0].std()):.4f}, "
              f"level 4 {float(per_image[4.0].mean()):+.4f} ± {float(per_image[4.0].std()):.4f}; "
              "separation "
              f"{float((per_image[4.0].mean() - per_image[2.0].mean()).abs() / pooled):.2f} "
              "pooled std")
        pri = model.priors
        for k, s in enumerate(model.cfg.trained_levels):
            mu = pri.mean_vector(k)
            cov = pri.factors[k] @ pri.factors[k].T
            sigma = cov.diagonal().mean().sqrt()
            zs = z.get(float(s))
            off = "" if zs is None else (
                f"; encoded latents' mean sits {float((zs.mean() - mu.mean()).abs() / sigma):.2f}"
                f" σ from it, their std is {float(zs.std() / sigma):.2f} σ")
            print(f"2. prior of level {s:g}: μ {float(mu.mean()):+.4f}, σ {float(sigma):.4f}"
                  + off)
        right = 0
        for k, s in enumerate((2.0, 4.0)):
            table = pri.log_prob_table(z[s])  # N×levels
            right += int((table.argmax(dim=1) == k).sum())
        print(f"3. encoded latents more likely under their own level's prior: "
              f"{right / (2 * args.n):.2f}")
        gens = [generator_from_seed(s) for s in range(args.n)]
        out = {s: model.generate(hr, [s] * args.n, [model.cfg.temperature] * args.n,
                                 [generator_from_seed(i) for i in range(args.n)])
               for s in (2.0, 3.0, 4.0)}
        other = model.generate(hr, [2.0] * args.n, [model.cfg.temperature] * args.n,
                               [generator_from_seed(i + 50) for i in range(args.n)])
        del gens
        print("4. generated from HR: mean |Δ| level 2 → 4 "
              f"{float((out[2.0] - out[4.0]).abs().mean()):.4f}, level 2 with other seeds "
              f"{float((out[2.0] - other).abs().mean()):.4f}")
        for s, lr in out.items():
            print(f"   generated level {s:g}: HF-KL to the true level 2 "
                  f"{hf_kl(real[2.0], lr):.4f}, 3 {hf_kl(real[3.0], lr):.4f}, "
                  f"4 {hf_kl(real[4.0], lr):.4f}")
        blends = [hf_kl(real[3.0], (1 - w) * real[2.0] + w * real[4.0])
                  for w in [i / 20 for i in range(21)]]
        # 5. the decoder: encoded latents vs prior draws at the same level
        recon = model.decode(z[2.0], conds).clamp(0, 1)
        centred = z[2.0] - pri.mean_vector(0).view(1, -1, 1, 1)
        flat = centred.flatten(2)
        perm = torch.randperm(flat.shape[-1], generator=torch.Generator().manual_seed(0))
        shuffled = (flat[..., perm].view_as(centred) + pri.mean_vector(0).view(1, -1, 1, 1))
        scrambled = model.decode(shuffled, conds).clamp(0, 1)
        mean2 = model.generate(hr, [2.0] * args.n, [0.0] * args.n,
                               [generator_from_seed(i) for i in range(args.n)])
        mean4 = model.generate(hr, [4.0] * args.n, [0.0] * args.n,
                               [generator_from_seed(i) for i in range(args.n)])
        print(f"5. decode(encode(true level 2)): HF-KL to level 2 {hf_kl(real[2.0], recon):.4f};"
              f" its latents with positions shuffled: to level 2 "
              f"{hf_kl(real[2.0], scrambled):.4f}, to level 4 {hf_kl(real[4.0], scrambled):.4f}")
        print(f"   prior means decoded (τ = 0): level 2 → HF-KL to level 2 "
              f"{hf_kl(real[2.0], mean2):.4f}, to 4 {hf_kl(real[4.0], mean2):.4f}; level 4 → "
              f"to 2 {hf_kl(real[2.0], mean4):.4f}, to 4 {hf_kl(real[4.0], mean4):.4f}")
        tau1 = model.generate(hr, [2.0] * args.n, [1.0] * args.n,
                              [generator_from_seed(i) for i in range(args.n)])
        # the encoded latents' own Gaussian over channels (mean and full covariance, fitted
        # on these images) in place of the learned prior of level 2
        pts = z[2.0].permute(0, 2, 3, 1).reshape(-1, z[2.0].shape[1])
        mu, cov = pts.mean(0), torch.cov(pts.T)
        chol = torch.linalg.cholesky(cov + 1e-6 * torch.eye(cov.shape[0]))
        g = torch.Generator().manual_seed(3)
        draws = mu + torch.randn(pts.shape, generator=g) @ chol.T
        fitted = model.decode(draws.view(z[2.0].shape[0], z[2.0].shape[2], z[2.0].shape[3], -1)
                              .permute(0, 3, 1, 2), conds).clamp(0, 1)
        learned_cov = pri.factors[0] @ pri.factors[0].T
        print(f"   level 2 prior at τ = 1: HF-KL to level 2 {hf_kl(real[2.0], tau1):.4f}, to 4 "
              f"{hf_kl(real[4.0], tau1):.4f} (the model's τ = {model.cfg.temperature:g} above)")
        print(f"   draws from the encoded latents' own Gaussian: HF-KL to level 2 "
              f"{hf_kl(real[2.0], fitted):.4f}, to 4 {hf_kl(real[4.0], fitted):.4f}; learned vs "
              f"encoded covariance: ‖Σ_learned − Σ_enc‖/‖Σ_enc‖ "
              f"{float((learned_cov - cov).norm() / cov.norm()):.2f}, per-channel mean spread "
              f"of the encoded latents {float(mu.std()):.4f} (the model's level means: "
              f"{model.cfg.prior_mean})")
        lag = (centred[..., :, 1:] * centred[..., :, :-1]).mean() / centred.pow(2).mean()
        print(f"   encoded level-2 latents: neighbour correlation {float(lag):.3f} "
              "(prior draws: 0 by construction)")
        print(f"   for scale: true level 2 to 4 {hf_kl(real[4.0], real[2.0]):.4f}; best pixel "
              f"blend of the true levels 2 and 4 to the true level 3 {min(blends):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

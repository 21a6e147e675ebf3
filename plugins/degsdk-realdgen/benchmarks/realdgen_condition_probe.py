"""Where RealDGen's reference stops controlling its output: a probe along the conditioning
path, E_deg → M → UNet → sampler, with two clearly different synthetic cameras (the claim-(b)
cameras: A strong blur and almost no noise, B noise σ 18 and JPEG 60).

    .venv/bin/python plugins/degsdk-realdgen/benchmarks/realdgen_condition_probe.py \
        [--weights realdgen/x4] [--n 16] [--threads 2]

1. E_deg: are the two cameras' degradation vectors apart? The distance between the cameras'
   mean vectors over the mean within-camera distance to the own mean (> 1: separated), and the
   leave-one-out nearest-mean accuracy.
2. M: how much the condition c = M(E_deg, E_cont(HR)) moves when camera B's vector replaces
   A's, against how much it moves between two HR contents (relative L2).
3. UNet: how much ε(x_t, c) moves between c_A and c_B at a few timesteps, against ε's move
   with the noise draw (relative L2).
4. Sampler: generated LR with reference A vs B (same seeds): mean |ΔLR| against the same
   reference with other seeds; HF-KL of each generated set to each camera's real LR.

Each row prints a number; the reading is in the plugin README ("Why the reference does not
steer the output").
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from torch import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realdgen_claims import CAMERA_A, CAMERA_B, crops, load

import degsdk
from degsdk.metrics import hf_kl
from degsdk.seeding import generator_from_seed


def rel(a: Tensor, b: Tensor) -> float:
    """‖a − b‖ / ‖a‖ (relative L2)."""
    return float((a - b).norm() / a.norm().clamp_min(1e-12))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", default="realdgen/x4")
    ap.add_argument("--n", type=int, default=16, help="images per camera")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = load(args.weights, sampler="ddim", ddim_steps=25, candidates=1)
    hr = {"A": crops(["urban100"], args.n, 192, 1), "B": crops(["bsd100"], args.n, 192, 2)}
    real = {"A": degsdk.from_config(CAMERA_A)(hr["A"], seed=1).lr,
            "B": degsdk.from_config(CAMERA_B)(hr["B"], seed=2).lr}
    print(f"{args.weights}; {args.n} images per camera, LR {tuple(real['A'].shape[-2:])}\n")

    with torch.no_grad():
        # 1. E_deg
        vec = {c: torch.cat([model.e_deg(x[None]) for x in real[c]]) for c in real}
        mean = {c: v.mean(0) for c, v in vec.items()}
        within = torch.cat([(v - mean[c]).norm(dim=1) for c, v in vec.items()]).mean()
        between = (mean["A"] - mean["B"]).norm()
        right = sum(int((v[i] - mean[c]).norm() < (v[i] - mean["B" if c == "A" else "A"])
                        .norm()) for c, v in vec.items() for i in range(len(v)))
        print("1. E_deg: between-camera distance / within-camera spread "
              f"{float(between / within):.2f}; nearest-mean accuracy "
              f"{right / (2 * args.n):.2f}")

        print("   its norm: ‖mean_A − mean_B‖ / ‖mean_A‖ "
              f"{float(between / mean['A'].norm()):.4f}")
        # 1b. E_cont: does the content map carry the degradation? (the training condition
        # reads E_cont of the real LR itself, upsampled)
        from degsdk_realdgen.content import to_hr_grid
        same_hr_b = degsdk.from_config(CAMERA_B)(hr["A"], seed=2).lr
        up = {k: model.e_cont(to_hr_grid(v, model.cfg.scale))
              for k, v in (("A", real["A"]), ("B of A's HR", same_hr_b))}
        by_camera = (up["A"] - up["B of A's HR"]).flatten(1).norm(dim=1).mean()
        by_content = (up["A"] - up["A"].roll(1, 0)).flatten(1).norm(dim=1).mean()
        print("1b. E_cont(↑LR): same HR through camera A vs B differs "
              f"{float(by_camera / by_content):.2f}× as much as two HR through camera A")

        # 2. M
        content = model.content_of(hr["A"][:4])
        c_a = model.fuse(mean["A"].expand(4, -1), content)
        c_b = model.fuse(mean["B"].expand(4, -1), content)
        other = model.fuse(mean["A"].expand(4, -1), model.content_of(hr["B"][:4]))
        c_zero = model.modulation(torch.zeros_like(mean["A"]).expand(4, -1), content)
        print(f"2. M: c moves {rel(c_a, c_b):.4f} from camera A's vector to B's, "
              f"{rel(c_a, other):.4f} from one HR content to another, "
              f"{rel(c_a, c_zero):.4f} from A's vector to zeros")

        # 3. UNet
        from degsdk_realdgen.diffusion import make_scheduler, noised_start
        cfg = model.cfg
        sched = make_scheduler("ddpm", cfg.timesteps, cfg.beta_start, cfg.beta_end)
        start = model._starts(hr["A"][:4], [0, 1, 2, 3]) * 2 - 1
        for t in (50, 150, cfg.T - 1):
            x_t = noised_start(sched, start, t, [generator_from_seed(s) for s in range(4)])
            x_t2 = noised_start(sched, start, t, [generator_from_seed(s + 9) for s in range(4)])
            tt = torch.full((4,), t, dtype=torch.long)
            eps_a = model.unet(torch.cat([x_t, c_a], 1), tt).sample
            eps_b = model.unet(torch.cat([x_t, c_b], 1), tt).sample
            eps_2 = model.unet(torch.cat([x_t2, c_a], 1), tt).sample
            print(f"3. UNet at t = {t}: ε moves {rel(eps_a, eps_b):.4f} from c_A to c_B, "
                  f"{rel(eps_a, eps_2):.4f} with another noise draw")

        # 4. Sampler
        refs = {}
        tmp = Path(tempfile.mkdtemp(prefix="realdgen_probe_"))
        for c in ("A", "B"):
            folder = tmp / c
            for i in range(4):
                degsdk.write_image(folder / f"{i}.png", real[c][i])
            refs[c] = folder
        outs = {}
        for c in ("A", "B"):
            m = load(args.weights, sampler="ddim", ddim_steps=25, candidates=1,
                     references=str(refs[c]))
            outs[c] = m(hr["A"][:8], seed=5).lr
        again = load(args.weights, sampler="ddim", ddim_steps=25, candidates=1,
                     references=str(refs["A"]))(hr["A"][:8], seed=6).lr
        d_ref = float((outs["A"] - outs["B"]).abs().mean())
        d_seed = float((outs["A"] - again).abs().mean())
        print(f"4. output: mean |ΔLR| ref A → ref B {d_ref:.4f}, same ref A, other seeds "
              f"{d_seed:.4f}")
        for c, lr in outs.items():
            print(f"   generated with ref {c}: HF-KL to camera A {hf_kl(real['A'], lr):.4f}, "
                  f"to camera B {hf_kl(real['B'], lr):.4f}")
        print(f"   for scale: camera A's own LR to B {hf_kl(real['B'], real['A']):.4f}")
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())

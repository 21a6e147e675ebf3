"""Training DeFlow on unpaired clean and degraded images (paper §3.3 eq. 7, §5.4):
``degsdk train deflow …`` or ``train_deflow(...)``.

Each step draws a class-balanced batch: ``batch_size/2`` random ``patch``² crops (random
horizontal flips) from the clean images and as many from the degraded images. The loss is the
mean negative log-likelihood in bits per dimension, with 5-bit dequantisation; with ``pairs``
the paired conditional likelihood (eq. 5) of as many aligned crops is added. Adam; the learning
rate is halved at 50, 75, 90 and 95 % of ``steps`` (the paper's 100k-step schedule, scaled).
Steps with a non-finite loss are skipped; 100 in a row abort the run. All randomness comes from
``seed``. ``out/checkpoint/`` (every ``checkpoint_every`` steps) lets ``resume`` continue
exactly; the final ``out/`` is a hub-ready model folder whose card records data, steps and
metrics.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from tqdm import tqdm

from degsdk import ConfigError, Trainer, TrainerOption, TrainingError
from degsdk.hub import WEIGHTS_NAME, load_state_strict
from degsdk.io import find_pairs, list_images, read_image
from degsdk.nn.flow import bits_per_dim
from degsdk.ops import resize
from degsdk.seeding import draw_seed, generator_from_seed
from degsdk.training import load_trainer_state, save_trained, save_trainer_state

from .model import PRESETS, DeFlow

MILESTONES = (0.5, 0.75, 0.9, 0.95)
MAX_BAD_STEPS = 100


def load_images(folder: str | Path, down: int = 1) -> list[Tensor]:
    """Every image of ``folder`` (3×H×W), bicubic-downscaled by ``down`` (after cropping to a
    multiple of it) when ``down`` > 1."""
    out = []
    for path in list_images([folder]):
        x = read_image(path)
        if down > 1:
            h, w = (s - s % down for s in x.shape[-2:])
            x = resize(x[None, :, :h, :w], (h // down, w // down), "bicubic")[0]
        out.append(x)
    return out


def channel_stats(images: Sequence[Tensor]) -> tuple[Tensor, Tensor]:
    """Per-channel mean and std over all pixels of ``images`` (3 each)."""
    flat = torch.cat([x.reshape(3, -1) for x in images], 1).double()
    return flat.mean(1).float(), flat.std(1).float()


def random_crops(images: Sequence[Tensor], n: int, patch: int,
                 g: torch.Generator) -> Tensor:
    """``n`` random ``patch``² crops (random image, position and horizontal flip)."""
    out = []
    for _ in range(n):
        x = images[int(torch.randint(len(images), (1,), generator=g))]
        t = int(torch.randint(x.shape[-2] - patch + 1, (1,), generator=g))
        s = int(torch.randint(x.shape[-1] - patch + 1, (1,), generator=g))
        crop = x[:, t : t + patch, s : s + patch]
        out.append(crop.flip(-1) if bool(torch.rand((), generator=g) < 0.5) else crop)
    return torch.stack(out)


def random_pair_crops(pairs: Sequence[tuple[Tensor, Tensor]], n: int, patch: int,
                      g: torch.Generator) -> tuple[Tensor, Tensor]:
    """``n`` aligned random crops of (clean, degraded) same-size pairs."""
    xs, ys = [], []
    for _ in range(n):
        x, y = pairs[int(torch.randint(len(pairs), (1,), generator=g))]
        t = int(torch.randint(x.shape[-2] - patch + 1, (1,), generator=g))
        s = int(torch.randint(x.shape[-1] - patch + 1, (1,), generator=g))
        cx, cy = x[:, t : t + patch, s : s + patch], y[:, t : t + patch, s : s + patch]
        if bool(torch.rand((), generator=g) < 0.5):
            cx, cy = cx.flip(-1), cy.flip(-1)
        xs.append(cx)
        ys.append(cy)
    return torch.stack(xs), torch.stack(ys)


def learning_rate(base: float, step: int, steps: int) -> float:
    """``base`` halved at each milestone (50/75/90/95 % of ``steps``) already passed."""
    return base * 0.5 ** sum(step >= round(m * steps) for m in MILESTONES)


def _check_sizes(name: str, images: Sequence[Tensor], patch: int) -> None:
    small = [i for i, x in enumerate(images) if min(x.shape[-2:]) < patch]
    if small:
        raise ConfigError(f"{name}: {len(small)} images are smaller than the {patch} px patch "
                          "(after --clean-down)")


def train_deflow(clean: str | Path, degraded: str | Path, out: str | Path, clean_down: int = 1,
                 cond_down: int = 4, steps: int = 2000, preset: str = "tiny",
                 patch: int = 64, batch_size: int = 8, lr: float = 5e-5, seed: int = 0,
                 normalize: bool = False, pairs: str | Path | None = None,
                 checkpoint_every: int = 500, resume: bool = False,
                 max_seconds: float | None = None, data: str | None = None,
                 progress: bool = True, **architecture: Any) -> DeFlow:
    """Train DeFlow on the image folders ``clean`` and ``degraded`` and save it to ``out``.
    ``preset`` ("tiny" or "paper") sets the architecture; keyword ``architecture`` values
    (levels, flow_steps, hidden, nf, blocks, gc, …) override it. Returns the model."""
    if preset not in PRESETS:
        raise ConfigError(f"preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    if batch_size < 2 or batch_size % 2:
        raise ConfigError(f"batch_size must be even (half clean, half degraded), got "
                          f"{batch_size}")
    arch = {**PRESETS[preset], **architecture}
    model = DeFlow(**arch, cond_down=cond_down, normalize=normalize)
    if patch % model.size_multiple:
        raise ConfigError(f"patch {patch} is not a multiple of {model.size_multiple} "
                          "(2^levels and --cond-down)")
    xs, ys = load_images(clean, clean_down), load_images(degraded)
    _check_sizes(str(clean), xs, patch)
    _check_sizes(str(degraded), ys, patch)
    paired = [(read_image(p.hr), read_image(p.lr)) for p in find_pairs(pairs, scale=1)] \
        if pairs is not None else []
    g = torch.Generator().manual_seed(seed)
    model.reset_parameters(g)
    if normalize:
        for row, imgs in ((0, xs), (1, ys)):
            mean, std = channel_stats(imgs)
            model.domain_mean[row], model.domain_std[row] = mean, std
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    meta = {"clean": str(Path(clean).resolve()), "degraded": str(Path(degraded).resolve()),
            "clean_down": clean_down, "cond_down": cond_down, "steps_total": steps,
            "architecture": arch, "patch": patch, "batch_size": batch_size, "lr": lr,
            "seed": seed, "normalize": normalize,
            "pairs": str(Path(pairs).resolve()) if pairs is not None else None}
    ckpt = Path(out) / "checkpoint"
    start = 0
    if resume:
        load_state_strict(model, ckpt / WEIGHTS_NAME)
        start = load_trainer_state(ckpt, opt, g, meta)
    half = batch_size // 2
    degraded_mask = torch.tensor([False] * half + [True] * half)
    dims = 3 * patch * patch
    ema: dict[str, float] = {}
    bad, done, skipped = 0, start, 0
    t0 = time.perf_counter()
    bar = tqdm(range(start, steps), desc="train deflow", unit="step", initial=start,
               total=steps, disable=None if progress else True)
    for step in bar:
        for group in opt.param_groups:
            group["lr"] = learning_rate(lr, step, steps)
        batch = torch.cat([random_crops(xs, half, patch, g),
                           model.to_clean_stats(random_crops(ys, half, patch, g))])
        gens = [generator_from_seed(draw_seed(g)) for _ in range(batch_size)]
        bpd = bits_per_dim(model.log_likelihood(batch, degraded_mask, gens), dims)
        loss = bpd.mean()
        terms = {"bpd_clean": float(bpd[:half].detach().mean()),
                 "bpd_degraded": float(bpd[half:].detach().mean())}
        if paired:
            px, py = random_pair_crops(paired, half, patch, g)
            pgens = [generator_from_seed(draw_seed(g)) for _ in range(half)]
            pbpd = bits_per_dim(model.paired_log_likelihood(px, model.to_clean_stats(py),
                                                            pgens), dims).mean()
            loss = loss + pbpd
            terms["bpd_paired"] = float(pbpd.detach())
        opt.zero_grad()
        done = step + 1
        if not math.isfinite(float(loss.detach())):
            bad += 1
            skipped += 1
            if bad >= MAX_BAD_STEPS:
                raise TrainingError(f"deflow: {bad} steps in a row had a non-finite loss "
                                    f"(last at step {done}); try a lower --lr")
            continue
        bad = 0
        loss.backward()
        opt.step()
        for k, v in terms.items():
            ema[k] = v if k not in ema else 0.98 * ema[k] + 0.02 * v
        bar.set_postfix({k.removeprefix("bpd_"): f"{v:.3f}" for k, v in ema.items()})
        if checkpoint_every and done % checkpoint_every == 0 and done < steps:
            model.save_pretrained(ckpt)
            save_trainer_state(ckpt, opt, g, done, meta)
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
    bar.close()
    model.eval()
    metrics: dict[str, Any] = {f"train_{k}_ema": v for k, v in ema.items()}
    metrics["skipped_steps"] = skipped
    with torch.no_grad():
        for i, s in enumerate(model.shifts):
            metrics[f"shift{i}_trace_cov"] = float(s.covariance().trace())
            metrics[f"shift{i}_mean_abs"] = float(s.mean.abs().mean())
    prov: dict[str, Any] = {"trainer": "degsdk-deflow", "steps": done, **meta,
                            "clean": Path(clean).resolve().name,
                            "degraded": Path(degraded).resolve().name,
                            "clean_images": len(xs), "degraded_images": len(ys)}
    save_trained(model, out, prov, metrics, time.perf_counter() - t0, done, steps, max_seconds,
                 data)
    return model


def deflow_trainer() -> Trainer:
    opts = (
        TrainerOption("clean", "folder of clean images (domain X)", required=True),
        TrainerOption("degraded", "folder of degraded images (domain Y)", required=True),
        TrainerOption("out", "output model folder", required=True),
        TrainerOption("clean_down", "bicubic-downscale the clean images by this first", int, 1),
        TrainerOption("cond_down", "h(x)'s bicubic factor k", int, 4, choices=(2, 4, 8, 16)),
        TrainerOption("steps", "training steps", int, 2000),
        TrainerOption("preset", "architecture preset", str, "tiny", choices=tuple(PRESETS)),
        TrainerOption("flow_steps", "K flow steps per level (overrides the preset)", int,
                      None),
        TrainerOption("levels", "L levels (overrides the preset)", int, None),
        TrainerOption("hidden", "coupling width (overrides the preset)", int, None),
        TrainerOption("patch", "patch side", int, 64),
        TrainerOption("batch_size", "patches per step (even: half from each domain)", int, 8),
        TrainerOption("lr", "Adam learning rate (paper: 5e-5)", float, 5e-5),
        TrainerOption("seed", "seed", int, 0),
        TrainerOption("normalize", "map the degraded domain to clean channel statistics "
                      "(paper §5.4)", flag=True),
        TrainerOption("pairs", "optional aligned pairs (hr/ = clean, lr/ = degraded) for "
                      "the paired likelihood (eq. 5)", str, None),
        TrainerOption("checkpoint_every", "save out/checkpoint every N steps", int, 500),
        TrainerOption("resume", "continue from out/checkpoint", flag=True),
        TrainerOption("max_seconds", "stop after this many seconds", float, None),
        TrainerOption("data", "description of the training data for the model card", str,
                      None),
    )

    def run(**kw: Any) -> None:
        arch = {k: kw.pop(k) for k in ("flow_steps", "levels", "hidden")
                if kw.get(k) is not None}
        for k in ("flow_steps", "levels", "hidden"):
            kw.pop(k, None)
        train_deflow(**kw, **arch)

    return Trainer("Train DeFlow (conditional flow, unpaired clean/degraded images).", run,
                   opts)

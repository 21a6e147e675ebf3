"""A seeded SR trainer: L1 loss, Adam, random patch pairs from a paired folder, progress bar,
checkpoints in the weights format (``degsdk train sr …``, ``train_sr(folder)`` or
``fit_sr(hrs, lrs)`` on in-memory pairs)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
import torch.nn.functional as F
from pydantic import Field
from torch import Tensor
from tqdm import tqdm

from .._errors import ConfigError
from .._options import Options
from .._trainer import Trainer
from ..io import find_pairs, read_image
from ._models import SRResNetSmall


def init_weights(model: torch.nn.Module, g: torch.Generator) -> None:
    """He-normal convolutions from ``g`` (not the global RNG), zero biases, the last layer
    scaled by 0.01 (a small initial residual; measured to train faster than a zero or a
    full-scale last layer in benchmarks/sr_baseline.py)."""
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        for i, m in enumerate(convs):
            fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
            std = (2.0 / fan_in) ** 0.5 * (0.01 if i == len(convs) - 1 else 1.0)
            m.weight.copy_(torch.randn(m.weight.shape, generator=g) * std)
            if m.bias is not None:
                m.bias.zero_()


def fit_sr(hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int = 2, steps: int = 1000,
           batch_size: int = 16, patch: int = 48, lr: float = 2e-4, seed: int = 0,
           channels: int = 32, blocks: int = 4, max_seconds: float | None = None,
           checkpoint_dir: str | Path | None = None, checkpoint_every: int = 0,
           progress: bool = True, desc: str = "train sr") -> tuple[SRResNetSmall, int]:
    """Train ``srresnet_small`` on in-memory pairs: ``hrs[i]`` 3×(h·scale)×(w·scale) and
    ``lrs[i]`` 3×h×w in [0, 1]. Returns the model (eval mode) and the steps done.

    Each step takes ``batch_size`` random ``patch``×``patch`` LR patches (and the matching HR
    patches) and makes one Adam step on the L1 loss, learning rate cosine-decayed over
    ``steps``. Training stops after ``steps`` or ``max_seconds``, whichever comes first.
    Initialisation and patch sampling draw from ``torch.Generator(seed)``, never the global
    RNG, so a seed gives the same model on a given machine."""
    if len(hrs) != len(lrs) or not lrs:
        raise ConfigError(f"fit_sr: expected as many HR as LR images (≥ 1), got {len(hrs)} HR "
                          f"and {len(lrs)} LR")
    for i, (h, x) in enumerate(zip(hrs, lrs, strict=True)):
        if tuple(h.shape[-2:]) != (x.shape[-2] * scale, x.shape[-1] * scale):
            raise ConfigError(f"fit_sr: pair {i}: HR {tuple(h.shape[-2:])} is not ×{scale} "
                              f"LR {tuple(x.shape[-2:])}")
        if min(x.shape[-2:]) < patch:
            raise ConfigError(f"fit_sr: patch {patch} is larger than LR image {i} "
                              f"({x.shape[-1]}×{x.shape[-2]})")
    g = torch.Generator().manual_seed(seed)
    model = SRResNetSmall(scale=scale, channels=channels, blocks=blocks)
    init_weights(model, g)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps))
    t0 = time.perf_counter()
    bar = tqdm(range(steps), desc=desc, unit="step", disable=None if progress else True)
    done = 0
    for step in bar:
        lr_b, hr_b = [], []
        for _ in range(batch_size):
            k = int(torch.randint(len(lrs), (1,), generator=g))
            h, w = lrs[k].shape[-2:]
            t = int(torch.randint(h - patch + 1, (1,), generator=g))
            s = int(torch.randint(w - patch + 1, (1,), generator=g))
            lr_b.append(lrs[k][:, t : t + patch, s : s + patch])
            hr_b.append(hrs[k][:, t * scale : (t + patch) * scale,
                               s * scale : (s + patch) * scale])
        loss = F.l1_loss(model(torch.stack(lr_b)), torch.stack(hr_b))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        done = step + 1
        bar.set_postfix(l1=f"{loss.item():.4f}")
        if checkpoint_dir is not None and checkpoint_every and done % checkpoint_every == 0:
            model.save_pretrained(Path(checkpoint_dir) / f"step-{done:07d}")
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
    bar.close()
    model.eval()
    return model, done


class SRTrainOptions(Options):
    """Options of ``train_sr`` and ``degsdk train sr``."""

    pairs: Path = Field(description="paired folder (hr/ + lr/)")
    out: Path = Field(description="output model folder")
    scale: Literal[1, 2, 4] = Field(2, description="HR/LR scale")
    steps: int = Field(1000, ge=1, description="training steps")
    batch_size: int = Field(16, ge=1, description="patches per step")
    patch: int = Field(48, ge=4, description="LR patch side")
    lr: float = Field(2e-4, gt=0, description="Adam learning rate")
    seed: int = Field(0, ge=0, description="seed")
    channels: int = Field(32, ge=1, description="feature channels")
    blocks: int = Field(4, ge=1, description="residual blocks")
    max_seconds: float | None = Field(None, gt=0, description="stop after this many seconds")
    checkpoint_every: int = Field(0, ge=0, description="save a checkpoint every N steps "
                                  "(0: only at the end)")
    progress: bool = Field(True, description="show a progress bar")


def train_sr(options: SRTrainOptions | None = None, /, **fields: Any) -> SRResNetSmall:
    """Train ``srresnet_small`` (``fit_sr``) on a paired folder (``hr/`` + ``lr/``, HR =
    scale × LR) and save it (model folder) to ``out``, with checkpoints
    ``out/step-NNNNNNN`` every ``checkpoint_every`` steps; returns the model. ``patch`` is
    the LR patch side."""
    o = SRTrainOptions.of(options, **fields)
    data = find_pairs(o.pairs, scale=o.scale)
    hrs = [read_image(p.hr) for p in data]
    lrs = [read_image(p.lr) for p in data]
    if any(min(x.shape[-2:]) < o.patch for x in lrs):
        raise ConfigError(f"patch {o.patch} is larger than an LR image in {o.pairs}")
    model, done = fit_sr(hrs, lrs, scale=o.scale, steps=o.steps, batch_size=o.batch_size,
                         patch=o.patch, lr=o.lr, seed=o.seed, channels=o.channels,
                         blocks=o.blocks, max_seconds=o.max_seconds, checkpoint_dir=o.out,
                         checkpoint_every=o.checkpoint_every, progress=o.progress)
    model.save_pretrained(o.out, provenance={
        "trainer": "degsdk sr", "steps": done, "seed": o.seed, "pairs": str(o.pairs),
        "batch_size": o.batch_size, "patch": o.patch, "lr": o.lr})
    return model


def sr_trainer() -> Trainer:
    """``degsdk train sr``: ``train_sr`` with ``SRTrainOptions``."""
    return Trainer("Train the srresnet_small baseline SR model (L1, Adam).", train_sr,
                   SRTrainOptions)

"""A seeded SR trainer on the run layer: L1 loss, Adam with a cosine learning rate, random
patch pairs, progress bar, exact-resume checkpoints in ``out/checkpoint`` (``degsdk train sr
…``, ``train_sr(pairs=folder, out=…)``, or ``train_sr_on_tensors(hrs, lrs)`` on in-memory pairs
for the models that score a degrader)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
import torch.nn.functional as F
from pydantic import Field
from torch import Tensor

from .._errors import ConfigError
from .._trainer import Trainer
from ..io import find_pairs, read_image
from ..training import Run, RunOptions, StepFn, random_crops
from ._models import SRResNetSmall
from ._settings import SRSettings


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


def cosine_lr(base: float, step: int, steps: int) -> float:
    """``base`` cosine-decayed to 0 over ``steps``: base·(1 + cos(π·step/steps))/2."""
    return base * (1 + math.cos(math.pi * step / max(1, steps))) / 2


def _check_pairs(hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int, patch: int,
                 where: str) -> None:
    if len(hrs) != len(lrs) or not lrs:
        raise ConfigError(f"{where}: expected as many HR as LR images (≥ 1), got {len(hrs)} HR "
                          f"and {len(lrs)} LR")
    for i, (h, x) in enumerate(zip(hrs, lrs, strict=True)):
        if tuple(h.shape[-2:]) != (x.shape[-2] * scale, x.shape[-1] * scale):
            raise ConfigError(f"{where}: pair {i}: HR {tuple(h.shape[-2:])} is not ×{scale} "
                              f"LR {tuple(x.shape[-2:])}")
        if min(x.shape[-2:]) < patch:
            raise ConfigError(f"{where}: patch {patch} is larger than LR image {i} "
                              f"({x.shape[-1]}×{x.shape[-2]})")


def _sr_step(model: SRResNetSmall, hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int,
             patch: int, batch_size: int, g: torch.Generator) -> StepFn:
    """One step: ``batch_size`` random ``patch``² LR patches and their HR patches (the core
    sampler, no flips), L1 loss."""
    scenes = list(zip(lrs, hrs, strict=True))

    def step(i: int) -> tuple[Tensor, dict[str, Tensor | float]]:
        lr_b, hr_b = random_crops(scenes, batch_size, patch, g, scales=(1, scale))
        loss = F.l1_loss(model(lr_b), hr_b)
        return loss, {"l1": loss}

    return step


def _train(run: Run, hrs: Sequence[Tensor], lrs: Sequence[Tensor], *, scale: int, steps: int,
           batch_size: int, patch: int, lr: float, channels: int, blocks: int,
           meta: dict[str, Any]) -> SRResNetSmall:
    model = SRResNetSmall(scale=scale, channels=channels, blocks=blocks)
    init_weights(model, run.generator)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    run.loop(model, opt, _sr_step(model, hrs, lrs, scale, patch, batch_size, run.generator),
             meta=meta, lr_at=lambda i: cosine_lr(lr, i, steps))
    model.eval()
    return model


def train_sr_on_tensors(hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int = 2,
                        steps: int = 1000, batch_size: int = 16, patch: int = 48,
                        lr: float = 2e-4, seed: int = 0, channels: int = 32, blocks: int = 4,
                        max_seconds: float | None = None, progress: bool = True,
                        desc: str = "train sr") -> tuple[SRResNetSmall, int]:
    """Train ``srresnet_small`` on in-memory pairs (``hrs[i]`` 3×(h·scale)×(w·scale) and
    ``lrs[i]`` 3×h×w in [0, 1]) in a run that writes nothing; returns the model (eval mode)
    and the steps done.

    Each step takes ``batch_size`` random ``patch``×``patch`` LR patches (and the matching HR
    patches) and makes one Adam step on the L1 loss, the learning rate cosine-decayed over
    ``steps``; training stops after ``steps`` or ``max_seconds``. Initialisation and patches
    draw from ``torch.Generator(seed)``, so a seed gives the same model on a given machine."""
    _check_pairs(hrs, lrs, scale, patch, "train_sr_on_tensors")
    run = Run.in_memory("degsdk sr", steps=steps, seed=seed, max_seconds=max_seconds,
                        progress=progress, name=desc)
    model = _train(run, hrs, lrs, scale=scale, steps=steps, batch_size=batch_size,
                   patch=patch, lr=lr, channels=channels, blocks=blocks, meta={})
    return model, run.done


def fit_sr(hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int = 2, steps: int = 1000,
           batch_size: int = 16, patch: int = 48, lr: float = 2e-4, seed: int = 0,
           channels: int = 32, blocks: int = 4, max_seconds: float | None = None,
           checkpoint_dir: str | Path | None = None, checkpoint_every: int = 0,
           progress: bool = True, desc: str = "train sr") -> tuple[SRResNetSmall, int]:
    """Deprecated name of :func:`train_sr_on_tensors` (``checkpoint_dir`` is ignored: use
    ``train_sr`` for a run with checkpoints)."""
    warnings.warn("degsdk.sr.fit_sr is deprecated; use degsdk.sr.train_sr_on_tensors (or "
                  "train_sr for a run with checkpoints)", DeprecationWarning, stacklevel=2)
    return train_sr_on_tensors(hrs, lrs, scale, steps, batch_size, patch, lr, seed, channels,
                               blocks, max_seconds, progress, desc)


class SRTrainOptions(SRSettings, RunOptions):
    """Options of ``train_sr`` and ``degsdk train sr``: the SR settings (steps, batch size,
    patch, lr, channels, blocks; a larger patch and a lower lr by default) and the run
    options."""

    pairs: Path = Field(description="paired folder (hr/ + lr/)")
    scale: Literal[1, 2, 4] = Field(2, description="HR/LR scale")
    patch: int = Field(48, ge=4, description="LR patch side")
    lr: float = Field(2e-4, gt=0, description="Adam learning rate (cosine-decayed)")
    checkpoint_every: int = Field(0, ge=0, description="save out/checkpoint every N steps "
                                  "(0: never)")


def train_sr(options: SRTrainOptions | None = None, /, **fields: Any) -> SRResNetSmall:
    """Train ``srresnet_small`` on a paired folder (``hr/`` + ``lr/``, HR = scale × LR) and
    save it (model folder) to ``out``, with an exact-resume checkpoint in ``out/checkpoint``
    every ``checkpoint_every`` steps; returns the model. ``patch`` is the LR patch side."""
    o = SRTrainOptions.of(options, **fields)
    data = find_pairs(o.pairs, scale=o.scale)
    hrs = [read_image(p.hr) for p in data]
    lrs = [read_image(p.lr) for p in data]
    _check_pairs(hrs, lrs, o.scale, o.patch, str(o.pairs))
    run = Run("degsdk sr", o, name="sr")
    meta = {"pairs": str(Path(o.pairs).resolve()), "scale": o.scale, "steps_total": o.steps,
            "batch_size": o.batch_size, "patch": o.patch, "lr": o.lr, "seed": o.seed,
            "channels": o.channels, "blocks": o.blocks}
    model = _train(run, hrs, lrs, scale=o.scale, steps=o.steps, batch_size=o.batch_size,
                   patch=o.patch, lr=o.lr, channels=o.channels, blocks=o.blocks, meta=meta)
    run.save(model, provenance={"pairs": Path(o.pairs).resolve().name})
    return model


def sr_trainer() -> Trainer:
    """``degsdk train sr``: ``train_sr`` with ``SRTrainOptions``."""
    return Trainer("Train the srresnet_small baseline SR model (L1, Adam).", train_sr,
                   SRTrainOptions)

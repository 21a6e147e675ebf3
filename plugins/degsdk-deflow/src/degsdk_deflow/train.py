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

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import Field
from torch import Tensor

from degsdk import ConfigError, Trainer
from degsdk.hub import WeightsRefOption
from degsdk.io import find_pairs, list_images, read_image
from degsdk.nn.flow import bits_per_dim
from degsdk.ops import resize
from degsdk.seeding import draw_seed, generator_from_seed
from degsdk.training import Run, RunOptions, warm_start
from degsdk.training import random_crops as core_random_crops

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
    """``n`` random ``patch``² crops (random image, position and horizontal flip; the core
    sampler :func:`degsdk.training.random_crops`)."""
    return core_random_crops([(x,) for x in images], n, patch, g, flips="h")[0]


def random_pair_crops(pairs: Sequence[tuple[Tensor, Tensor]], n: int, patch: int,
                      g: torch.Generator) -> tuple[Tensor, Tensor]:
    """``n`` aligned random crops of (clean, degraded) same-size pairs."""
    x, y = core_random_crops(pairs, n, patch, g, flips="h")
    return x, y


def learning_rate(base: float, step: int, steps: int) -> float:
    """``base`` halved at each milestone (50/75/90/95 % of ``steps``) already passed."""
    return base * 0.5 ** sum(step >= round(m * steps) for m in MILESTONES)


def _check_sizes(name: str, images: Sequence[Tensor], patch: int) -> None:
    small = [i for i, x in enumerate(images) if min(x.shape[-2:]) < patch]
    if small:
        raise ConfigError(f"{name}: {len(small)} images are smaller than the {patch} px patch "
                          "(after --clean-down)")


class DeFlowTrainOptions(RunOptions):
    """Options of ``train_deflow`` and ``degsdk train deflow`` (with the run options).
    ``preset`` sets the architecture; ``flow_steps``, ``flow_levels``, ``hidden`` and (from
    Python) ``architecture`` override parts of it."""

    clean: Path = Field(description="folder of clean images (domain X)")
    degraded: Path = Field(description="folder of degraded images (domain Y)")
    clean_down: int = Field(1, ge=1, description="bicubic-downscale the clean images by this "
                            "first")
    cond_down: Literal[2, 4, 8, 16] = Field(4, description="h(x)'s bicubic factor k")
    preset: Literal["tiny", "paper"] = Field("tiny", description="architecture preset")
    flow_steps: int | None = Field(None, ge=1, description="K flow steps per level (overrides "
                                   "the preset)")
    flow_levels: int | None = Field(None, ge=1, description="L, the flow's levels (depth; "
                                    "overrides the preset)",
                                    json_schema_extra={"deprecated_names": ["levels"]})
    hidden: int | None = Field(None, ge=1, description="coupling width (overrides the preset)")
    architecture: dict[str, Any] = Field(
        default_factory=dict, json_schema_extra={"cli": False},
        description="other architecture values over the preset (nf, blocks, gc, …)")
    patch: int = Field(64, ge=1, description="patch side")
    batch_size: int = Field(8, ge=2, multiple_of=2, description="patches per step (even: half "
                            "from each domain)")
    lr: float = Field(5e-5, ge=0, description="Adam learning rate (paper: 5e-5)")
    normalize: bool = Field(False, description="map the degraded domain to clean channel "
                            "statistics (paper §5.4)")
    pairs: Path | None = Field(None, description="optional aligned pairs (hr/ = clean, lr/ = "
                               "degraded) for the paired likelihood (eq. 5)")
    init: WeightsRefOption | None = Field(None, description="fine-tune from these DeFlow "
                                          "weights (same architecture), e.g. deflow/realsrset, "
                                          "instead of a random init")


def train_deflow(options: DeFlowTrainOptions | None = None, /, **fields: Any) -> DeFlow:
    """Train DeFlow on the image folders ``clean`` and ``degraded`` and save it to ``out``.
    ``preset`` ("tiny" or "paper") sets the architecture; keyword ``architecture`` values
    (levels, flow_steps, hidden, nf, blocks, gc, …) override it. Returns the model."""
    o = DeFlowTrainOptions.of(options, **fields)
    overrides = {k: v for k, v in (("flow_steps", o.flow_steps), ("levels", o.flow_levels),
                                   ("hidden", o.hidden)) if v is not None}
    arch = {**PRESETS[o.preset], **overrides, **o.architecture}
    model = DeFlow(**arch, cond_down=o.cond_down, normalize=o.normalize)
    if o.patch % model.size_multiple:
        raise ConfigError(f"patch {o.patch} is not a multiple of {model.size_multiple} "
                          "(2^levels and --cond-down)")
    xs, ys = load_images(o.clean, o.clean_down), load_images(o.degraded)
    _check_sizes(str(o.clean), xs, o.patch)
    _check_sizes(str(o.degraded), ys, o.patch)
    paired = [(read_image(p.hr), read_image(p.lr)) for p in find_pairs(o.pairs, scale=1)] \
        if o.pairs is not None else []
    run = Run("degsdk-deflow", o, name="deflow")
    g = run.generator
    model.reset_parameters(g)
    init = warm_start(model, o.init) if o.init is not None else None
    if o.normalize:
        for row, imgs in ((0, xs), (1, ys)):
            mean, std = channel_stats(imgs)
            model.domain_mean[row], model.domain_std[row] = mean, std
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=o.lr)
    meta = {"clean": str(Path(o.clean).resolve()), "degraded": str(Path(o.degraded).resolve()),
            "clean_down": o.clean_down, "cond_down": o.cond_down, "steps_total": o.steps,
            "architecture": arch, "patch": o.patch, "batch_size": o.batch_size, "lr": o.lr,
            "seed": o.seed, "normalize": o.normalize,
            "pairs": str(Path(o.pairs).resolve()) if o.pairs is not None else None,
            "init": init}
    half = o.batch_size // 2
    degraded_mask = torch.tensor([False] * half + [True] * half)
    dims = 3 * o.patch * o.patch

    def step(i: int) -> tuple[torch.Tensor, dict[str, torch.Tensor | float]]:
        batch = torch.cat([random_crops(xs, half, o.patch, g),
                           model.to_clean_stats(random_crops(ys, half, o.patch, g))])
        gens = [generator_from_seed(draw_seed(g)) for _ in range(o.batch_size)]
        bpd = bits_per_dim(model.log_likelihood(batch, degraded_mask, gens), dims)
        loss = bpd.mean()
        terms: dict[str, torch.Tensor | float] = {
            "bpd_clean": float(bpd[:half].detach().mean()),
            "bpd_degraded": float(bpd[half:].detach().mean())}
        if paired:
            px, py = random_pair_crops(paired, half, o.patch, g)
            pgens = [generator_from_seed(draw_seed(g)) for _ in range(half)]
            pbpd = bits_per_dim(model.paired_log_likelihood(px, model.to_clean_stats(py),
                                                            pgens), dims).mean()
            loss = loss + pbpd
            terms["bpd_paired"] = float(pbpd.detach())
        return loss, terms

    run.loop(model, opt, step, meta=meta, lr_at=lambda i: learning_rate(o.lr, i, o.steps),
             max_bad_steps=MAX_BAD_STEPS)
    model.eval()
    metrics: dict[str, Any] = {}
    with torch.no_grad():
        for i, s in enumerate(model.shifts):
            metrics[f"shift{i}_trace_cov"] = float(s.covariance().trace())
            metrics[f"shift{i}_mean_abs"] = float(s.mean.abs().mean())
    run.save(model, provenance={"clean": Path(o.clean).resolve().name,
                                "degraded": Path(o.degraded).resolve().name,
                                "clean_images": len(xs), "degraded_images": len(ys)},
             metrics=metrics)
    return model


def deflow_trainer() -> Trainer:
    """``degsdk train deflow``: ``train_deflow`` with ``DeFlowTrainOptions``."""
    return Trainer("Train DeFlow (conditional flow, unpaired clean/degraded images).",
                   train_deflow, DeFlowTrainOptions)

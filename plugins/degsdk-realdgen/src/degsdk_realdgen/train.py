"""Training RealDGen in two stages (paper §2.1–2.2, A.1–A.5), each resumable, each writing a
hub-ready model folder:

1. ``degsdk train realdgen --stage extractors --hr DIR … --out EXT``: HR patches degraded by
   the core ``realesrgan`` pipeline. First E_cont + Rec_hr by reconstruction (Eq. 1–2;
   ``content_fraction`` of the steps), then E_deg + Rec_lr with E_cont frozen: the triplet
   loss (Eq. 3–4) on degradation grids — per group, m = n + 1 HR patches × m parameter draws,
   every draw replayed exactly on every patch, so each LR has n positives (same draw, other
   patches) and n negatives (same patch, other draws) — plus λ_rec × the LR reconstruction
   loss Rec_lr(E_deg(x_lr), E_cont(x_hr)) (Eq. 5–6).
2. ``degsdk train realdgen --stage ddpm --init EXT --real-lr DIR … --out MODEL``: the UNet and
   the modulation block M (initialised from Rec_lr, whose form it shares) learn to denoise
   real LR patches under c = M(E_deg(x), E_cont(↑x)) (Algorithm 1, 500 steps); with
   ``finetune`` (default), E_cont's first block and E_deg's last conv are fine-tuned at
   ``finetune_lr`` (A.5: 1e-6 vs 1e-4), the rest of the extractors frozen. The finished model
   stores ``references`` crops of the real LR as its default references.

Adam; all randomness from ``seed``; ``out/checkpoint/`` every ``checkpoint_every`` steps lets
``resume`` continue exactly; a progress bar with the running losses.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import Field
from torch import Tensor

import degsdk
from degsdk import ConfigError, Trainer
from degsdk.hub import WeightsRef, WeightsRefOption
from degsdk.seeding import randint, uniform
from degsdk.training import Run, RunOptions

from .content import content_loss
from .data import random_patches, read_folders
from .diffusion import make_scheduler
from .losses import (
    degradation_grid,
    grid_triplets,
    mean_squared,
    noise_like,
    noise_prediction_loss,
    triplet_loss,
)
from .model import PRESETS, RealDGen, centre_crop
from .synthetic_pairs import camera_pairs


class RealDGenTrainOptions(RunOptions):
    """Options of ``train_realdgen`` and ``degsdk train realdgen`` (module doc), with the run
    options."""

    stage: Literal["extractors", "ddpm"] = Field(description="extractors (from --hr) or ddpm "
                                                 "(from --init and --real-lr)")
    hr: list[Path] = Field(default_factory=list, description="folder of clean HR images "
                           "(stage extractors; stage ddpm: the HR of its synthetic camera "
                           "pairs; repeatable)")
    real_lr: list[Path] = Field(default_factory=list, description="folder of real LR images "
                                "(stage ddpm; repeatable)")
    init: WeightsRefOption | None = Field(None, description="the extractors' model folder or "
                                          "ref (stage ddpm)")
    preset: Literal["tiny", "paper"] = Field("tiny", description="architecture (stage "
                                             "extractors)")
    scale: int = Field(4, description="HR side / LR side: 1, 2, 4 or 8 (stage extractors)")
    architecture: dict[str, Any] = Field(
        default_factory=dict, json_schema_extra={"cli": False},
        description="architecture values over the preset")
    content_fraction: float = Field(0.4, ge=0, le=1, description="share of the extractor "
                                    "steps spent on E_cont + Rec_hr")
    patch: int = Field(48, ge=8, description="LR patch side (the HR patch is patch × scale)")
    batch_size: int = Field(8, ge=1, description="stage ddpm: patches per step; stage "
                            "extractors: HR patches per step in the content phase")
    groups: int = Field(2, ge=1, description="degradation grids per step (stage extractors)")
    negatives: int = Field(3, ge=1, description="n positives and negatives per anchor "
                           "(paper: 3)")
    margin: float = Field(0.01, ge=0, description="triplet margin (paper: 0.01)")
    lambda_rec: float = Field(1.0, ge=0, description="LR reconstruction weight (Eq. 6)")
    lr: float = Field(1e-4, gt=0, description="Adam learning rate (paper: 1e-4)")
    finetune: bool = Field(True, description="stage ddpm: fine-tune E_cont's first block and "
                           "E_deg's last conv", json_schema_extra={
                               "off_help": "stage ddpm: do not fine-tune the extractors"})
    finetune_lr: float = Field(1e-6, ge=0, description="their learning rate (paper: 1e-6)")
    degradation: bool = Field(True, description="stage ddpm: condition on E_deg's vector "
                              "(--no-degradation: the content-only ablation of Table 4)",
                              json_schema_extra={"off_help": "stage ddpm: do not condition on "
                                                 "E_deg's vector (the content-only ablation "
                                                 "of Table 4)"})
    synthetic_fraction: float = Field(0.5, ge=0, le=1, description="stage ddpm with --hr: "
                                      "share of each batch made of synthetic camera pairs "
                                      "(content from the HR, degradation from another "
                                      "patch's LR through the same camera; paper: 0)")
    condition_dropout: float = Field(0.15, ge=0, lt=1, description="stage ddpm: share of "
                                     "samples trained with the null degradation vector, so "
                                     "generation can use guidance (paper: 0)")
    standardise: bool = Field(True, description="stage ddpm: standardise E_deg's vector "
                              "before M with the training data's mean and std",
                              json_schema_extra={"off_help": "stage ddpm: do not standardise "
                                                 "E_deg's vector (the paper's M reads it "
                                                 "as is)"})
    references: int = Field(16, ge=0, description="stage ddpm: real LR crops stored with the "
                            "model as its default references")
    checkpoint_every: int = Field(250, ge=0, description="save out/checkpoint every N steps "
                                  "(0: never)")


def _quiet_model(**params: Any) -> RealDGen:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "realdgen: this model's DDPM is untrained")
        return RealDGen(**params)


def _train_extractors(o: RealDGenTrainOptions) -> RealDGen:
    if not o.hr:
        raise ConfigError("--stage extractors needs --hr DIR (clean HR images)")
    arch = {**PRESETS[o.preset], **o.architecture}
    model = _quiet_model(scale=o.scale, **arch, trained_stages=["extractors"])
    model.reset_parameters(o.seed)
    s = o.scale
    side = o.patch * s
    if o.patch % model.lr_multiple:
        raise ConfigError(f"--patch {o.patch} is not a multiple of {model.lr_multiple} (the "
                          "UNet's downsampling)")
    degrader = degsdk.create("realesrgan", scale=s)
    if side < degrader.min_size():
        raise ConfigError(f"--patch {o.patch} × scale {s} = {side} px HR patches are below "
                          f"the realesrgan pipeline's {degrader.min_size()} px minimum; raise "
                          "--patch")
    images = list(read_folders(o.hr, "--hr", side).values())
    m = o.negatives + 1
    content_steps = round(o.content_fraction * o.steps)
    model.train()
    opt = torch.optim.Adam([p for n in ("e_cont", "rec_hr", "e_deg", "rec_lr")
                            for p in getattr(model, n).parameters()], lr=o.lr)
    run = _run(o)
    g = run.generator

    def step_fn(step: int) -> tuple[Tensor, dict[str, Tensor | float]]:
        if step < content_steps:
            hr = random_patches(images, o.batch_size, side, g)
            with torch.no_grad():
                lr = degradation_grid(degrader, hr[:, None], g)[:, 0, 0]
            loss = content_loss(model.e_cont, model.rec_hr, lr, hr, s)
            return loss, {"content": loss}
        hr = random_patches(images, o.groups * m, side, g).view(o.groups, m, 3, side, side)
        with torch.no_grad():
            lr = degradation_grid(degrader, hr, g)  # G×m×m×3×h×w
            content = model.e_cont(hr.flatten(0, 1))  # (G·m)×C×h×w
        flat = lr.flatten(0, 2)
        v = model.e_deg(flat)
        anchors, pos, neg = grid_triplets(v.view(o.groups, m, m, -1))
        cl = triplet_loss(anchors, pos, neg, o.margin)
        cont = content.view(o.groups, m, 1, *content.shape[1:]).expand(-1, -1, m, -1, -1, -1)
        rec = mean_squared(model.rec_lr(v, cont.flatten(0, 2)), flat)
        return cl + o.lambda_rec * rec, {"triplet": cl, "lr_rec": rec}

    meta = {"stage": "extractors", "steps_total": o.steps, "architecture": arch, "scale": s,
            "patch": o.patch, "batch_size": o.batch_size, "groups": o.groups,
            "negatives": o.negatives, "margin": o.margin, "lambda_rec": o.lambda_rec,
            "lr": o.lr, "content_fraction": o.content_fraction, "seed": o.seed}
    run.loop(model, opt, step_fn, meta=meta)
    model.eval()
    run.save(model, provenance={"hr_images": len(images),
                                "data_source": [str(p) for p in o.hr]})
    return model


def _run(o: RealDGenTrainOptions) -> Run:
    return Run("degsdk-realdgen", o, name=f"realdgen ({o.stage})")


def _load_extractors(ref: WeightsRef) -> RealDGen:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "realdgen: this model's DDPM is untrained")
        model = degsdk.load(ref.text)
    if not isinstance(model, RealDGen):
        raise ConfigError(f"--init {ref.text}: holds a {type(model).__name__}, not a realdgen "
                          "model")
    if "extractors" not in model.cfg.trained_stages:
        raise ConfigError(f"--init {ref.text}: its extractors are untrained (run --stage "
                          "extractors first)")
    return model


def _train_ddpm(o: RealDGenTrainOptions) -> RealDGen:
    if o.init is None or not o.real_lr:
        raise ConfigError("--stage ddpm needs --init EXTRACTORS (the stage-1 model folder) and "
                          "--real-lr DIR (real LR images)")
    first = _load_extractors(o.init)
    params = {k: v for k, v in first.cfg.model_dump().items() if k not in RealDGen.runtime_params}
    params["use_degradation"] = o.degradation
    params["deg_standardised"] = first.cfg.deg_standardised or o.standardise
    params["condition_dropout"] = o.condition_dropout or first.cfg.condition_dropout
    model = _quiet_model(**params)
    missing, _ = model.load_state_dict(first.state_dict(), strict=False)
    if set(missing) - {"deg_mean", "deg_std"}:
        raise ConfigError(f"--init {o.init.text}: weights lack {sorted(missing)}")
    if "ddpm" not in first.cfg.trained_stages:  # M starts as Rec_lr (same form, A.2)
        if model.rec_lr is None:
            raise ConfigError(f"--init {o.init.text}: a model without its reconstruction heads "
                              "cannot start a DDPM stage")
        model.modulation.layers.load_state_dict(model.rec_lr.layers.state_dict())
    if o.patch % model.lr_multiple:
        raise ConfigError(f"--patch {o.patch} is not a multiple of {model.lr_multiple} (the "
                          "UNet's downsampling)")
    real = read_folders(o.real_lr, "--real-lr", o.patch)
    images = list(real.values())
    s = model.cfg.scale
    hr_images = list(read_folders(o.hr, "--hr", o.patch * s).values()) if o.hr else []
    n_syn = round(o.synthetic_fraction * o.batch_size) if hr_images else 0
    run = _run(o)
    g = run.generator
    if model.cfg.deg_standardised and not first.cfg.deg_standardised:
        standardise_degradation(model, images, hr_images, o.patch, g)
    tuned = (model.e_cont.first_block() + model.e_deg.last_conv()) if o.finetune else []
    for p in model.parameters():
        p.requires_grad_(False)
    main = [*model.unet.parameters(), *model.modulation.parameters()]
    for p in main + tuned:
        p.requires_grad_(True)
    groups: list[dict[str, Any]] = [{"params": main}]
    if tuned:
        groups.append({"params": tuned, "lr": o.finetune_lr})
    opt = torch.optim.Adam(groups, lr=o.lr)
    c = model.cfg
    sched = make_scheduler("ddpm", c.timesteps, c.beta_start, c.beta_end)
    model.train()

    def step_fn(step: int) -> tuple[Tensor, dict[str, Tensor | float]]:
        x = random_patches(images, o.batch_size - n_syn, o.patch, g)
        keep = torch.tensor([uniform(g, 0, 1) >= o.condition_dropout
                             for _ in range(o.batch_size)])
        conds = [model.condition_from_lr(x, keep[: len(x)])] if len(x) else []
        if n_syn:
            hr, target, ref = camera_pairs(hr_images, n_syn, o.patch, s, g)
            conds.append(model.fuse(model.e_deg(ref), model.e_cont(hr), keep[len(x):]))
            x = torch.cat([x, target])
        t = torch.tensor([randint(g, 0, c.timesteps - 1) for _ in range(len(x))])
        noise = noise_like(x.shape, g)
        xt = sched.add_noise(x * 2 - 1, noise, t)
        eps = model.unet(torch.cat([xt, torch.cat(conds)], dim=1), t).sample
        loss = noise_prediction_loss(eps, noise)
        return loss, {"eps": loss}

    meta = {"stage": "ddpm", "steps_total": o.steps, "init": o.init.short_name or o.init.text,
            "patch": o.patch,
            "degradation": o.degradation,
            "batch_size": o.batch_size, "lr": o.lr, "finetune": o.finetune,
            "finetune_lr": o.finetune_lr, "synthetic_pairs_per_batch": n_syn,
            "condition_dropout": o.condition_dropout, "standardise": o.standardise,
            "seed": o.seed}
    run.loop(model, opt, step_fn, meta=meta)
    for p in model.parameters():
        p.requires_grad_(True)
    side = min(model.cfg.reference_size, *(min(x.shape[-2:]) for x in images))
    stored = _reference_crops(real, o.references, side)
    final = model.rebuilt(stored=stored, trained_stages=["extractors", "ddpm"],
                          reference_size=side)
    prov: dict[str, Any] = {"real_lr_images": len(real),
                            "data_source": [str(p) for p in [*o.real_lr, *o.hr]]}
    if hr_images:
        prov["synthetic_pair_hr_images"] = len(hr_images)
    run.save(final, provenance=prov)
    return final


STANDARDISE_SAMPLES = 256


@torch.no_grad()
def standardise_degradation(model: RealDGen, real: list[Tensor], hr: list[Tensor],
                            patch: int, g: torch.Generator) -> None:
    """Set ``deg_mean``/``deg_std`` to E_deg's per-dimension mean and std over
    ``STANDARDISE_SAMPLES`` training patches (real LR, and synthetic camera LR when ``hr``
    is given, half each), and fold them into M's modulation units so that M's output is
    unchanged: a unit's W·v + b becomes (W·diag(std))·v' + (b + W·mean) for v' = (v −
    mean)/std."""
    n_syn = STANDARDISE_SAMPLES // 2 if hr else 0
    lr = [random_patches(real, STANDARDISE_SAMPLES - n_syn, patch, g)]
    for _ in range(0, n_syn, 16):
        lr.append(camera_pairs(hr, 16, patch, model.cfg.scale, g)[1])
    v = torch.cat([model.e_deg(x) for x in torch.cat(lr).split(64)])
    mean, std = v.mean(dim=0), v.std(dim=0).clamp(min=1e-6)
    model.deg_mean.copy_(mean)
    model.deg_std.copy_(std)
    for layer in model.modulation.layers:
        w, b = layer.unit.weight, layer.unit.bias
        b.add_(w @ mean)
        w.mul_(std[None, :])


def _reference_crops(real: dict[str, Tensor], n: int, side: int) -> dict[str, Tensor]:
    """Centre ``side``² crops of up to ``n`` real LR images, evenly spaced in name order."""
    names = sorted(real)
    if n and len(names) > n:
        names = [names[round(i * (len(names) - 1) / (n - 1))] for i in range(n)] if n > 1 \
            else names[:1]
    return {k: centre_crop(real[k], side) for k in names[:n]}


def train_realdgen(options: RealDGenTrainOptions | None = None, /, **fields: Any) -> RealDGen:
    """Run one training stage (module doc) and save the model folder to ``out``."""
    o = RealDGenTrainOptions.of(options, **fields)
    return _train_extractors(o) if o.stage == "extractors" else _train_ddpm(o)


def realdgen_trainer() -> Trainer:
    """``degsdk train realdgen``: ``train_realdgen`` with ``RealDGenTrainOptions``."""
    return Trainer("Train RealDGen in stages: --stage extractors (HR images), then --stage "
                   "ddpm (real LR images).", train_realdgen, RealDGenTrainOptions)

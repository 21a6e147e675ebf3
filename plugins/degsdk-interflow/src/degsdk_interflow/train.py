"""Training InterFlow on aligned multi-level pairs (paper §3–4.1): ``degsdk train interflow
--hr DIR --level 2=DIR --level 4=DIR … --out DIR`` (or ``--realsr ROOT`` for the RealSR v2
layout), or ``train_interflow(...)``.

Each step draws ``batch_size`` random ``patch``² crops, aligned across the HR and every
level's LR, each with one of the 8 flips/transposes. The loss is NLL + λ_cons·L_cons +
λ_IB·L_IB (:mod:`degsdk_interflow.losses`). Adam; the learning rate is halved at 50, 75 and 90 %
of ``steps`` (the paper's 100k-step schedule, scaled). A step whose loss is non-finite, or (after
the first 100 steps) above ``skip_factor`` × the running mean of the accepted losses, is
skipped with its gradients zeroed; 100 in a row abort the run. All randomness comes from
``seed``. ``out/checkpoint/`` (every ``checkpoint_every`` steps) lets ``resume`` continue
exactly; the final ``out/`` is a hub-ready model folder whose card records the data, steps,
metrics and any calibration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import Field

from degsdk import ConfigError, Trainer, ZoomLevels, load
from degsdk.fit import parse_levels
from degsdk.hub import WeightsRefOption
from degsdk.seeding import draw_seed, generator_from_seed
from degsdk.training import Run, RunOptions, warm_start

from .calibrate import calibrate
from .data import (
    MultiLevelSet,
    from_folders,
    from_level_pairs,
    from_realsr,
    is_paired,
    one_level_folders,
    one_level_pairs,
    one_level_realsr,
    random_batch,
)
from .losses import training_losses
from .model import PRESETS, InterFlow
from .prior_fit import SCALE_BINS, fit_priors, fit_temperatures
from .priors import MeanKind

MILESTONES = (0.5, 0.75, 0.9)
MAX_BAD_STEPS = 100
WARMUP = 100


def learning_rate(base: float, step: int, steps: int) -> float:
    """``base`` halved at each milestone (50/75/90 % of ``steps``) already passed."""
    return base * 0.5 ** sum(step >= round(m * steps) for m in MILESTONES)


class InterFlowTrainOptions(RunOptions):
    """Options of ``train_interflow`` and ``degsdk train interflow`` (with the run options).
    The data is ``hr`` with
    ``level`` LEVEL=DIR folders, or ``realsr`` (a RealSR v2 root). ``preset`` sets the
    architecture; ``flow_steps``, ``flow_levels``, ``hidden`` and (from Python)
    ``architecture`` override parts of it."""

    hr: Path | None = Field(None, description="folder of HR images")
    level: ZoomLevels = Field(default_factory=dict, description="LEVEL=DIR: LR images of that "
                             "zoom level, registered to the HR (same names and size; "
                             "repeatable, ≥ 2)")
    level_pairs: ZoomLevels = Field(default_factory=dict, description="LEVEL=DIR: a paired "
                                   "folder (hr/ + lr/, aligned) per zoom level, as degsdk fit's "
                                   "--levels (repeatable, ≥ 2)")
    realsr: Path | None = Field(None, description="a RealSR v2 root (<Camera>/<Split>/<level>/"
                                "*_HR.png, *_LR<level>.png) instead of --hr/--level")
    camera: str | None = Field(None, description="RealSR camera folder (Canon, Nikon; "
                               "default: all)")
    split: str = Field("Train", description="RealSR split folder")
    realsr_level: list[float] = Field(default_factory=list, description="RealSR levels to "
                                      "train on (repeatable; default: all)")
    calibrate: list[str] = Field(default_factory=list, description="LEVEL=DIR (a paired "
                                 "folder hr/ + lr/, or an LR folder matched with --hr) or "
                                 "LEVEL (from --realsr): a held-out "
                                 "captured level to calibrate the level → weight map on")
    preset: Literal["tiny", "paper"] = Field("tiny", description="architecture preset")
    flow_steps: int | None = Field(None, ge=1, description="K flow steps per level (overrides "
                                   "the preset)")
    flow_levels: int | None = Field(None, ge=1, description="L (overrides the preset)")
    hidden: int | None = Field(None, ge=1, description="coupling width (overrides the preset)")
    architecture: dict[str, Any] = Field(
        default_factory=dict, json_schema_extra={"cli": False},
        description="other architecture values over the preset (nf, blocks, gc, …)")
    prior_mean: MeanKind = Field("scalar", description="scalar (official code) or channel "
                                 "(paper text) level means, while training")
    fit_priors: bool = Field(True, description="after training, set each level's Gaussian to "
                             "the maximum-likelihood fit of the flow's latents of the training "
                             "LR (per-channel mean, full covariance; departs from the paper, "
                             "whose learned priors a CPU budget leaves mis-fitted)",
                             json_schema_extra={"off_help": "keep the jointly learned priors "
                                                "(the paper's) instead of fitting them"})
    local_scale: bool = Field(True, description="with fit_priors: also fit each level's local "
                              "latent scale over the HR's brightness and gradient, and a τ "
                              "factor per level (departs from the paper; scale_map.py)",
                              json_schema_extra={"off_help": "fit plain Gaussians instead (no "
                                                 "local scale, τ factors of 1)"})
    patch: int = Field(64, ge=4, description="patch side (paper: 160)")
    batch_size: int = Field(8, ge=1, description="scenes per step (each with every level)")
    lr: float = Field(1e-4, ge=0, description="Adam learning rate (paper: 1e-4)")
    lambda_cons: float = Field(10.0, ge=0, description="LR-consistency weight (0: off)")
    lambda_ib: float = Field(1.0, ge=0, description="information-bottleneck weight (0: off)")
    cons_down: int = Field(4, ge=1, description="LR-consistency downscale factor")
    init: WeightsRefOption | None = Field(None, description="fine-tune from these InterFlow "
                                          "weights (same architecture and number of levels), "
                                          "e.g. interflow/camera24, instead of a random init")
    skip_factor: float = Field(3.0, gt=1, description="after step 100, skip a step whose "
                               "loss exceeds this × the running mean of the accepted losses "
                               "(exploding)")


def _dataset(o: InterFlowTrainOptions) -> MultiLevelSet:
    given = [name for name, v in (("--hr/--level", o.hr is not None or o.level),
                                  ("--level-pairs", o.level_pairs), ("--realsr", o.realsr))
             if v]
    if len(given) != 1:
        raise ConfigError("give the data one way: --hr with --level LEVEL=DIR (≥ 2), "
                          "--level-pairs LEVEL=DIR (≥ 2) or --realsr ROOT"
                          + (f" (got {' and '.join(given)})" if given else ""))
    if o.realsr is not None:
        return from_realsr(o.realsr, o.camera, o.split, o.realsr_level or None)
    if o.level_pairs:
        return from_level_pairs(o.level_pairs)
    if o.hr is None or len(o.level) < 2:
        raise ConfigError("give --hr and at least two --level LEVEL=DIR")
    return from_folders(o.hr, o.level)


def _calibration_sets(o: InterFlowTrainOptions) -> list[tuple[float, MultiLevelSet]]:
    out = []
    for item in o.calibrate:
        if "=" in item:
            ((level, folder),) = parse_levels([item], "--calibrate").items()
            if is_paired(folder):
                out.append((level, one_level_pairs(level, folder)))
                continue
            if o.hr is None:
                raise ConfigError(f"--calibrate {item!r}: an LR folder needs --hr (or give a "
                                  "paired folder with hr/ and lr/)")
            out.append((level, one_level_folders(o.hr, level, folder)))
        else:
            if o.realsr is None:
                raise ConfigError(f"--calibrate {item!r}: a bare LEVEL needs --realsr")
            level = next(iter(parse_levels([f"{item}=realsr"], "--calibrate")))  # (checks it)
            out.append((level, one_level_realsr(o.realsr, level, o.camera, o.split)))
    return out


PRIORS_FITTED = ("fitted after training: each level's maximum-likelihood Gaussian of the flow's "
                 "latents of its training LR (per-channel mean, full covariance)")
PRIORS_LOCAL = ("; with a local scale over the HR's brightness and gradient and a τ factor per "
                "level fitted to the training LR")


def train_interflow(options: InterFlowTrainOptions | None = None, /, **fields: Any
                    ) -> InterFlow:
    """Train InterFlow (module doc) and save it to ``out``. Returns the model."""
    o = InterFlowTrainOptions.of(options, **fields)
    data = _dataset(o)
    held_out = _calibration_sets(o)
    for level, _ in held_out:  # checked now, not after the training
        if not data.levels[0] < level < data.levels[-1] or level in data.levels:
            raise ConfigError(f"--calibrate {level:g}: a held-out level must lie strictly "
                              f"between the trained levels {data.levels}")
    overrides = {k: getattr(o, k) for k in ("flow_steps", "flow_levels", "hidden")
                 if getattr(o, k) is not None}
    arch = {**PRESETS[o.preset], **overrides, **o.architecture}
    prior_mean, scale_bins = o.prior_mean, []
    if o.init is not None:
        # fine-tuning keeps the form of the init's priors (fitted ones: per-channel means,
        # scale tables; the tables are refitted after training)
        init_cfg = load(o.init.text).cfg  # type: ignore[attr-defined]
        scale_bins = init_cfg.scale_bins
        if "prior_mean" not in o.model_fields_set:
            prior_mean = init_cfg.prior_mean
    model = InterFlow(**arch, trained_levels=data.levels, prior_mean=prior_mean,
                      scale_bins=scale_bins)
    if o.patch % model.size_multiple:
        raise ConfigError(f"patch {o.patch} is not a multiple of {model.size_multiple} "
                          "(the ×4 space-to-depth and 2^flow_levels)")
    if data.smallest_side() < o.patch:
        raise ConfigError(f"the smallest training image side is {data.smallest_side()} px, "
                          f"below the {o.patch} px patch; lower --patch")
    run = Run("degsdk-interflow", o, name="interflow")
    g = run.generator
    model.reset_parameters(g)
    # the levels (and their calibration) are this run's: the priors of the i-th level start
    # from the i-th of the weights'
    init = None if o.init is None else warm_start(
        model, o.init, ignore=("trained_levels", "calibration", "level_temperatures"))
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=o.lr)
    meta = {"levels": data.levels, "scenes": data.names, "steps_total": o.steps,
            "architecture": arch, "prior_mean": prior_mean, "patch": o.patch,
            "batch_size": o.batch_size, "lr": o.lr, "lambda_cons": o.lambda_cons,
            "lambda_ib": o.lambda_ib, "cons_down": o.cons_down, "seed": o.seed, "init": init}

    def step(i: int) -> tuple[torch.Tensor, dict[str, torch.Tensor | float]]:
        hr, lrs = random_batch(data, o.batch_size, o.patch, g)
        gens = [generator_from_seed(draw_seed(g)) for _ in range(o.batch_size)]
        terms = training_losses(model, hr, lrs, gens, o.lambda_cons, o.lambda_ib, o.cons_down)
        return terms["total"], dict(terms)

    run.loop(model, opt, step, meta=meta, lr_at=lambda i: learning_rate(o.lr, i, o.steps),
             skip_factor=o.skip_factor, warmup=WARMUP, max_bad_steps=MAX_BAD_STEPS)
    model.eval()
    metrics: dict[str, Any] = {}
    if o.fit_priors:
        model = fit_priors(model, data, SCALE_BINS if o.local_scale else ())
        if o.local_scale:
            curves = fit_temperatures(model, data, seed=o.seed)
            metrics["level_temperatures"] = {f"{lv:g}": {f"{t:g}": v for t, v in c.items()}
                                             for lv, c in curves.items()}
    for level, held in held_out:
        w, curve = calibrate(model, held.hr[:8], [row[0] for row in held.lr[:8]], level,
                             seed=o.seed)
        metrics[f"calibration_{level:g}"] = {"weight": w, "hf_kl": curve}
    run.save(model, provenance={"scenes": len(data), "data_source": str(o.realsr or o.hr),
                                "calibrated_on": [lv for lv, _ in held_out],
                                "priors": (PRIORS_FITTED + (PRIORS_LOCAL if o.local_scale else "")
                                           if o.fit_priors else "learned")},
             metrics=metrics)
    return model


def interflow_trainer() -> Trainer:
    """``degsdk train interflow``: ``train_interflow`` with ``InterFlowTrainOptions``."""
    return Trainer("Train InterFlow (conditional flow over zoom levels, aligned multi-level "
                   "pairs).", train_interflow, InterFlowTrainOptions)

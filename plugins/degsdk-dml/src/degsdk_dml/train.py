"""Training DML on aligned real pairs (paper §3.2, eq. 4): ``degsdk train dml …`` or
``train_dml(...)``.

Each step takes ``batch_size`` random HR patches (with random left-right and up-down flips)
and the matching LR patches, predicts the noise-free LR and makes one Adam step on the mean
squared error (on RGB, or on the Y channel as in the paper). Patches are cut with a margin of
K/2 pixels that is predicted but not scored, so the loss never sees padding the real camera
did not have. All randomness comes from ``torch.Generator(seed)``.

``out/checkpoint/`` holds the latest state every ``checkpoint_every`` steps: the model folder
plus ``trainer_state.safetensors`` (Adam moments, the patch generator, the step), so
``--resume`` continues exactly where the run stopped. The final model folder ``out/`` is
hub-ready; its card records the data, the steps and the metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import Field
from torch import Tensor

from degsdk import ConfigError, Trainer
from degsdk.io import find_pairs, read_image
from degsdk.metrics import psnr
from degsdk.ops import luma
from degsdk.training import Run, RunOptions, random_crops

from .model import DML


def _load_pairs(folder: str | Path, scale: int | None) -> tuple[list[Tensor], list[Tensor], int]:
    pairs = find_pairs(folder, scale=scale)
    hrs = [read_image(p.hr) for p in pairs]
    lrs = [read_image(p.lr) for p in pairs]
    return hrs, lrs, hrs[0].shape[-1] // lrs[0].shape[-1]


def _batch(hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int, patch: int, margin: int,
           batch_size: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """HR patches of patch + 2·margin px and the LR patches of their centre (patch/scale),
    with random left-right and up-down flips (the core sampler; flipping HR and LR together
    keeps them aligned, the margins being symmetric)."""
    ph, m = patch // scale, margin // scale
    lr, hr = random_crops(list(zip(lrs, hrs, strict=True)), batch_size, ph + 2 * m, g,
                          scales=(1, scale), flips="hv")
    return hr, lr[..., m : m + ph, m : m + ph]


def evaluate_pairs(model: DML, hrs: Sequence[Tensor], lrs: Sequence[Tensor]) -> float:
    """Mean PSNR (RGB, 8-bit) of the noise-free predicted LR against the real LR."""
    with torch.no_grad():
        vals = [float(psnr(model.predict(h[None]).clamp(0, 1), lr[None]))
                for h, lr in zip(hrs, lrs, strict=True)]
    return sum(vals) / len(vals)


class DMLTrainOptions(RunOptions):
    """Options of ``train_dml`` and ``degsdk train dml`` (with the run options: out, steps,
    seed, lr, checkpoints, resume, time limit, data note, progress, threads)."""

    pairs: Path = Field(description="aligned paired folder (hr/ + lr/)")
    scale: int | None = Field(None, ge=1, description="HR/LR scale (default: from the pairs)")
    width: int = Field(16, ge=1, description="weight-network width")
    poolings: int = Field(2, ge=0, description="weight-network poolings (its levels)",
                          json_schema_extra={"deprecated_names": ["levels"]})
    num_kernels: int = Field(8, ge=1, description="basis kernels M")
    kernel_size: int = Field(15, ge=1, description="basis kernel size K (odd)")
    batch_size: int = Field(8, ge=1, description="patches per step")
    patch: int = Field(64, ge=1, description="scored HR patch side (a multiple of the scale)")
    lr: float = Field(1e-4, gt=0, description="Adam learning rate (paper: 1e-4)")
    channel: Literal["rgb", "y"] = Field("rgb", description="loss on 'rgb' or the paper's "
                                         "'y' channel")
    val: Path | None = Field(None, description="held-out paired folder scored at the end")


def train_dml(options: DMLTrainOptions | None = None, /, **fields: Any) -> DML:
    """Train DML on the paired folder ``pairs`` and save it to ``out``; returns the model.
    ``patch`` is the scored HR patch side (a multiple of the scale); ``data`` is a free-text
    description of the pairs for the model card."""
    o = DMLTrainOptions.of(options, **fields)
    hrs, lrs, k = _load_pairs(o.pairs, o.scale)
    if o.patch % k:
        raise ConfigError(f"patch {o.patch} is not a multiple of the scale {k}")
    model = DML(scale=k, num_kernels=o.num_kernels, kernel_size=o.kernel_size, width=o.width,
                levels=o.poolings)
    margin = -(-(o.kernel_size // 2) // k) * k
    small = [i for i, x in enumerate(hrs) if min(x.shape[-2:]) < o.patch + 2 * margin]
    if small:
        raise ConfigError(f"{o.pairs}: {len(small)} HR images are smaller than the patch plus "
                          f"its margin ({o.patch + 2 * margin} px)")
    run = Run("degsdk-dml", o, name="dml")
    g = run.generator
    model.reset_parameters(g)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=o.lr)
    meta = {"pairs": str(Path(o.pairs).resolve()), "scale": k, "width": o.width,
            "levels": o.poolings,
            "num_kernels": o.num_kernels, "kernel_size": o.kernel_size, "batch_size": o.batch_size,
            "patch": o.patch, "lr": o.lr, "seed": o.seed, "channel": o.channel}
    val_data = _load_pairs(o.val, k)[:2] if o.val is not None else None

    def step(i: int) -> tuple[torch.Tensor, dict[str, torch.Tensor | float]]:
        x, y = _batch(hrs, lrs, k, o.patch, margin, o.batch_size, g)
        pred = model.predict(x)
        m = margin // k
        pred = pred[..., m : pred.shape[-2] - m, m : pred.shape[-1] - m]
        loss = (torch.nn.functional.mse_loss(luma(pred), luma(y)) if o.channel == "y"
                else torch.nn.functional.mse_loss(pred, y))
        return loss, {"mse": loss}

    run.loop(model, opt, step, meta=meta)
    model.eval()
    metrics: dict[str, Any] = {}
    prov: dict[str, Any] = {"pairs": Path(o.pairs).resolve().name,
                            "train_pairs": [p.hr.stem for p in find_pairs(o.pairs, scale=k)]}
    if o.val is not None and val_data is not None:
        metrics["val_lr_psnr_rgb"] = evaluate_pairs(model, *val_data)
        prov["val_pairs"] = [p.hr.stem for p in find_pairs(o.val, scale=k)]
    run.save(model, provenance=prov, metrics=metrics)
    return model


def dml_trainer() -> Trainer:
    """``degsdk train dml``: ``train_dml`` with ``DMLTrainOptions``."""
    return Trainer("Train DML (basis kernels + per-pixel weights) on aligned real pairs.",
                   train_dml, DMLTrainOptions)

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

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor
from tqdm import tqdm

from degsdk import ConfigError, Trainer, TrainerOption
from degsdk.hub import WEIGHTS_NAME, load_state_strict
from degsdk.io import find_pairs, read_image
from degsdk.metrics import psnr
from degsdk.training import load_trainer_state, save_trained, save_trainer_state

from .model import DML

_LUMA = (0.299, 0.587, 0.114)


def _luma(x: Tensor) -> Tensor:
    return (x * x.new_tensor(_LUMA).view(1, 3, 1, 1)).sum(1, keepdim=True)


def _load_pairs(folder: str | Path, scale: int | None) -> tuple[list[Tensor], list[Tensor], int]:
    pairs = find_pairs(folder, scale=scale)
    hrs = [read_image(p.hr) for p in pairs]
    lrs = [read_image(p.lr) for p in pairs]
    return hrs, lrs, hrs[0].shape[-1] // lrs[0].shape[-1]


def _batch(hrs: Sequence[Tensor], lrs: Sequence[Tensor], scale: int, patch: int, margin: int,
           batch_size: int, g: torch.Generator) -> tuple[Tensor, Tensor]:
    """HR patches of patch + 2·margin px and the LR patches of their centre (patch/scale)."""
    hb, lb = [], []
    full = patch + 2 * margin
    for _ in range(batch_size):
        k = int(torch.randint(len(hrs), (1,), generator=g))
        hr, lr = hrs[k], lrs[k]
        h, w = lr.shape[-2:]
        ph, m = patch // scale, margin // scale
        t = int(torch.randint(h - ph - 2 * m + 1, (1,), generator=g))
        s = int(torch.randint(w - ph - 2 * m + 1, (1,), generator=g))
        x = hr[:, t * scale : t * scale + full, s * scale : s * scale + full]
        y = lr[:, t + m : t + m + ph, s + m : s + m + ph]
        flips = [d for d, f in ((-1, torch.rand((), generator=g) < 0.5),
                                (-2, torch.rand((), generator=g) < 0.5)) if f]
        if flips:  # flipping HR and LR together keeps them aligned (margins are symmetric)
            x, y = x.flip(flips), y.flip(flips)
        hb.append(x)
        lb.append(y)
    return torch.stack(hb), torch.stack(lb)


def evaluate_pairs(model: DML, hrs: Sequence[Tensor], lrs: Sequence[Tensor]) -> float:
    """Mean PSNR (RGB, 8-bit) of the noise-free predicted LR against the real LR."""
    with torch.no_grad():
        vals = [float(psnr(model.predict(h[None]).clamp(0, 1), lr[None]))
                for h, lr in zip(hrs, lrs, strict=True)]
    return sum(vals) / len(vals)


def train_dml(pairs: str | Path, out: str | Path, scale: int | None = None, steps: int = 2000,
              width: int = 16, levels: int = 2, num_kernels: int = 8, kernel_size: int = 15,
              batch_size: int = 8, patch: int = 64, lr: float = 1e-4, seed: int = 0,
              channel: Literal["rgb", "y"] = "rgb", checkpoint_every: int = 500,
              resume: bool = False, max_seconds: float | None = None,
              val: str | Path | None = None, data: str | None = None,
              progress: bool = True) -> DML:
    """Train DML on the paired folder ``pairs`` and save it to ``out``; returns the model.
    ``patch`` is the scored HR patch side (a multiple of the scale); ``data`` is a free-text
    description of the pairs for the model card."""
    hrs, lrs, k = _load_pairs(pairs, scale)
    if channel not in ("rgb", "y"):
        raise ConfigError(f"channel must be 'rgb' or 'y', got {channel!r}")
    if patch % k:
        raise ConfigError(f"patch {patch} is not a multiple of the scale {k}")
    model = DML(scale=k, num_kernels=num_kernels, kernel_size=kernel_size, width=width,
                levels=levels)
    margin = -(-(kernel_size // 2) // k) * k
    small = [i for i, x in enumerate(hrs) if min(x.shape[-2:]) < patch + 2 * margin]
    if small:
        raise ConfigError(f"{pairs}: {len(small)} HR images are smaller than the patch plus "
                          f"its margin ({patch + 2 * margin} px)")
    g = torch.Generator().manual_seed(seed)
    model.reset_parameters(g)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    meta = {"pairs": str(Path(pairs).resolve()), "scale": k, "width": width, "levels": levels,
            "num_kernels": num_kernels, "kernel_size": kernel_size, "batch_size": batch_size,
            "patch": patch, "lr": lr, "seed": seed, "channel": channel}
    ckpt = Path(out) / "checkpoint"
    start = 0
    if resume:
        load_state_strict(model, ckpt / WEIGHTS_NAME)
        start = load_trainer_state(ckpt, opt, g, meta)
    val_data = _load_pairs(val, k)[:2] if val is not None else None
    t0 = time.perf_counter()
    bar = tqdm(range(start, steps), desc="train dml", unit="step", initial=start,
               total=steps, disable=None if progress else True)
    done, ema = start, None
    for step in bar:
        x, y = _batch(hrs, lrs, k, patch, margin, batch_size, g)
        pred = model.predict(x)
        m = margin // k
        pred = pred[..., m : pred.shape[-2] - m, m : pred.shape[-1] - m]
        loss = (torch.nn.functional.mse_loss(_luma(pred), _luma(y)) if channel == "y"
                else torch.nn.functional.mse_loss(pred, y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        done = step + 1
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        bar.set_postfix(mse=f"{ema:.2e}")
        if checkpoint_every and done % checkpoint_every == 0 and done < steps:
            model.save_pretrained(ckpt)
            save_trainer_state(ckpt, opt, g, done, meta)
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
    bar.close()
    model.eval()
    metrics: dict[str, Any] = {"train_mse_ema": ema}
    prov: dict[str, Any] = {"trainer": "degsdk-dml", "steps": done, **meta,
                            "pairs": Path(pairs).resolve().name,
                            "train_pairs": [p.hr.stem for p in find_pairs(pairs, scale=k)]}
    if val is not None and val_data is not None:
        metrics["val_lr_psnr_rgb"] = evaluate_pairs(model, *val_data)
        prov["val_pairs"] = [p.hr.stem for p in find_pairs(val, scale=k)]
    save_trained(model, out, prov, metrics, time.perf_counter() - t0, done, steps, max_seconds,
                 data)
    return model


def dml_trainer() -> Trainer:
    opts = (
        TrainerOption("pairs", "aligned paired folder (hr/ + lr/)", required=True),
        TrainerOption("out", "output model folder", required=True),
        TrainerOption("scale", "HR/LR scale (default: from the pairs)", int, None),
        TrainerOption("steps", "training steps", int, 2000),
        TrainerOption("width", "weight-network width", int, 16),
        TrainerOption("levels", "weight-network poolings", int, 2),
        TrainerOption("num_kernels", "basis kernels M", int, 8),
        TrainerOption("kernel_size", "basis kernel size K (odd)", int, 15),
        TrainerOption("batch_size", "patches per step", int, 8),
        TrainerOption("patch", "scored HR patch side", int, 64),
        TrainerOption("lr", "Adam learning rate (paper: 1e-4)", float, 1e-4),
        TrainerOption("seed", "seed", int, 0),
        TrainerOption("channel", "loss on 'rgb' or the paper's 'y' channel", str, "rgb",
                      choices=("rgb", "y")),
        TrainerOption("checkpoint_every", "save out/checkpoint every N steps", int, 500),
        TrainerOption("resume", "continue from out/checkpoint", flag=True),
        TrainerOption("max_seconds", "stop after this many seconds", float, None),
        TrainerOption("val", "held-out paired folder scored at the end", str, None),
        TrainerOption("data", "description of the training data for the model card", str,
                      None),
    )

    def run(**kw: Any) -> None:
        train_dml(**kw)

    return Trainer("Train DML (basis kernels + per-pixel weights) on aligned real pairs.",
                   run, opts)

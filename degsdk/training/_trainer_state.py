"""``trainer_state.safetensors``: Adam moments, the data generator's state, the step and the
run settings, so ``--resume`` continues a run exactly (no pickle)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import safetensors
import safetensors.torch
import torch

from .._errors import ConfigError, WeightsError
from ..io._atomic import atomic_path

STATE_NAME = "trainer_state.safetensors"


def save_trainer_state(folder: Path, opt: torch.optim.Optimizer, g: torch.Generator,
                       step: int, meta: dict[str, Any]) -> None:
    """Write ``folder/trainer_state.safetensors`` atomically: every tensor of the optimiser
    state (every param group, parameters numbered in group order), the generator state,
    ``step`` and ``meta`` (JSON)."""
    tensors: dict[str, torch.Tensor] = {"generator": g.get_state()}
    for i, p in enumerate(_params(opt)):
        for key, val in opt.state.get(p, {}).items():
            tensors[f"opt.{i}.{key}"] = torch.as_tensor(val).detach().clone().contiguous()
    with atomic_path(Path(folder) / STATE_NAME) as tmp:
        safetensors.torch.save_file(tensors, str(tmp),
                                    metadata={"step": str(step), "meta": json.dumps(meta)})


def load_trainer_state(folder: Path, opt: torch.optim.Optimizer, g: torch.Generator,
                       meta: dict[str, Any]) -> int:
    """Restore what :func:`save_trainer_state` wrote into ``opt`` and ``g``; return the step.
    Refuses (``ConfigError``) when ``meta`` differs from the saved settings."""
    path = Path(folder) / STATE_NAME
    if not path.is_file():
        raise WeightsError(f"--resume: {path} not found (no checkpoint to resume from)")
    with safetensors.safe_open(str(path), framework="pt") as f:
        info = f.metadata() or {}
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    saved = json.loads(info.get("meta", "{}"))
    changed = sorted(k for k in meta if saved.get(k) != meta[k])
    if changed:
        raise ConfigError("--resume: the checkpoint was made with other settings: "
                          + ", ".join(f"{k} {saved.get(k)!r} → {meta[k]!r}" for k in changed))
    g.set_state(tensors.pop("generator"))
    for i, p in enumerate(_params(opt)):
        state = {key.split(".")[2]: val for key, val in tensors.items()
                 if key.startswith(f"opt.{i}.")}
        if state:
            opt.state[p] = state
    return int(info["step"])


def _params(opt: torch.optim.Optimizer) -> list[torch.Tensor]:
    """Every parameter of ``opt``, group after group (the first group's numbering is the one
    checkpoints made before other groups were saved used)."""
    return [p for group in opt.param_groups for p in group["params"]]

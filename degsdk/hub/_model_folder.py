"""The model folder shared by every learned component:

- ``config.json`` — ``ModelConfig``: format version, component kind and registered name, the
  architecture (constructor parameters fixed by the weights), options (constructor parameters
  that may be overridden at load time), provenance (training data, steps, seed, metrics …);
- ``model.safetensors`` — the state dict (never pickle);
- ``README.md`` — a model card with YAML metadata.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

import pydantic
import safetensors
import safetensors.torch
import torch
import yaml
from torch import nn

from .._errors import WeightsError
from ..io._atomic import default_mode, write_text_atomic

FORMAT_VERSION = 1
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
CARD_NAME = "README.md"

Kind = Literal["degrader", "extractor", "sr_model"]


class ModelConfig(pydantic.BaseModel):
    """``config.json`` of a model folder."""

    model_config = pydantic.ConfigDict(extra="forbid")

    format_version: int = FORMAT_VERSION
    kind: Kind
    name: str = pydantic.Field(min_length=1)
    architecture: dict[str, Any] = pydantic.Field(default_factory=dict)
    options: dict[str, Any] = pydantic.Field(default_factory=dict)
    provenance: dict[str, Any] = pydantic.Field(default_factory=dict)
    degsdk_version: str = ""
    weights_sha256: str = pydantic.Field(
        default="", description="sha256 of model.safetensors, checked at every load (empty in "
        "folders written before degsdk recorded it)")


def read_config(folder: Path) -> ModelConfig:
    """Read and validate ``folder/config.json``; a newer format version is a clear error."""
    path = folder / CONFIG_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeightsError(f"{folder}: not a model folder (no {CONFIG_NAME})") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise WeightsError(f"{path}: unreadable config ({exc})") from None
    if not isinstance(data, dict):
        raise WeightsError(f"{path}: expected a JSON object")
    version = data.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise WeightsError(f"{path}: format_version {version!r} is newer than this degsdk "
                           f"understands ({FORMAT_VERSION}); upgrade degsdk")
    try:
        return ModelConfig.model_validate(data)
    except pydantic.ValidationError as exc:
        errs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise WeightsError(f"{path}: invalid config ({errs})") from None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_state_strict(module: nn.Module, path: Path) -> None:
    """Load ``path`` (safetensors) into ``module``: every tensor must exist with the same shape
    and the same kind (floating point or integer: a float file tensor would be truncated into
    an integer one), none may be missing or extra. Errors name the tensors."""
    try:
        state = safetensors.torch.load_file(str(path), device="cpu")
    except FileNotFoundError:
        raise WeightsError(f"{path}: missing weights file") from None
    except (safetensors.SafetensorError, OSError, ValueError) as exc:
        raise WeightsError(f"{path}: not a valid safetensors file — corrupt or truncated "
                           f"({' '.join(str(exc).split())})") from None
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    shapes = sorted(f"{k} (file {tuple(state[k].shape)}, model {tuple(own[k].shape)})"
                    for k in set(own) & set(state) if state[k].shape != own[k].shape)
    kinds = sorted(f"{k} (file {state[k].dtype}, model {own[k].dtype})"
                   for k in set(own) & set(state)
                   if state[k].dtype.is_floating_point != own[k].dtype.is_floating_point)
    problems = []
    if missing:
        problems.append(f"missing tensors: {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected tensors: {', '.join(unexpected)}")
    if shapes:
        problems.append(f"shape mismatches: {', '.join(shapes)}")
    if kinds:
        problems.append(f"dtype mismatches: {', '.join(kinds)}")
    if problems:
        raise WeightsError(f"{path}: weights do not fit {type(module).__name__}: "
                           + "; ".join(problems))
    module.load_state_dict(state, strict=True)


def model_card(cfg: ModelConfig, repo_hint: str | None = None) -> str:
    """A model card: YAML metadata (licence, data, metrics, tags) and how to load."""
    prov = cfg.provenance
    meta: dict[str, Any] = {
        "library_name": "degsdk",
        "license": prov.get("license", "other"),
        "tags": ["degsdk", cfg.kind.replace("_", "-"), cfg.name, "super-resolution"],
    }
    if prov.get("datasets"):
        meta["datasets"] = list(prov["datasets"])
    numeric = {k: v for k, v in (prov.get("metrics") or {}).items()
               if isinstance(v, int | float) and not isinstance(v, bool)}
    if numeric:
        meta["model-index"] = [{"name": cfg.name, "results": [
            {"metrics": [{"type": k, "value": v} for k, v in numeric.items()]}]}]
    ref = f"hf://{repo_hint}" if repo_hint else "path/to/this/folder"
    lines = [
        "---", yaml.safe_dump(meta, sort_keys=False).strip(), "---", "",
        f"# {cfg.name} ({cfg.kind.replace('_', ' ')}) for degsdk", "",
        "## Load", "", "```python", "import degsdk", "",
        f'model = degsdk.load("{ref}")', "```", "",
        "## Architecture", "", "```json", json.dumps(cfg.architecture, indent=2), "```", "",
    ]
    if cfg.options:
        lines += ["## Options (may be overridden at load time)", "", "```json",
                  json.dumps(cfg.options, indent=2), "```", ""]
    if prov:
        lines += ["## Provenance", "", "```yaml",
                  yaml.safe_dump(prov, sort_keys=False).strip(), "```", ""]
    if cfg.weights_sha256:
        lines += [_integrity(cfg)]
    return "\n".join(lines)


def _integrity(cfg: ModelConfig) -> str:
    return (f"## Integrity\n\n`model.safetensors` sha256: `{cfg.weights_sha256}` (recorded in "
            "`config.json`; degsdk refuses a file that does not match)\n")


def write_folder(folder: Path, cfg: ModelConfig, state: dict[str, torch.Tensor],
                 card: str | None = None) -> Path:
    """Write a model folder. A new folder is staged beside the target and renamed into place;
    in an existing folder each file is replaced atomically."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to("cpu").contiguous().clone() for k, v in state.items()}
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        safetensors.torch.save_file(tensors, str(staging / WEIGHTS_NAME),
                                    metadata={"format": "pt", "degsdk_kind": cfg.kind,
                                              "degsdk_name": cfg.name})
        cfg = cfg.model_copy(update={"weights_sha256": file_sha256(staging / WEIGHTS_NAME)})
        if card is not None and "sha256" not in card:
            card = card.rstrip("\n") + "\n\n" + _integrity(cfg)
        write_text_atomic(staging / CONFIG_NAME, cfg.model_dump_json(indent=2) + "\n")
        write_text_atomic(staging / CARD_NAME, card if card is not None else model_card(cfg))
        os.chmod(staging / WEIGHTS_NAME, default_mode())
        if not folder.exists():
            os.chmod(staging, default_mode(directory=True))
            os.replace(staging, folder)
        else:
            for f in (WEIGHTS_NAME, CONFIG_NAME, CARD_NAME):
                os.replace(staging / f, folder / f)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder

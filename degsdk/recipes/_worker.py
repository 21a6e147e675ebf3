"""The per-batch work of a recipe run, shared by the local backend (in-process or worker
processes) and the Ray backend: build the degraders once per worker, then degrade and write
batches of samples."""

from __future__ import annotations

import collections
import hashlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import torch

from .._config import from_config
from .._interfaces import Degrader
from ..io._atomic import write_text_atomic
from ..io._folders import pair_folders
from ..io._image import read_image, write_image
from ..seeding import Stream, derive_seed
from ._schema import RecipeSpec

STATE_DIR = ".degsdk-run"


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare_hr(hr: torch.Tensor, hr_t: Degrader | None, seed: int, indices: list[int],
               bit_depth: int) -> tuple[torch.Tensor, list[Any]]:
    """Apply the optional ``hr_transform`` (seeded from
    ``derive_seed(seed, 0, Stream.HR_TRANSFORM)``) and quantise to the output bit depth, so the
    saved HR is exactly what is degraded."""
    params: list[Any] = [None] * hr.shape[0]
    if hr_t is not None:
        res = hr_t(hr, seed=derive_seed(seed, 0, Stream.HR_TRANSFORM), indices=indices)
        hr, params = res.lr, res.params
    levels = 255.0 if bit_depth == 8 else 65535.0
    return (hr * levels).round() / levels, params


# ----------------------------------------------------------------------------- worker side
_WORKER: dict[str, Any] = {}


def exit_with_parent(parent_pid: int, interval: float = 0.5) -> None:
    """In a worker process: exit as soon as ``parent_pid`` is no longer the parent (it died,
    even by ``kill -9``, and the worker was re-parented), so no worker outlives its run."""
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="degsdk-parent-watch", daemon=True).start()


def exit_with_process(pid: int, interval: float = 0.5) -> None:
    """In a worker on the same machine that is not ``pid``'s child (a Ray actor of a local
    cluster): exit as soon as process ``pid`` (the driver) no longer exists."""

    def watch() -> None:
        while True:
            time.sleep(interval)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass  # it exists, owned by someone else

    threading.Thread(target=watch, name="degsdk-driver-watch", daemon=True).start()


def init_worker(recipe_json: str, threads: int = 1, parent_pid: int | None = None) -> None:
    """Build the degraders once per worker; one intra-op thread (results must not depend on
    threading). With ``parent_pid``, the worker exits when that parent dies."""
    if parent_pid is not None:
        exit_with_parent(parent_pid)
    torch.set_num_threads(threads)
    recipe = RecipeSpec.model_validate_json(recipe_json)
    _WORKER["recipe"] = recipe
    _WORKER["deg"] = from_config(recipe.degrader, where="degrader")
    _WORKER["hr_t"] = (from_config(recipe.hr_transform, where="hr_transform")
                       if recipe.hr_transform else None)


def clear_worker() -> None:
    """Drop what ``init_worker`` built (after an in-process run)."""
    _WORKER.clear()


def degrade_batch(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Degrade and write one batch of samples; returns their manifest records."""
    recipe: RecipeSpec = _WORKER["recipe"]
    deg: Degrader = _WORKER["deg"]
    hr_t: Degrader | None = _WORKER["hr_t"]
    out = Path(recipe.output.dir)
    device = torch.device(recipe.run.device)
    records: list[dict[str, Any]] = []
    # Samples of one batch may differ in size (crop none): degrade same-size groups together.
    groups: dict[tuple[int, int], list[dict[str, Any]]] = collections.OrderedDict()
    for s in batch:
        groups.setdefault((s["crop"][2], s["crop"][3]), []).append(s)
    hr_sub, lr_sub = pair_folders(out)
    for group in groups.values():
        crops = []
        for s in group:
            t, left, h, w = s["crop"]
            crops.append(read_image(s["path"])[:, t : t + h, left : left + w])
        hr = torch.stack(crops).contiguous().to(device)
        idx = [s["index"] for s in group]
        hr, hr_params = prepare_hr(hr, hr_t, recipe.seed, idx, recipe.output.bit_depth)
        lr = deg(hr, seed=recipe.seed, indices=idx)
        for k, s in enumerate(group):
            rec = {**{key: s[key] for key in ("index", "source", "crop", "name")},
                   "hr_transform": hr_params[k], "params": lr.params[k]}
            rec["files"] = {}
            for sub, img in ((hr_sub, hr[k]), (lr_sub, lr.lr[k])):
                rel = f"{sub}/{s['name']}.{recipe.output.format}"
                write_image(out / rel, img.detach().cpu(), recipe.output.bit_depth)
                rec["files"][sub] = {"path": rel, "sha256": _sha((out / rel).read_bytes())}
            write_text_atomic(out / STATE_DIR / "parts" / f"{s['index']:09d}.json",
                              _canonical(rec))
            records.append(rec)
    return records



"""The degradation card: one machine-readable ``card.json`` beside every dataset that
``degsdk run`` or ``degsdk degrade`` writes, for a model card to cite — what the model
databases people use record today is only "trained on the fly: yes/no".

It holds the pipeline (configs and their hash), every configured parameter (ranges as
written), what was actually drawn (per parameter: count, min, max, mean; choices counted), the
seeds, degsdk's, torch's, Python's and each plugin's version, weights provenance, and hashes of
the inputs and outputs. An aggregate hash is the sha256 of the lines ``"<path>\\t<sha256>\\n"``
sorted by path (paths relative to the dataset folder, or to the input folder for inputs), so
anyone can recompute it (``verify_card``). ``card_id`` is the sha256 of the card's canonical
JSON without ``card_id``: cite it with the dataset.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from .._errors import ConfigError
from .._version import __version__
from ..hub._model_folder import file_sha256
from ._worker import _canonical, _sha

CARD_NAME = "card.json"
CARD_VERSION = 1


def aggregate_sha256(items: Iterable[tuple[str, str]]) -> str:
    """sha256 of ``"<path>\\t<sha256>\\n"`` lines sorted by path."""
    lines = "".join(f"{p}\t{s}\n" for p, s in sorted(items))
    return _sha(lines.encode())


def configured_parameters(config: Mapping[str, Any] | None, prefix: str) -> dict[str, Any]:
    """Every parameter of a ``{name, params}`` config, nested configs followed:
    ``{"degrader.ops[1].jpeg.quality": [30, 95], …}``."""
    out: dict[str, Any] = {}
    if not config:
        return out

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping) and "name" in node and set(node) <= {"name", "params"}:
            for k, v in (node.get("params") or {}).items():
                walk(v, f"{path}.{node['name']}.{k}")
        elif isinstance(node, list) and node and all(
                isinstance(v, Mapping) and "name" in v for v in node):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        else:
            out[path] = node

    walk(config, prefix)
    return out


def drawn_parameters(params: Sequence[Any]) -> dict[str, Any]:
    """What was drawn, per leaf path of the per-sample params (as in ``manifest.jsonl``):
    numbers as ``{n, min, max, mean}``, strings and booleans as ``{"counts": {value: n}}``;
    lists of numbers (a kernel, shifts) by their elements' range; noise seeds and nulls (a
    step not applied) left out."""
    numbers: dict[str, list[float]] = {}
    counts: dict[str, dict[str, int]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for k, v in node.items():
                if k != "seed":  # a noise field's seed: a number, not a parameter
                    walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list):
            if node and all(isinstance(v, int | float) and not isinstance(v, bool)
                            for v in _flat(node)):
                numbers.setdefault(path + "[]", []).extend(float(v) for v in _flat(node))
            else:
                for i, v in enumerate(node):
                    walk(v, f"{path}[{i}]")
        elif isinstance(node, bool | str):
            c = counts.setdefault(path, {})
            key = node if isinstance(node, str) else str(node).lower()
            c[key] = c.get(key, 0) + 1
        elif isinstance(node, int | float) and math.isfinite(node):
            numbers.setdefault(path, []).append(float(node))

    for p in params:
        walk(p, "")
    out: dict[str, Any] = {}
    for path, vals in numbers.items():
        out[path] = {"n": len(vals), "min": min(vals), "max": max(vals),
                     "mean": sum(vals) / len(vals)}
    for path, c in counts.items():
        out[path] = {"counts": dict(sorted(c.items()))}
    return dict(sorted(out.items()))


def _flat(node: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in node:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def software_versions() -> dict[str, Any]:
    """degsdk, torch, Python and every loaded plugin's distribution version."""
    from .._plugins import plugin_records

    return {"degsdk": __version__, "torch": torch.__version__.split("+")[0],
            "python": platform.python_version(),
            "plugins": {r.name: r.version for r in plugin_records() if r.version}}


def degradation_card(*, name: str, made_by: str, degrader: Mapping[str, Any],
                     hr_transform: Mapping[str, Any] | None, scale: int,
                     seeds: Mapping[str, int], weights: Sequence[Mapping[str, Any]],
                     inputs: Sequence[tuple[str, str]], outputs: Mapping[str, Sequence[
                         tuple[str, str]]], params: Sequence[Any], file_format: str,
                     bit_depth: int) -> dict[str, Any]:
    """The card of one dataset. ``inputs``: (path, sha256) of each source image; ``outputs``:
    per folder (``hr``, ``lr``), (path, sha256) of each file; ``params``: each sample's drawn
    params, in sample order."""
    card: dict[str, Any] = {
        "card": "degsdk degradation card",
        "card_version": CARD_VERSION,
        "dataset": {"name": name, "made_by": made_by, "pairs": len(params), "scale": scale,
                    "layout": "hr/ + lr/ (same file names)", "format": file_format,
                    "bit_depth": bit_depth},
        "pipeline": {"degrader": dict(degrader),
                     "degrader_sha256": _sha(_canonical(degrader).encode()),
                     "hr_transform": dict(hr_transform) if hr_transform else None},
        "parameters": {**configured_parameters(degrader, "degrader"),
                       **configured_parameters(hr_transform, "hr_transform")},
        "drawn": drawn_parameters(params),
        "seeds": dict(seeds),
        "software": software_versions(),
        "weights": [dict(w) for w in weights],
        "inputs": {"images": len(inputs), "sha256": aggregate_sha256(inputs)},
        "outputs": {k: {"files": len(v), "sha256": aggregate_sha256(v)}
                    for k, v in outputs.items()},
        "on_the_fly": False,
    }
    card["card_id"] = _sha(_canonical(card).encode())
    return card


def card_text(card: Mapping[str, Any]) -> str:
    """``card.json``'s text."""
    return json.dumps(card, indent=2, ensure_ascii=False) + "\n"


def cite_line(card: Mapping[str, Any]) -> str:
    """A line for a model card: the dataset, its pipeline, seed and card id."""
    d, p = card["dataset"], card["pipeline"]["degrader"]
    seed = card["seeds"].get("degrader", card["seeds"].get("seed"))
    return (f"{d['name']}: {d['pairs']} LR/HR pairs (×{d['scale']}) made by degsdk "
            f"{card['software']['degsdk']} with {p.get('name')} (seed {seed}); degradation "
            f"card {card['card_id'][:16]}")


def verify_card(folder: str | Path) -> dict[str, Any]:
    """Re-hash a dataset's output files and the card itself against ``folder/card.json``.
    Returns the card; raises ``ConfigError`` naming what differs."""
    folder = Path(folder)
    path = folder / CARD_NAME
    if not path.is_file():
        raise ConfigError(f"{path}: no degradation card here")
    card = json.loads(path.read_text())
    body = {k: v for k, v in card.items() if k != "card_id"}
    if _sha(_canonical(body).encode()) != card.get("card_id"):
        raise ConfigError(f"{path}: card_id does not match the card's content (edited?)")
    for sub, rec in card["outputs"].items():
        files = sorted(f for f in (folder / sub).rglob("*") if f.is_file())
        got = aggregate_sha256((f.relative_to(folder).as_posix(), file_sha256(f))
                               for f in files)
        if len(files) != rec["files"] or got != rec["sha256"]:
            raise ConfigError(f"{folder / sub}: {len(files)} files whose hashes do not match "
                              f"the card ({rec['files']} files recorded)")
    return card

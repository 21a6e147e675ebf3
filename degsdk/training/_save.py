"""The end of a training run: the hub-ready model folder plus ``metrics.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..hub import PretrainedMixin
from ..io import write_text_atomic


def save_trained(model: PretrainedMixin, out: str | Path, provenance: dict[str, Any],
                 metrics: dict[str, Any], seconds: float, done: int, steps: int,
                 max_seconds: float | None = None, data: str | None = None) -> None:
    """Write ``out`` (config, weights, card) with ``provenance`` + ``metrics`` + the run time,
    a ``stopped`` note when the time limit ended the run before ``steps``, and ``data`` (a
    free-text description of the training data) when given; then ``out/metrics.json``."""
    prov = dict(provenance)
    if done < steps:
        prov["stopped"] = f"max_seconds={max_seconds} reached before steps={steps}"
    if data:
        prov["data"] = data
    model.save_pretrained(out, provenance={**prov, "metrics": metrics,
                                           "seconds": round(seconds, 1)})
    write_text_atomic(Path(out) / "metrics.json", json.dumps(metrics, indent=2) + "\n")

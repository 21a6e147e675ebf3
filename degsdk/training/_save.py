"""The end of a training run: the hub-ready model folder plus ``metrics.json``."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from ..hub import PretrainedMixin
from ..io import write_text_atomic


def write_trained(model: PretrainedMixin, out: str | Path, provenance: dict[str, Any],
                  metrics: dict[str, Any], *, seconds: float, stopped: str | None = None,
                  data: str | None = None) -> None:
    """Write ``out`` (config, weights, card) with ``provenance`` + ``metrics`` + the run time
    (``seconds``), ``stopped`` (why the run ended early, when it did) and ``data`` (a free-text
    description of the training data) when given; then ``out/metrics.json``."""
    prov = dict(provenance)
    if stopped:
        prov["stopped"] = stopped
    if data:
        prov["data"] = data
    model.save_pretrained(out, provenance={**prov, "metrics": metrics,
                                           "seconds": round(seconds, 1)})
    write_text_atomic(Path(out) / "metrics.json", json.dumps(metrics, indent=2) + "\n")


def save_trained(model: PretrainedMixin, out: str | Path, provenance: dict[str, Any],
                 metrics: dict[str, Any], seconds: float, done: int, steps: int,
                 max_seconds: float | None = None, data: str | None = None) -> None:
    """Deprecated: use :meth:`degsdk.training.Run.save`."""
    warnings.warn("degsdk.training.save_trained is deprecated; use degsdk.training.Run.save",
                  DeprecationWarning, stacklevel=2)
    stopped = (f"max_seconds={max_seconds} reached before steps={steps}" if done < steps
               else None)
    write_trained(model, out, provenance, metrics, seconds=seconds, stopped=stopped, data=data)

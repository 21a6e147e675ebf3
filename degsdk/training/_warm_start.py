"""Fine-tuning from shipped weights: a trainer's ``--init`` loads another model's parameters
into the model it is about to train, when both are the same component with the same
architecture."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from .._errors import ConfigError
from ..hub import WeightsRef, load


def _architecture(model: Any, ignore: Iterable[str]) -> dict[str, Any]:
    skip = set(getattr(model, "runtime_params", ())) | set(ignore)
    return {k: v for k, v in model.config.model_dump().items() if k not in skip}


def warm_start(model: torch.nn.Module, ref: WeightsRef | str, option: str = "--init",
               ignore: Iterable[str] = ()) -> str:
    """Load the parameters of the weights at ``ref`` into ``model`` (in place), which must be
    the same component (class) with the same architecture — its config without the runtime
    options and ``ignore`` (fields the fine-tuning data sets, e.g. the trained levels) — and
    the same parameter shapes. Raises a ``ConfigError`` naming ``option`` otherwise. Returns
    the name the weights were given by (for the provenance)."""
    text = ref.text if isinstance(ref, WeightsRef) else str(ref)
    init = load(text)
    if type(init) is not type(model):
        raise ConfigError(f"{option} {text}: holds a {type(init).__name__}, not a "
                          f"{type(model).__name__}")
    ignore = tuple(ignore)
    mine, theirs = _architecture(model, ignore), _architecture(init, ignore)
    if mine != theirs:
        diff = {k: (theirs.get(k), mine.get(k)) for k in set(mine) | set(theirs)
                if mine.get(k) != theirs.get(k)}
        raise ConfigError(f"{option} {text}: its architecture differs from this run's "
                          f"(field: (its value, this run's) {diff}); train with the same "
                          "preset and overrides")
    state, new = init.state_dict(), model.state_dict()
    shapes = {k for k in new if k not in state or state[k].shape != new[k].shape}
    if shapes or set(state) - set(new):
        raise ConfigError(f"{option} {text}: its parameters do not match this run's model "
                          f"({sorted(shapes or set(state) - set(new))[:4]} …)")
    model.load_state_dict(state, strict=True)
    return (ref.short_name or ref.text) if isinstance(ref, WeightsRef) else text

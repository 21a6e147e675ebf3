"""What a plugin registers through ``degsdk_register_fitters``: a :class:`Fitter` declares the
data its method fits from, what it fits, its share of ``degsdk fit``'s time budget, and the
function that fits it. ``degsdk fit`` hands that function a :class:`FitContext` and gets a
:class:`FitResult` back."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._component_config import ComponentConfig
from .io import find_pairs, image_size, list_images

#: The data ``degsdk fit`` may be given, by the name a fitter's ``needs`` uses.
DATA_KINDS: dict[str, str] = {
    "real_lr": "unpaired real LR of the camera (--real-lr)",
    "clean_hr": "clean HR images (--clean-hr)",
    "pairs": "aligned real LR/HR pairs (--pairs)",
    "levels": "real pairs at several zoom levels (--levels LEVEL=DIR)",
}


@dataclass(frozen=True)
class FitData:
    """The data a fitter may fit from: folders holding only the *fitting* part (the held-out
    part is kept for scoring and never appears here).

    ``scale`` is HR size / LR size of the pairs ``degsdk fit`` makes (1: aligned, same size);
    ``pairs`` is a folder with ``hr/`` and ``lr/`` at ``pair_scale``; ``levels`` maps a zoom
    level to such a folder."""

    scale: int
    clean_hr: Path
    real_lr: Path | None = None
    pairs: Path | None = None
    pair_scale: int | None = None
    levels: dict[float, Path] = field(default_factory=dict)

    def available(self) -> set[str]:
        """The names (``DATA_KINDS``) of the data present."""
        have = {"clean_hr"}
        if self.real_lr is not None:
            have.add("real_lr")
        if self.pairs is not None:
            have.add("pairs")
        if self.levels:
            have.add("levels")
        return have


@dataclass(frozen=True)
class FitContext:
    """One fitting job: ``data``; ``out``, the method's own folder (model folders go inside
    it; it survives an interruption); ``seconds``, the method's time budget; ``seed``;
    ``resume``, true when an earlier run was interrupted in this same folder (continue from
    its checkpoints); ``progress``, show progress bars; ``started``, when the job began
    (``time.perf_counter()``)."""

    data: FitData
    out: Path
    seconds: float
    seed: int = 0
    resume: bool = False
    progress: bool = True
    started: float = field(default_factory=time.perf_counter)

    def seconds_left(self) -> float:
        """What is left of ``seconds`` now (negative once it is overrun)."""
        return self.seconds - (time.perf_counter() - self.started)


@dataclass
class FitResult:
    """What a fitter hands back: ``degrader``, the config of a degrader whose scale is
    ``data.scale`` (a :class:`~degsdk.ComponentConfig`; a ``{name, params}`` dict is converted
    and checked); model folders are referenced by absolute path in a ``weights`` param
    (``best.yaml`` makes them relative). ``fitted``: the values fitted from the data
    (JSON-ready, for the report); ``notes``: one line for the report; ``under_budget``: why
    the method needed less than ``UNDER_BUDGET`` of its time (empty: it used its share)."""

    degrader: Mapping[str, Any]
    fitted: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    under_budget: str = ""

    def __post_init__(self) -> None:
        self.degrader = ComponentConfig.of(self.degrader, "FitResult.degrader")

    @property
    def config(self) -> ComponentConfig:
        """``degrader`` as the typed config it is after construction."""
        assert isinstance(self.degrader, ComponentConfig)
        return self.degrader


@dataclass(frozen=True)
class DataMinimum:
    """The least data a method fits from, counted on the fitting side (after ``degsdk fit``
    holds part out): images in ``real_lr``, ``clean_hr`` and ``pairs``, and ``side``, the
    smallest side (px) of every LR image it reads (real LR, the pairs' LR; clean HR divided by
    the scale). ``degsdk fit`` skips a method whose minimum is not met, saying what to add."""

    real_lr: int = 0
    clean_hr: int = 0
    pairs: int = 0
    side: int = 0

    def shortfall(self, data: FitData) -> str | None:
        """What ``data`` lacks of this minimum, as one line that says what to add; None when
        it is met."""
        if not (self.real_lr or self.clean_hr or self.pairs or self.side):
            return None
        lacks = []
        counts = {"real_lr": list_images([data.real_lr]) if data.real_lr else [],
                  "clean_hr": list_images([data.clean_hr]),
                  "pairs": find_pairs(data.pairs) if data.pairs else []}
        words = {"real_lr": "real LR images", "clean_hr": "clean HR images",
                 "pairs": "aligned pairs"}
        for kind, have in counts.items():
            need = getattr(self, kind)
            if need and len(have) < need:
                lacks.append(f"{need} {words[kind]} to fit from (has {len(have)}: add "
                             f"{need - len(have)})")
        if self.side:
            sides = [min(image_size(f)) for f in counts["real_lr"]]
            sides += [min(image_size(p.lr)) for p in counts["pairs"]]
            sides += [min(image_size(f)) // data.scale for f in counts["clean_hr"]]
            if sides and min(sides) < self.side:
                lacks.append(f"LR images of at least {self.side} px a side (the smallest is "
                             f"{min(sides)} px)")
        if not lacks:
            return None
        held_out = any(getattr(self, k) > len(counts[k]) for k in ("real_lr", "pairs"))
        return "needs at least " + "; ".join(lacks) + (" — or lower --holdout" if held_out
                                                       else "")


UNDER_BUDGET = 0.8
"""A method that uses less than this fraction of its share says why (``FitResult.under_budget``);
``degsdk fit`` reports the ones that do not."""


@dataclass(frozen=True)
class Fitter:
    """A method ``degsdk fit`` can fit.

    ``fit(ctx) -> FitResult`` does the work within ``ctx.seconds``; ``needs``: data kinds it
    requires, all of them; ``needs_one_of``: kinds of which it requires at least one;
    ``fits``: one line saying what it fits (for the report and ``degsdk plugins``);
    ``budget_weight``: its share of the fitting budget relative to the other methods;
    ``check(data) -> str | None``: an extra reason to skip (e.g. images too small), or None;
    ``minimum``: the least data it fits from (:class:`DataMinimum`); ``cost_probe(data)``: the
    config of a degrader that costs per image what the fitted one will (e.g. the shipped
    weights it starts from), so that ``degsdk fit`` can time its scoring before planning
    (None: it costs about what a classic pipeline does).
    """

    description: str
    fit: Callable[[FitContext], FitResult]
    needs: tuple[str, ...] = ()
    needs_one_of: tuple[str, ...] = ()
    fits: str = ""
    budget_weight: float = 1.0
    check: Callable[[FitData], str | None] | None = None
    minimum: DataMinimum = DataMinimum()
    cost_probe: Callable[[FitData], Mapping[str, Any] | None] | None = None

    def __post_init__(self) -> None:
        unknown = sorted((set(self.needs) | set(self.needs_one_of)) - set(DATA_KINDS))
        if unknown:
            raise ValueError(f"Fitter({self.description[:40]!r}…): unknown data kinds "
                             f"{unknown}; expected some of {sorted(DATA_KINDS)}")
        if not (math.isfinite(self.budget_weight) and self.budget_weight > 0):
            raise ValueError(f"Fitter({self.description[:40]!r}…): budget_weight must be a "
                             f"positive number, got {self.budget_weight!r}")

    def skip_reason(self, data: FitData) -> str | None:
        """Why this method cannot be fitted from ``data``, or None when it can."""
        have = data.available()
        missing = [k for k in self.needs if k not in have]
        if missing:
            return "needs " + " and ".join(DATA_KINDS[k] for k in missing)
        if self.needs_one_of and not have & set(self.needs_one_of):
            return "needs one of: " + ", ".join(DATA_KINDS[k] for k in self.needs_one_of)
        short = self.minimum.shortfall(data)
        if short:
            return short
        return self.check(data) if self.check is not None else None

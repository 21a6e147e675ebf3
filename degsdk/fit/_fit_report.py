"""``FitReport``: what ``degsdk.fit.fit`` returns — every candidate's scores (per seed and
their spread), the pick, the reference rows (baselines), the methods' fits and their planned
and used time — with one ``to_json`` (the contents of ``report.json``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

from .._component_config import ComponentConfig
from ._score import overlaps

Kind = Literal["method", "baseline", "mixture"]


@dataclass(frozen=True)
class Spread:
    """One measure over the repeat seeds."""

    mean: float
    min: float
    max: float

    def overlaps(self, other: Spread) -> bool:
        """Whether the two ranges over seeds overlap (a tie: the rule the ranking uses)."""
        return overlaps(self.to_json(), other.to_json())

    @classmethod
    def of(cls, d: dict[str, float] | None) -> Spread | None:
        return None if d is None else cls(float(d["mean"]), float(d["min"]), float(d["max"]))

    def to_json(self) -> dict[str, float]:
        return {"mean": self.mean, "min": self.min, "max": self.max}


@dataclass(frozen=True)
class CandidateScores:
    """A scored candidate: ``kind`` (a fitted method, a baseline scored for reference, or
    the mixture of the two best methods), its degrader ``config``, the spread over seeds of
    every measure (Fréchet distance per extractor, HF-KL, SR PSNR/SSIM when there are test
    pairs), and ``seeds``, the raw scores of every seed; ``reduced``: how its scoring was cut
    to the time left (smaller or fewer clean HR), ``cut``: why it has fewer seeds than the
    others (empty: neither)."""

    label: str
    kind: Kind
    config: ComponentConfig
    frechet: dict[str, Spread]
    hf_kl: Spread
    sr_psnr: Spread | None
    sr_ssim: Spread | None
    repeats: int
    seeds: dict[str, Any]
    baseline_sr: Any = None
    reduced: str = ""
    cut: str = ""

    @classmethod
    def from_json(cls, label: str, d: dict[str, Any]) -> CandidateScores:
        s = d["summary"]
        hf_kl = Spread.of(s["hf_kl"])
        assert hf_kl is not None
        return cls(label, d["kind"], ComponentConfig.of(d["config"]),
                   {n: v for n, v in ((n, Spread.of(x)) for n, x in s["frechet"].items())
                    if v is not None}, hf_kl, Spread.of(s["sr_psnr"]),
                   Spread.of(s["sr_ssim"]), int(s["repeats"]), d["seeds"],
                   d.get("baseline_sr"), d.get("reduced", ""), d.get("cut", ""))

    def summary(self) -> dict[str, Any]:
        return {"frechet": {n: v.to_json() for n, v in self.frechet.items()},
                "hf_kl": self.hf_kl.to_json(),
                "sr_psnr": self.sr_psnr.to_json() if self.sr_psnr else None,
                "sr_ssim": self.sr_ssim.to_json() if self.sr_ssim else None,
                "repeats": self.repeats}

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "config": self.config.to_dict(), "summary": self.summary(),
                "seeds": self.seeds, "baseline_sr": self.baseline_sr,
                **{k: v for k, v in (("reduced", self.reduced), ("cut", self.cut)) if v}}


@dataclass(frozen=True)
class MethodTime:
    """A method's share of the budget, the time it used, and why it used less than 80 %
    (None: it used its share)."""

    planned_s: float
    used_s: float
    under_budget: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"planned_s": self.planned_s, "used_s": self.used_s,
                **({"under_budget": self.under_budget} if self.under_budget else {})}


@dataclass(frozen=True)
class FitReport:
    """The result of ``degsdk fit`` (module doc). ``best``: the pick (a method, or
    ``"mixture"``); ``ranking``: every candidate, best first, by ``criterion``;
    ``methods``: each fitter's record (what it fitted, its notes, or why it failed);
    ``skipped``: methods the data did not allow, with the reason; ``budget``: the plan;
    ``time``: planned and used seconds per method; ``seconds``: the whole run;
    ``no_training_sr``: SR PSNR with no training (bicubic upscaling) on the test pairs;
    ``verdict``: whether the pick helps — beats no training beyond its seed spread; in
    ``extra``: ``real_pairs`` (SR trained on the fitting pairs, :attr:`real_pairs_sr`),
    ``scoring`` (each candidate's probed, given, planned and used scoring seconds) and
    ``not_scored`` (candidates the time left could not score, with the reason)."""

    best: str
    criterion: str
    ranking: list[str]
    candidates: dict[str, CandidateScores]
    methods: dict[str, dict[str, Any]]
    skipped: dict[str, str]
    budget: dict[str, Any]
    time: dict[str, MethodTime]
    scale: int
    test: str | None
    data: dict[str, Any]
    split: dict[str, Any]
    seconds: float
    versions: dict[str, str]
    best_recipe: str | None = None
    no_training_sr: float | None = None
    verdict: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def references(self) -> dict[str, CandidateScores]:
        """The reference rows: the baselines, scored beside the methods, never picked."""
        return {k: c for k, c in self.candidates.items() if c.kind == "baseline"}

    @property
    def real_pairs_sr(self) -> Spread | None:
        """SR PSNR over seeds of the model trained on the user's fitting pairs themselves
        (the reference row "your real pairs"; None without pairs at the scale)."""
        pairs = self.extra.get("real_pairs") or {}
        return Spread.of(pairs.get("sr_psnr"))

    @property
    def picked(self) -> CandidateScores:
        """The candidate ``best`` names."""
        return self.candidates[self.best]

    def to_json(self) -> dict[str, Any]:
        """The report as JSON values (``report.json``)."""
        out: dict[str, Any] = {
            "data": self.data, "split": self.split, "test": self.test, "scale": self.scale,
            "criterion": self.criterion, "ranking": list(self.ranking), "best": self.best,
            "skipped": dict(self.skipped), "methods": self.methods, "budget": self.budget,
            "time": {n: t.to_json() for n, t in self.time.items()},
            "candidates": {k: c.to_json() for k, c in self.candidates.items()},
            "no_training_sr": self.no_training_sr, "verdict": self.verdict,
            "seconds": self.seconds, "versions": self.versions, **self.extra}
        if self.best_recipe is not None:
            out["best_recipe"] = self.best_recipe
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> FitReport:
        """A report read back from ``report.json``."""
        known = {"data", "split", "test", "scale", "criterion", "ranking", "best", "skipped",
                 "methods", "budget", "time", "candidates", "seconds", "versions",
                 "best_recipe", "no_training_sr", "verdict"}
        return cls(best=d["best"], criterion=d["criterion"], ranking=list(d["ranking"]),
                   candidates={k: CandidateScores.from_json(k, v)
                               for k, v in d["candidates"].items()},
                   methods=d["methods"], skipped=d["skipped"], budget=d["budget"],
                   time={n: MethodTime(t["planned_s"], t["used_s"], t.get("under_budget"))
                         for n, t in d.get("time", {}).items()},
                   scale=d["scale"], test=d["test"], data=d["data"], split=d["split"],
                   seconds=d["seconds"], versions=d["versions"],
                   best_recipe=d.get("best_recipe"), no_training_sr=d.get("no_training_sr"),
                   verdict=d.get("verdict", ""),
                   extra={k: v for k, v in d.items() if k not in known})

    def __getitem__(self, key: str) -> Any:
        """Deprecated: the report was a dict; use the attributes or ``to_json()``."""
        warnings.warn("degsdk fit's report is a FitReport now: use its attributes "
                      "(report.best, report.candidates[...]) or report.to_json()[...]",
                      DeprecationWarning, stacklevel=2)
        return self.to_json()[key]

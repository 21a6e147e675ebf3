"""``degsdk fit``: fit every method the data allows to a user's camera, score them on held-out
real data, and hand back the winner as a recipe.

Stages, each leaving its result in ``out/`` so that ``resume`` continues an interrupted run:

1. **split** (``split/``, ``fit.json``) — part of the real LR and of the pairs is held out
   (:mod:`degsdk.fit._split`); fitters never see it;
2. **fit** (``methods/<name>/``) — every registered :class:`~degsdk.Fitter` whose data is
   present fits within its share of the budget; ``result.json`` marks it done;
3. **score** (``scores/``) — realism on the held-out real LR and, with test pairs (``test``,
   else the held-out pairs), downstream SR, for every repeat seed; baselines (Real-ESRGAN) and
   SR trained on the fitting pairs themselves ("your real pairs") are scored beside; a 50/50
   mixture of the two best methods is scored too;
4. **report** — ``report.md``, ``report.json``, ``crops.png``, ``metrics.png`` and
   ``best.yaml`` (staged, then moved into ``out`` together), a recipe for the winner: the
   best method, or the mixture when it beats the best method by more than the seed spread
   (their SR PSNR ranges do not overlap).

The budget covers the whole run, which ends within 10 % of it. Every candidate's scoring is
probed before it is planned (``_cost``: its degrader timed on crops of one clean HR image; a
method not fitted yet by the degrader its fitter's ``cost_probe`` names); the references
(baselines, "your real pairs") are scored first and measure the SR training; the time left after
the scoring still to come is split across the methods by their ``budget_weight`` (``share``
overrides). After fitting, each candidate gets its part of the time left and is scored on
smaller or fewer clean HR, or skipped, when its probed cost does not fit.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import torch

from .._components import create_extractor, get_fitter, list_fitters
from .._config import from_config
from .._errors import ConfigError
from .._fitter import UNDER_BUDGET, FitContext, FitData, FitResult, Fitter
from .._options import Options, ZoomLevels
from .._threads import use_threads
from .._version import __version__
from ..evaluation import EvalSettings, parse_degrader_spec, patch_features
from ..io import find_pairs, image_size, list_images, staged_folder, write_text_atomic
from ..sr import SRSettings
from ._budget import (
    parse_budget,
    parse_shares,
    seconds_per_sr_step,
    split_budget,
)
from ._cost import (
    SCORING_OVERHEAD_S,
    DegradeTiming,
    ScoringCost,
    ScoringSize,
    allowance,
    clean_hr_sizes,
    mean_cost,
    median_image,
    planned_scoring,
    probe_degrading,
)
from ._fit_report import FitReport
from ._report import write_best_recipe, write_report
from ._score import (
    Candidate,
    ScoreData,
    ScoreSettings,
    overlaps,
    rank,
    score_candidate,
    score_real_pairs,
    summarize,
)
from ._split import Split, SplitFolders, held_out_count, materialize, split_data

STATE = "fit.json"
STASH = ".overwritten"  # where --overwrite sets the earlier run aside until the checks pass
REPORT_RESERVE_S = 5.0  # kept at the end of the budget for the report
OVERRUN = 0.05  # of the budget: how far a candidate's scoring may plan past its part
HARD_END = 1.08  # × the budget: no scoring is planned to end later
MANAGED = ("split", "methods", "scores", STATE, "report.md", "report.json", "crops.png",
           "metrics.png", "best.yaml")


class FitOptions(Options):
    """Options of ``fit`` and ``degsdk fit``."""

    real_lr: Path = pydantic.Field(description="folder of real LR images from the camera")
    clean_hr: Path = pydantic.Field(description="folder of clean HR images (the training HR)")
    out: Path = pydantic.Field(description="output folder")
    pairs: Path | None = pydantic.Field(None, description="aligned real pairs (hr/ + lr/)")
    levels: ZoomLevels = pydantic.Field(default_factory=dict, description="LEVEL=DIR: real "
                                        "pairs at another zoom level (repeatable)")
    test: Path | None = pydantic.Field(None, description="real test pairs (hr/ + lr/) for "
                                       "downstream SR (default: the held-out pairs)")
    scale: int | None = pydantic.Field(None, ge=1, le=8, description="HR/LR scale of the "
                                       "pairs to make (default: the test pairs', else the "
                                       "pairs')")
    methods: list[str] = pydantic.Field(default_factory=list, description="fit only these "
                                        "methods (repeatable; default: every one the data "
                                        "allows)")
    budget: str = pydantic.Field("2h", description="time for the whole run: 2h, 90m, 600")
    share: list[str] = pydantic.Field(default_factory=list, description="METHOD=WEIGHT: a "
                                      "method's share of the fitting time (repeatable)")
    holdout: float = pydantic.Field(0.25, gt=0, lt=1, description="fraction of the real LR "
                                    "and of the pairs held out for scoring")
    repeats: int = pydantic.Field(3, ge=1, le=20, description="seed repeats of the scoring")
    sr: SRSettings = pydantic.Field(
        default_factory=SRSettings, description="the SR model that scores each candidate "
        "(--sr-steps, --sr-patch, …)", json_schema_extra={"deprecated_names": {
            "sr_steps": "steps", "sr_patch": "patch", "sr_batch": "batch_size"}})
    baselines: list[str] = pydantic.Field(default_factory=lambda: ["realesrgan"],
                                          description="degrader specs scored beside the "
                                          "methods, never picked (repeatable)")
    mixture: bool = pydantic.Field(True, description="score a 50/50 mixture of the two "
                                   "best methods")
    mixture_margin: float = pydantic.Field(0.1, ge=0, description="with one repeat (no seed "
                                           "spread), the SR PSNR (dB) by which the mixture "
                                           "must beat the best method to be picked")
    extractors: list[str] = pydantic.Field(
        default_factory=lambda: ["degradation_stats", "alexnet_random"],
        description="feature extractors for the Fréchet distances (repeatable)")
    seed: int = pydantic.Field(0, ge=0, description="seed of the hold-out split, every fitter "
                              "and the scoring (the same seed gives the same run)")
    resume: bool = pydantic.Field(False, description="continue an interrupted run in --out")
    overwrite: bool = pydantic.Field(False, description="start over in a non-empty --out")
    progress: bool = pydantic.Field(True, description="show progress bars")
    threads: int | None = pydantic.Field(None, ge=1, description="torch CPU threads")


def _levels(levels: dict[float, Path]) -> dict[float, Path]:
    for folder in levels.values():
        find_pairs(folder)  # a clear PairingError now rather than in a fitter
    return levels


def _pair_scale(folder: Path) -> int:
    p = find_pairs(folder)[0]
    return image_size(p.hr)[1] // image_size(p.lr)[1]


def _prepare_out(o: FitOptions) -> bool:
    """Check ``out`` against ``resume``/``overwrite``; True when resuming."""
    out = Path(o.out)
    if o.resume and o.overwrite:
        raise ConfigError("fit: give --resume or --overwrite, not both")
    if not out.is_dir() or not any(out.iterdir()):
        return False
    if o.resume:
        if not (out / STATE).is_file():
            raise ConfigError(f"--out {out}: no {STATE} there, nothing to resume")
        return True
    if not o.overwrite:
        raise ConfigError(f"--out {out}: is not empty; pass --resume to continue a fit there "
                          "or --overwrite to start over")
    # the earlier run is set aside, not deleted, until every check has passed (_unstash)
    stash = out / STASH
    shutil.rmtree(stash, ignore_errors=True)
    for name in MANAGED:
        if (out / name).exists():
            stash.mkdir(exist_ok=True)
            (out / name).rename(stash / name)
    return False


def _unstash(out: Path, keep: bool) -> None:
    """Put the run ``--overwrite`` set aside back (``keep``: a refusal), or delete it."""
    stash = out / STASH
    if not stash.is_dir():
        return
    if keep:
        for p in stash.iterdir():
            target = out / p.name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            p.rename(target)
    shutil.rmtree(stash, ignore_errors=True)


def _data_key(o: FitOptions, scale: int) -> dict[str, Any]:
    return {"real_lr": str(Path(o.real_lr).resolve()), "clean_hr": str(Path(o.clean_hr)
            .resolve()), "pairs": str(Path(o.pairs).resolve()) if o.pairs else None,
            "test": str(Path(o.test).resolve()) if o.test else None, "scale": scale,
            "holdout": o.holdout, "seed": o.seed,
            "levels": {f"{k:g}": str(Path(v).resolve()) for k, v in o.levels.items()}}


def _result_config_ok(res: Any, scale: int) -> str | None:
    if not isinstance(res, FitResult):
        return f"returned {type(res).__name__}, not a degsdk.FitResult"
    try:
        deg = from_config(res.degrader)
    except Exception as exc:
        return f"its degrader config is invalid: {exc}"
    if abs(deg.scale - scale) > 1e-6:
        return f"its degrader has scale {deg.scale:g}, expected {scale}"
    return None


def fit(options: FitOptions | None = None, /, **fields: Any) -> FitReport:
    """Run ``degsdk fit`` (module doc); returns the :class:`FitReport` (``to_json()`` is
    ``report.json``)."""
    o = FitOptions.of(options, **fields)
    with use_threads(o.threads):
        return _fit(o)


def _say(o: FitOptions, text: str) -> None:
    if o.progress:
        print(f"degsdk fit: {text}", flush=True)


@dataclass
class _Run:
    """What every stage of one run needs."""

    o: FitOptions
    out: Path
    scale: int
    key: dict[str, Any]
    split: Split
    folders: SplitFolders
    data: FitData
    test: Path | None
    t_start: float
    earlier_s: float = 0.0  # the time the interrupted runs this one resumes took

    def elapsed(self) -> float:
        """Seconds of the whole fit so far, across resumes."""
        return self.earlier_s + time.perf_counter() - self.t_start


def _setup(o: FitOptions, t_start: float) -> _Run:
    """Validate the inputs and ``out``, and materialise the held-out split."""
    levels = _levels(o.levels)
    for name in ("real_lr", "clean_hr"):
        if not list_images([getattr(o, name)]):
            raise ConfigError(f"--{name.replace('_', '-')} {getattr(o, name)}: no images")
    scale = o.scale or (_pair_scale(o.test) if o.test else None) or (
        _pair_scale(o.pairs) if o.pairs else None)
    if scale is None:
        raise ConfigError("fit: give --scale (or --test / --pairs, whose scale is used)")
    out = Path(o.out)
    resuming = _prepare_out(o)
    key = _data_key(o, scale)
    earlier = 0.0
    if resuming:
        old = json.loads((out / STATE).read_text())
        if old.get("data") != key:
            raise ConfigError(f"--out {out}: the fit there used other data or settings "
                              f"({old.get('data')}); start over with --overwrite")
        earlier = float(old.get("elapsed_s", 0.0))
    split = split_data(o.real_lr, o.pairs, o.holdout, o.seed)
    folders = materialize(split, out / "split")
    data = FitData(scale=scale, clean_hr=Path(o.clean_hr), real_lr=folders.real_lr_fit,
                   pairs=folders.pairs_fit, pair_scale=split.pair_scale if folders.pairs_fit
                   else None, levels=levels)
    test = Path(o.test) if o.test else (folders.pairs_heldout
                                        if split.pair_scale == scale else None)
    return _Run(o, out, scale, key, split, folders, data, test, t_start, earlier)


def _choose(run: _Run) -> tuple[dict[str, Fitter], dict[str, str]]:
    """The fitters the data allows, and why each other one is skipped."""
    names = list_fitters()
    unknown = [m for m in run.o.methods if m not in names]
    if unknown:
        raise ConfigError(f"--methods: unknown {unknown}; registered fitters: {names}")
    skipped: dict[str, str] = {}
    fitters = {}
    for name in run.o.methods or names:
        fitter = get_fitter(name)
        reason = fitter.skip_reason(run.data)
        if reason:
            skipped[name] = reason
        else:
            fitters[name] = fitter
    if not fitters:
        raise ConfigError(f"fit: no method can be fitted from this data: {skipped}")
    return fitters, skipped


class _Scorer:
    """Scores candidates on the held-out data (``_score``) within the time each is given,
    keeping every record, what each was planned to cost and why one was cut or skipped."""

    def __init__(self, run: _Run) -> None:
        o, f = run.o, run.folders
        self.run = run
        sr = None
        if run.test is not None:
            sr = EvalSettings(**o.sr.model_dump(), seed=o.seed)
        self.settings = ScoreSettings(repeats=o.repeats, seed=o.seed,
                                      extractors=tuple(o.extractors), sr=sr)
        realism_hr = f.pairs_heldout / "hr" if f.pairs_heldout is not None and \
            run.split.pair_scale == run.scale else Path(o.clean_hr)
        self.data = ScoreData(f.real_lr_heldout, realism_hr, run.scale,
                              self.settings.feature_patch)
        self.extractors = {n: create_extractor(n) for n in o.extractors}
        self.ref_feats = {n: patch_features(e, self.data.real, self.data.patch)
                          for n, e in self.extractors.items()}
        self.records: dict[str, dict[str, Any]] = {}
        self.plans: dict[str, dict[str, Any]] = {}
        self.skipped: dict[str, str] = {}
        self.real_pairs: dict[str, Any] | None = None
        self._step_s: float | None = None
        # the protocol crops the clean HR to this multiple (×1 works at half resolution)
        self.multiple = (2 if run.scale == 1 else 1) * run.scale
        self.min_side = -(-max(32, 2 * o.sr.patch * run.scale) // self.multiple) * self.multiple
        self.sizes = clean_hr_sizes(Path(o.clean_hr), self.multiple)
        self.probe_image = median_image(Path(o.clean_hr))
        self._timings: dict[str, DegradeTiming] = {}

    def sr_seconds(self) -> float:
        """Seconds the scoring SR model trains per seed: as measured so far, else the SR step
        time measured on this machine × steps."""
        sr = self.settings.sr
        if sr is None:
            return 0.0
        made = [one["sr"]["seconds_train"] for rec in self.records.values()
                for one in rec["seeds"].values() if "seconds_train" in (one["sr"] or {})]
        if made:
            return sum(made) / len(made)
        if self._step_s is None:
            self._step_s = seconds_per_sr_step(self.run.scale, sr.patch, sr.batch_size,
                                               sr.channels, sr.blocks)
        return sr.steps * self._step_s

    def overhead_s(self) -> float:
        """Seconds a seed takes beyond degrading and SR training (features, SR inference,
        files): as measured so far, else ``SCORING_OVERHEAD_S``."""
        made = [one["seconds"] - one["sr"]["seconds_generate"] - one["sr"]["seconds_train"]
                for rec in self.records.values() for one in rec["seeds"].values()
                if "seconds_train" in (one["sr"] or {})]
        return max(0.0, sum(made) / len(made)) if made else SCORING_OVERHEAD_S

    def cost(self, config: dict[str, Any]) -> ScoringCost:
        """What one seed of ``config``'s scoring costs (its degrading probed once)."""
        key = json.dumps(config, sort_keys=True, default=str)
        if key not in self._timings:
            self._timings[key] = probe_degrading(config, self.probe_image, self.run.o.seed)
        copies = self.settings.sr.copies if self.settings.sr is not None else 0
        return ScoringCost(self.sr_seconds(), ((1.0, self._timings[key]),), self.sizes,
                           copies, tuple((int(x.shape[-2]), int(x.shape[-1]))
                                         for x in self.data.hr), self.overhead_s(),
                           self.data.min_side)

    def room(self, seconds: float) -> float:
        """What a candidate given ``seconds`` may plan to use: a few more (``OVERRUN`` of the
        budget, so a candidate is not skipped for the seconds a fitter overran), never past
        ``HARD_END`` of the budget."""
        total = parse_budget(self.run.o.budget)
        hard = HARD_END * total - self.run.elapsed() - REPORT_RESERVE_S
        return max(0.0, min(seconds + OVERRUN * total, hard))

    def real_pairs_cost(self) -> float:
        """Seconds one seed of the "your real pairs" row costs (0: there is none)."""
        if self.run.folders.pairs_fit is None or self.settings.sr is None or \
                self.run.split.pair_scale != self.run.scale:
            return 0.0
        return self.sr_seconds() + self.overhead_s()

    def score(self, c: Candidate, cost: ScoringCost, seconds: float) -> bool:
        """Score ``c`` within ``seconds``: in full when its probed cost fits, else on smaller
        or fewer clean HR (the report says so); skipped (False) when not even that fits."""
        o = self.run.o
        full_s = cost.per_seed() * o.repeats
        if _complete(self.run.out / "scores" / f"{c.label}.json", c.config, o.repeats):
            seconds = max(seconds, full_s)  # scored in an earlier run: nothing left to do
        room = self.room(seconds)
        size = cost.fit_within(room, o.repeats, self.min_side) \
            if self.settings.sr is not None else (ScoringSize() if full_s <= room else None)
        self.plans[c.label] = {"probe_s": round(full_s, 1), "given_s": round(seconds, 1)}
        if size is None:
            why = (f"its scoring would take {full_s:.0f} s ({o.repeats} × "
                   f"{cost.per_seed():.0f} s, probed), and {seconds:.0f} s were left for it: "
                   "not even 2 crops fit; raise --budget or lower --repeats")
            self.skipped[c.label] = why
            _say(o, f"not scoring {c.label}: {why}")
            return False
        note = "" if size.full else (
            f"scored on {size.describe(len(self.sizes))}: the full protocol would take "
            f"{full_s:.0f} s, {seconds:.0f} s were left")
        planned = cost.per_seed(size) * o.repeats
        self.plans[c.label]["planned_s"] = round(planned, 1)
        _say(o, f"scoring {c.label} ({o.repeats} seed{'s' * (o.repeats > 1)}, planned "
             f"{planned:.0f} s{'; ' + note if note else ''})")
        clean = size.folder(Path(o.clean_hr), self.run.out / "scores" / "reduced",
                            self.multiple)
        t0 = time.perf_counter()
        self.records[c.label] = score_candidate(
            c, self.data.cut(cost.realism_cut(size).side, size.images), self.settings,
            self.run.out / "scores",
            clean, self.run.test, self.run.folders.real_lr_heldout, self.extractors,
            self.ref_feats, o.progress, deadline=t0 + max(room, planned),
            seed_estimate_s=cost.per_seed(size), note=note)
        self.plans[c.label]["used_s"] = round(time.perf_counter() - t0, 1)
        return True

    def score_real_pairs(self, seconds: float) -> None:
        """The "your real pairs" row, within ``seconds``."""
        per_seed = self.real_pairs_cost()
        if not per_seed:
            return
        o = self.run.o
        seconds = self.room(seconds)
        if per_seed > seconds:
            self.skipped["real-pairs"] = f"SR on the real pairs needs {per_seed:.0f} s a " \
                f"seed, {seconds:.0f} s were left"
            return
        _say(o, f"scoring your real pairs (SR trained on the {len(self.run.split.fit_pairs)} "
             f"fitting pairs; planned {per_seed * o.repeats:.0f} s)")
        assert self.run.folders.pairs_fit is not None and self.run.test is not None
        t0 = time.perf_counter()
        self.real_pairs = score_real_pairs(
            self.run.folders.pairs_fit, self.run.test, self.settings, self.run.out / "scores",
            o.progress, deadline=t0 + seconds, seed_estimate_s=per_seed)
        self.plans["real-pairs"] = {"probe_s": round(per_seed * o.repeats, 1),
                                    "given_s": round(seconds, 1),
                                    "planned_s": round(per_seed * o.repeats, 1),
                                    "used_s": round(time.perf_counter() - t0, 1)}


def _complete(path: Path, config: dict[str, Any], repeats: int) -> bool:
    """Whether ``path`` holds every seed of a score of ``config``."""
    if not path.is_file():
        return False
    rec = json.loads(path.read_text())
    return bool(rec.get("config") == config and len(rec.get("seeds", {})) >= repeats)


def _plan(run: _Run, fitters: dict[str, Fitter], scoring_s: float, least_s: float,
          what: str, refuse: bool) -> dict[str, Any]:
    """The fitting time of every method: the budget left after the time spent so far and the
    scoring still to come (``scoring_s``, ``what`` says of what; ``least_s``: the least it may
    be cut to). When less than a fifth of the budget would be left, the methods get that fifth
    and the scoring is cut; when even the least scoring leaves less, ``refuse`` raises (before
    any work), else the run warns."""
    o = run.o
    total = parse_budget(o.budget)
    spent = run.elapsed()
    fit_s = total - spent - scoring_s - REPORT_RESERVE_S
    if fit_s < 0.2 * total:
        least_fit = total - spent - least_s - REPORT_RESERVE_S
        why = (f"scoring needs about {scoring_s:.0f} s ({what}) after {spent:.0f} s spent, "
               f"leaving {max(fit_s, 0):.0f} s of {total:.0f} s to fit")
        if least_fit < 0.2 * total:
            if refuse:
                raise ConfigError(f"--budget {o.budget}: {why} (and {least_s:.0f} s even cut "
                                  "to the fewest, smallest images); raise --budget or lower "
                                  "--repeats / --sr-steps")
            _say(o, f"warning: {why}; the methods get {0.2 * total:.0f} s and the scoring is "
                 "cut to the time left")
        else:
            _say(o, f"{why}: the methods get {0.2 * total:.0f} s and the dearest candidates "
                 "will be scored on smaller or fewer images")
        fit_s = 0.2 * total
    shares = parse_shares(o.share)
    weights = {n: shares.get(n, f.budget_weight) for n, f in fitters.items()}
    per_method = split_budget(fit_s, weights)
    return {"total_s": total, "spent_before_fit_s": round(spent, 1),
            "scoring_estimate_s": round(scoring_s, 1), "scoring_least_s": round(least_s, 1),
            "scoring_what": what,
            "per_method_s": {n: round(v, 1) for n, v in per_method.items()}}


def _fit_methods(run: _Run, fitters: dict[str, Fitter], per_method: dict[str, float]
                 ) -> dict[str, dict[str, Any]]:
    """Run every fitter not done in an earlier run; a failure is recorded, not raised."""
    o, methods = run.o, {}
    for i, (name, fitter) in enumerate(fitters.items(), start=1):
        folder = run.out / "methods" / name
        done = folder / "result.json"
        if done.is_file():
            methods[name] = json.loads(done.read_text())
            _say(o, f"[{i}/{len(fitters)}] {name}: done in an earlier run")
            continue
        _say(o, f"[{i}/{len(fitters)}] fitting {name} (planned {per_method[name]:.0f} s)")
        ctx = FitContext(data=run.data, out=folder.resolve(), seconds=per_method[name],
                         seed=o.seed, resume=folder.is_dir(), progress=o.progress)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        try:
            res = fitter.fit(ctx)
            problem = _result_config_ok(res, run.scale)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            res, problem = None, f"{type(exc).__name__}: {exc}"
        used = time.perf_counter() - t0
        rec: dict[str, Any] = {"name": name, "seconds": round(used, 1),
                               "budget_s": round(per_method[name], 1),
                               "fits": fitter.fits, "description": fitter.description}
        if problem is not None or res is None:
            rec["failed"] = problem
            _say(o, f"{name} failed: {problem}")
        else:
            rec.update(degrader=res.config.to_dict(), fitted=res.fitted, notes=res.notes)
            _say(o, f"{name}: used {used:.0f} s of the planned {per_method[name]:.0f} s")
            if used < UNDER_BUDGET * per_method[name]:
                rec["under_budget"] = res.under_budget or "the fitter gave no reason"
        write_text_atomic(done, json.dumps(rec, indent=1, default=str) + "\n")
        methods[name] = rec
    return methods


def _verdict(best: dict[str, Any], no_training: float | None, repeats: int) -> str:
    """Whether the pick helps: its SR beats SR with no training (bicubic) beyond the spread of
    its seeds; ``""`` when there is no SR test."""
    sr = best["sr_psnr"]
    if sr is None or no_training is None:
        return ""
    if repeats == 1:
        return (f"one repeat: no seed spread to judge by (the pick {sr['mean']:.2f} dB, no "
                f"training {no_training:.2f} dB); run with --repeats 2 or more")
    if sr["min"] > no_training:
        return (f"the pick helps: SR {sr['min']:.2f}–{sr['max']:.2f} dB over its seeds, all "
                f"above no training ({no_training:.2f} dB)")
    return (f"no method helps this camera: the pick trains SR at {sr['min']:.2f}–"
            f"{sr['max']:.2f} dB, not beyond no training ({no_training:.2f} dB); best.yaml is "
            "written, but SR trained on it is not better than bicubic upscaling")


def _save_state(run: _Run, state: dict[str, Any]) -> None:
    """Write ``fit.json`` with the time spent so far across resumes (``elapsed_s``)."""
    state["elapsed_s"] = round(run.elapsed(), 1)
    write_text_atomic(run.out / STATE, json.dumps(state, indent=1) + "\n")


def _entries(out: Path) -> set[str] | None:
    """The names in ``out`` (None: it does not exist)."""
    return {p.name for p in out.iterdir()} if out.is_dir() else None


def _restore(out: Path, before: set[str] | None) -> None:
    """Remove what this run added to ``out`` (``out`` itself when it did not exist)."""
    if before is None:
        shutil.rmtree(out, ignore_errors=True)
        return
    for p in out.iterdir() if out.is_dir() else ():
        if p.name not in before:
            shutil.rmtree(p) if p.is_dir() else p.unlink()


def method_times(methods: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Planned and used seconds per method, and why one used less than its share."""
    return {name: {"planned_s": rec["budget_s"], "used_s": rec["seconds"],
                   **({"under_budget": rec["under_budget"]} if "under_budget" in rec else {})}
            for name, rec in methods.items()}




def _later_costs(run: _Run, fitters: dict[str, Fitter], scorer: _Scorer
                 ) -> dict[str, ScoringCost]:
    """What one seed of each method's scoring will cost (timed on the config its fitter says
    it will cost like, else a classic pipeline's), and of their mixture (two of them, not
    known yet: as the mean of all)."""
    classic = {"name": "bicubic", "params": {"scale": run.scale, "level": max(2, run.scale)}}
    out = {}
    for name, fitter in fitters.items():
        probe = fitter.cost_probe(run.data) if fitter.cost_probe is not None else None
        out[name] = scorer.cost(dict(probe) if probe else classic)
    if run.o.mixture and len(fitters) > 1:
        out["mixture"] = mean_cost(list(out.values()))
    return out


def _least(scorer: _Scorer, cost: ScoringCost) -> float:
    """The least a candidate's scoring may be cut to: 2 clean HR crops of the smallest side."""
    return cost.per_seed(ScoringSize(side=scorer.min_side, images=2)) * scorer.run.o.repeats


def _check_scoring_data(run: _Run) -> None:
    """Refuse data too small to score on: fewer than 2 held-out real LR, or fewer than 2 test
    pairs."""
    held = len(list_images([run.folders.real_lr_heldout]))
    if held < 2:
        pairs = len(run.split.heldout_pairs)
        have = len(run.split.fit_real_lr) + len(run.split.heldout_real_lr)
        need = next(n for n in range(2, 10_000) if held_out_count(n, run.o.holdout) + pairs >= 2)
        raise ConfigError(f"--real-lr {run.o.real_lr}: {held} image(s) held out for scoring "
                          f"(--holdout {run.o.holdout:g} of {have}); fit needs at least 2: add "
                          f"{need - have} real LR image(s) or raise --holdout")
    if run.test is not None and len(find_pairs(run.test)) < 2:
        raise ConfigError(f"{'--test ' + str(run.o.test) if run.o.test else '--pairs'}: "
                          f"{len(find_pairs(run.test))} test pair(s) to score SR on; fit needs "
                          "at least 2: add pairs or give --test")


def _overall(run: _Run) -> str:
    """The whole run's progress against its budget: a bar, time used and the planned end."""
    total = parse_budget(run.o.budget)
    used = run.elapsed()
    frac = min(1.0, used / total)
    bar = "█" * round(10 * frac) + "·" * (10 - round(10 * frac))
    end = time.time() + max(0.0, total - used)
    return (f"[{bar}] {100 * frac:3.0f} % · {_clock(used)} of {_clock(total)} · ends ≈ "
            f"{time.strftime('%H:%M', time.localtime(end))}")


def _clock(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m // 60}h{m % 60:02d}m" if m >= 60 else f"{m}m{s:02d}s"


def _fit(o: FitOptions) -> FitReport:
    t_start = time.perf_counter()
    parse_budget(o.budget)  # a bad --budget or --share fails before anything is written
    parse_shares(o.share)
    before = _entries(Path(o.out))
    try:  # a refusal (unknown method, too little data, a budget scoring would eat) …
        run = _setup(o, t_start)
        _check_scoring_data(run)
        fitters, skipped = _choose(run)
        scorer = _Scorer(run)
        base_cands = [Candidate(f"baseline-{e.label}", e.degrader.to_config(), "baseline")
                      for e in (parse_degrader_spec(spec, run.scale) for spec in o.baselines)]
        base_costs = [scorer.cost(c.config) for c in base_cands]
        later = _later_costs(run, fitters, scorer)
        pairs_s = scorer.real_pairs_cost() * o.repeats
        costs = [*base_costs, *later.values()]
        full = [c.per_seed() * o.repeats for c in costs] + [pairs_s]
        least = [_least(scorer, c) for c in costs] + [pairs_s]
        planned = planned_scoring(full, least, parse_budget(o.budget))
        what = (f"{len(base_cands)} baselines, {len(later)} candidates × {o.repeats} repeats, "
                "each probed" + (", and your real pairs" if pairs_s else ""))
        budget = _plan(run, fitters, sum(planned), sum(least), what, refuse=True)
    except BaseException:  # … leaves --out as it was (absent, or its earlier run)
        _unstash(Path(o.out), keep=True)
        _restore(Path(o.out), before)
        raise
    _unstash(Path(o.out), keep=False)
    total = budget["total_s"]
    for name, why in skipped.items():
        _say(o, f"skip {name}: {why}")
    state: dict[str, Any] = {"data": run.key, "split": run.split.as_dict(),
                             "skipped": skipped, "budget": None,
                             "options": json.loads(o.model_dump_json())}
    _save_state(run, state)  # resumable now
    fit_total = sum(budget["per_method_s"].values())
    _say(o, f"{_overall(run)}: planned {fit_total:.0f} s to fit "
         f"{len(fitters)} methods, {budget['scoring_estimate_s']:.0f} s to score")
    # the references need no fitting: scoring them first also measures the SR training here
    later_s = planned[len(base_costs):len(costs)]  # the candidates', as planned
    for i, (cand, cost) in enumerate(zip(base_cands, base_costs, strict=True)):
        others = [*planned[i + 1:len(base_costs)], pairs_s, *later_s]
        left = total - run.elapsed() - fit_total - REPORT_RESERVE_S
        scorer.score(cand, cost, allowance(left, planned[i], others))
        _save_state(run, state)
    if pairs_s:
        left = total - run.elapsed() - fit_total - REPORT_RESERVE_S
        scorer.score_real_pairs(allowance(left, pairs_s, later_s))
        _save_state(run, state)
    later = _later_costs(run, fitters, scorer)  # with the SR training time now measured
    full = [c.per_seed() * o.repeats for c in later.values()]
    least = [_least(scorer, c) for c in later.values()]
    budget = _plan(run, fitters, sum(planned_scoring(full, least, total)), sum(least),
                   "the candidates, probed", refuse=False)
    state["budget"] = budget
    _save_state(run, state)
    methods = _fit_methods(run, fitters, budget["per_method_s"])
    state["time"] = method_times(methods)
    _save_state(run, state)

    fitted = [Candidate(n, r["degrader"]) for n, r in methods.items() if "degrader" in r]
    if not fitted:
        raise ConfigError("fit: every method failed: "
                          + "; ".join(f"{n}: {r['failed']}" for n, r in methods.items()))
    costs = {c.label: scorer.cost(c.config) for c in fitted}  # each fitted degrader probed
    full = {lbl: c.per_seed() * o.repeats for lbl, c in costs.items()}
    mix_s = mean_cost(list(costs.values())).per_seed() * o.repeats \
        if o.mixture and len(fitted) > 1 else 0.0
    for i, c in enumerate(fitted):
        others = [full[x.label] for x in fitted[i + 1:]] + [mix_s]
        left = total - run.elapsed() - REPORT_RESERVE_S
        _say(o, _overall(run))
        scorer.score(c, costs[c.label], allowance(left, full[c.label], others))
        _save_state(run, state)
    records = scorer.records
    scored = [c.label for c in fitted if c.label in records]
    if not scored:
        raise ConfigError("fit: no time was left to score any fitted method ("
                          + "; ".join(f"{k}: {v}" for k, v in scorer.skipped.items())
                          + "); continue with --resume and a larger --budget")
    summaries = {lbl: summarize(r) for lbl, r in records.items()}
    order, criterion = rank({k: v for k, v in summaries.items()
                             if records[k]["kind"] == "method"})
    if mix_s and len(order) > 1:
        a, b = order[:2]
        mix = Candidate("mixture", {"name": "one_of", "params": {
            "probs": [0.5, 0.5], "ops": [records[a]["config"], records[b]["config"]]}},
            "mixture")
        left = total - run.elapsed() - REPORT_RESERVE_S
        if scorer.score(mix, mean_cost([costs[a], costs[b]]), max(0.0, left)):
            summaries["mixture"] = summarize(records["mixture"])
    best = order[0]
    if "mixture" in summaries:
        both, _ = rank({best: summaries[best], "mixture": summaries["mixture"]})
        mix_sr, best_sr = summaries["mixture"]["sr_psnr"], summaries[best]["sr_psnr"]
        # a mixture is handed back only when it beats the best method beyond the seed spread
        # (with one repeat there is none: by --mixture-margin dB)
        if both[0] == "mixture" and (
                mix_sr is None or (o.repeats > 1 and not overlaps(mix_sr, best_sr))
                or (o.repeats == 1 and mix_sr["mean"] > best_sr["mean"] + o.mixture_margin)):
            best = "mixture"
    full_order, _ = rank(summaries)
    verdict = _verdict(summaries[best], records[best].get("baseline_sr"), o.repeats)
    real_pairs = scorer.real_pairs
    report: dict[str, Any] = {
        "data": run.key, "split": run.split.as_dict(),
        "test": str(run.test) if run.test else None, "scale": run.scale,
        "criterion": criterion, "ranking": full_order, "best": best,
        "skipped": skipped, "not_scored": scorer.skipped,
        "methods": methods, "budget": budget, "time": method_times(methods),
        "scoring": scorer.plans,
        "candidates": {lbl: {"kind": records[lbl]["kind"], "config": records[lbl]["config"],
                             "summary": summaries[lbl], "seeds": records[lbl]["seeds"],
                             "baseline_sr": records[lbl].get("baseline_sr"),
                             **{k: records[lbl][k] for k in ("reduced", "cut")
                                if k in records[lbl]}}
                       for lbl in summaries},
        "no_training_sr": records[best].get("baseline_sr"),
        "real_pairs": real_pairs, "verdict": verdict,
        "seconds": round(run.elapsed(), 1),
        "seconds_this_run": round(time.perf_counter() - run.t_start, 1),
        "versions": {"degsdk": __version__, "torch": torch.__version__,
                     "python": platform.python_version()},
    }
    with staged_folder(run.out) as staging:  # the five files arrive together or not at all
        report["best_recipe"] = write_best_recipe(run.out, records[best]["config"],
                                                  Path(o.clean_hr), run.scale, o.seed,
                                                  dest=staging)
        write_report(report, run.out, dest=staging)
    return FitReport.from_json(json.loads(json.dumps(report, default=str)))

"""``degsdk fit``: fit every method the data allows to a user's camera, score them on held-out
real data, and hand back the winner as a recipe.

Stages, each leaving its result in ``out/`` so that ``resume`` continues an interrupted run:

1. **split** (``split/``, ``fit.json``) — part of the real LR and of the pairs is held out
   (:mod:`degsdk.fit._split`); fitters never see it;
2. **fit** (``methods/<name>/``) — every registered :class:`~degsdk.Fitter` whose data is
   present fits within its share of the budget; ``result.json`` marks it done;
3. **score** (``scores/``) — realism on the held-out real LR and, with test pairs (``test``,
   else the held-out pairs), downstream SR, for every repeat seed; baselines (Real-ESRGAN) are
   scored beside; a 50/50 mixture of the two best methods is scored too;
4. **report** — ``report.md``, ``report.json``, ``crops.png``, ``metrics.png`` and
   ``best.yaml`` (staged, then moved into ``out`` together), a recipe for the winner: the
   best method, or the mixture when it beats the best method by more than the seed spread
   (their SR PSNR ranges do not overlap).

The budget covers the whole run. The baselines are scored first (they need no fitting), which
measures what one (candidate, seed) score costs on this machine (without baselines: the SR step
time measured on a few steps × steps, plus an overhead); the time left after the scoring still
to come is split across the methods by their ``budget_weight`` (``share`` overrides).
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
from ._fit_report import FitReport
from ._report import write_best_recipe, write_report
from ._score import (
    Candidate,
    ScoreData,
    ScoreSettings,
    overlaps,
    rank,
    score_candidate,
    summarize,
)
from ._split import Split, SplitFolders, materialize, split_data

STATE = "fit.json"
MANAGED = ("split", "methods", "scores", STATE, "report.md", "report.json", "crops.png",
           "metrics.png", "best.yaml")
SCORING_OVERHEAD_S = 5.0  # per (candidate, seed): degrading, realism, SR inference


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
    seed: int = pydantic.Field(0, ge=0)
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
    for name in MANAGED:
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    return False


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
    """Scores candidates on the held-out data (``_score``), keeping every record."""

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
        self._step_s: float | None = None

    def estimate_per_seed(self) -> float:
        """Seconds one (candidate, seed) score should take: from the SR step time measured
        on this machine, or from the scores already made when there are some."""
        sr = self.settings.sr
        if sr is not None and self._step_s is None:
            self._step_s = seconds_per_sr_step(self.run.scale, sr.patch, sr.batch_size,
                                               sr.channels, sr.blocks)
        guess = (sr.steps * (self._step_s or 0.0) if sr is not None else 0.0) \
            + SCORING_OVERHEAD_S
        made = [one["seconds"] for rec in self.records.values()
                for one in rec["seeds"].values()]
        return max(guess, sum(made) / len(made)) if made else guess

    def score(self, c: Candidate) -> None:
        o = self.run.o
        _say(o, f"scoring {c.label} ({o.repeats} seed{'s' * (o.repeats > 1)})")
        self.records[c.label] = score_candidate(
            c, self.data, self.settings, self.run.out / "scores", Path(o.clean_hr),
            self.run.test, self.run.folders.real_lr_heldout, self.extractors, self.ref_feats,
            o.progress)


def _plan(run: _Run, fitters: dict[str, Fitter], scorer: _Scorer, n_left: int,
          refuse: bool) -> dict[str, Any]:
    """The fitting time of every method: the budget left after the time spent so far and the
    scoring still to come (``n_left`` candidates × repeats × the per-seed estimate). When
    less than a fifth of the budget would be left: ``refuse`` raises (before any work);
    otherwise the methods get that fifth and the run says by how much it will overrun."""
    o = run.o
    total = parse_budget(o.budget)
    per_seed = scorer.estimate_per_seed()
    scoring_s = n_left * o.repeats * per_seed
    spent = time.perf_counter() - run.t_start
    fit_s = total - spent - scoring_s
    if fit_s < 0.2 * total:
        why = (f"scoring needs about {scoring_s:.0f} s ({n_left} candidates × {o.repeats} "
               f"repeats × {per_seed:.0f} s) after {spent:.0f} s spent, leaving "
               f"{max(fit_s, 0):.0f} s of {total:.0f} s to fit")
        if refuse:
            raise ConfigError(f"--budget {o.budget}: {why}; raise --budget or lower "
                              "--repeats / --sr-steps")
        _say(o, f"warning: {why}; the methods get {0.2 * total:.0f} s and the run will take "
             f"about {0.2 * total - fit_s:.0f} s more than --budget")
        fit_s = 0.2 * total
    shares = parse_shares(o.share)
    weights = {n: shares.get(n, f.budget_weight) for n, f in fitters.items()}
    per_method = split_budget(fit_s, weights)
    return {"total_s": total, "spent_before_fit_s": round(spent, 1),
            "scoring_estimate_s": round(scoring_s, 1), "score_per_seed_s": round(per_seed, 2),
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


def _fit(o: FitOptions) -> FitReport:
    t_start = time.perf_counter()
    parse_budget(o.budget)  # a bad --budget or --share fails before anything is written
    parse_shares(o.share)
    before = _entries(Path(o.out))
    try:  # a refusal (unknown method, no method possible, a budget scoring would eat) …
        run = _setup(o, t_start)
        fitters, skipped = _choose(run)
        scorer = _Scorer(run)
        n_mix = 1 if o.mixture and len(fitters) > 1 else 0
        _plan(run, fitters, scorer, len(fitters) + len(o.baselines) + n_mix, refuse=True)
    except BaseException:  # … leaves --out as it was (absent, or its earlier run)
        _restore(Path(o.out), before)
        raise
    for name, why in skipped.items():
        _say(o, f"skip {name}: {why}")
    state: dict[str, Any] = {"data": run.key, "split": run.split.as_dict(),
                             "skipped": skipped, "budget": None,
                             "options": json.loads(o.model_dump_json())}
    _save_state(run, state)  # resumable now
    # the baselines need no fitting: scoring them first measures what a score costs here
    for spec in o.baselines:
        entry = parse_degrader_spec(spec, run.scale)
        scorer.score(Candidate(f"baseline-{entry.label}", entry.degrader.to_config(),
                               "baseline"))
        _save_state(run, state)
    budget = _plan(run, fitters, scorer, len(fitters) + n_mix, refuse=False)
    state["budget"] = budget
    _save_state(run, state)
    methods = _fit_methods(run, fitters, budget["per_method_s"])
    state["time"] = method_times(methods)
    _save_state(run, state)

    fitted = [Candidate(n, r["degrader"]) for n, r in methods.items() if "degrader" in r]
    if not fitted:
        raise ConfigError("fit: every method failed: "
                          + "; ".join(f"{n}: {r['failed']}" for n, r in methods.items()))
    for c in fitted:
        scorer.score(c)
        _save_state(run, state)
    records = scorer.records
    summaries = {lbl: summarize(r) for lbl, r in records.items()}
    order, criterion = rank({k: v for k, v in summaries.items()
                             if records[k]["kind"] == "method"})
    if n_mix and len(order) > 1:
        a, b = order[:2]
        scorer.score(Candidate("mixture", {"name": "one_of", "params": {
            "probs": [0.5, 0.5], "ops": [records[a]["config"], records[b]["config"]]}},
            "mixture"))
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
    report: dict[str, Any] = {
        "data": run.key, "split": run.split.as_dict(),
        "test": str(run.test) if run.test else None, "scale": run.scale,
        "criterion": criterion, "ranking": full_order, "best": best, "skipped": skipped,
        "methods": methods, "budget": budget, "time": method_times(methods),
        "candidates": {lbl: {"kind": records[lbl]["kind"], "config": records[lbl]["config"],
                             "summary": summaries[lbl], "seeds": records[lbl]["seeds"],
                             "baseline_sr": records[lbl].get("baseline_sr")}
                       for lbl in summaries},
        "no_training_sr": records[best].get("baseline_sr"), "verdict": verdict,
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

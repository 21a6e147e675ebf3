"""Scoring the fitted methods on held-out data, with seed repeats.

For each candidate and each repeat seed s:

- **realism** — the candidate degrades the realism HR (the held-out pairs' HR when there are
  some, else up to 8 clean HR images), and the generated LR is compared with the held-out
  real LR: the squared Fréchet distance of patch features per extractor, and HF-KL;
- **downstream SR** (when there are test pairs) — the ``degsdk eval`` protocol with seed s:
  ``srresnet_small`` trained on the candidate's pairs made from the clean HR, PSNR/SSIM on
  the real test pairs.

Each (candidate, seed) result is written to ``scores/<label>.json`` as soon as it exists, so an
interrupted run resumes at the next seed. The spread of a metric is its range over the
seeds; two candidates **tie** when their ranges overlap.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from .._config import from_config
from .._interfaces import Extractor
from ..calibrate import centre_crop
from ..evaluation import (
    DegraderEntry,
    EvalSettings,
    evaluate,
    patch_features,
    sr_from_real_pairs,
)
from ..io import list_images, read_image, write_image, write_text_atomic
from ..metrics import frechet_distance, hf_kl
from ..seeding import Stream, derive_seed


@dataclass(frozen=True)
class Candidate:
    """A degrader under scoring: ``kind`` is ``method`` (fitted), ``mixture`` or
    ``baseline`` (a reference, never the recipe handed back)."""

    label: str
    config: dict[str, Any]
    kind: str = "method"


@dataclass(frozen=True)
class ScoreSettings:
    """How candidates are scored (see the module doc)."""

    repeats: int = 3
    seed: int = 0
    extractors: tuple[str, ...] = ("degradation_stats", "alexnet_random")
    feature_patch: int = 64
    sr: EvalSettings | None = None  # None: no test pairs, realism only

    def seeds(self) -> list[int]:
        """The repeat seeds."""
        return [self.seed + r for r in range(self.repeats)]


class ScoreData:
    """The held-out images the realism metrics use, loaded once."""

    def __init__(self, heldout_real_lr: Path, realism_hr: Path, scale: int,
                 feature_patch: int) -> None:
        self.scale = scale
        self.real = [centre_crop(read_image(p), 512, 1) for p in list_images([heldout_real_lr])]
        self.hr = [centre_crop(read_image(p), 512, scale)
                   for p in list_images([realism_hr])[:8]]
        smallest = min(min(x.shape[-2:]) for x in self.real)
        smallest = min(smallest, *(min(x.shape[-2:]) // scale for x in self.hr))
        # at least 4 tiles an image: a Fréchet distance needs many samples
        self.patch = min(feature_patch, max(8, smallest // 2))

    @property
    def min_side(self) -> int:
        """The smallest realism HR crop side that keeps 4 tiles an image."""
        return 2 * self.patch * self.scale

    def cut(self, side: int | None, images: int | None) -> ScoreData:
        """The same data with the realism HR cut to the first ``images`` (at least 2) and
        centre crops of at most ``side`` px (the tile side is kept; see :attr:`min_side`)."""
        out = copy.copy(self)
        n = max(2, images) if images else len(self.hr)
        out.hr = [centre_crop(x, side, self.scale) if side else x for x in self.hr[:n]]
        return out


def _realism(config: dict[str, Any], data: ScoreData, extractors: dict[str, Extractor],
             ref_feats: dict[str, Tensor], seed: int) -> tuple[dict[str, Any], Tensor]:
    deg = from_config(config)
    s = derive_seed(seed, 0, Stream.EVAL_TEST)
    with torch.no_grad():
        gen = [(deg(x[None], seed=s, indices=[i]).lr[0].clamp(0, 1) * 255).round() / 255
               for i, x in enumerate(data.hr)]
    frechet = {n: frechet_distance(ref_feats[n], patch_features(e, gen, data.patch))
               for n, e in extractors.items()}
    return {"frechet": frechet, "hf_kl": hf_kl(data.real, gen)}, gen[0]


def _seeds_left(rec: dict[str, Any], settings: ScoreSettings, deadline: float | None,
                estimate_s: float) -> Iterator[tuple[int, float]]:
    """The repeat seeds ``rec["seeds"]`` lacks, each with the seconds it is expected to take
    (the slowest seed made, else ``estimate_s``). Stops at one that would end past
    ``deadline`` (when a seed is made already), saying so in ``rec["cut"]``."""
    for seed in settings.seeds():
        if str(seed) in rec["seeds"]:
            continue
        made = [one["seconds"] for one in rec["seeds"].values()]
        expected = max(made) if made else estimate_s
        if deadline is not None and made and time.perf_counter() + expected > deadline:
            rec["cut"] = (f"{len(made)} of {settings.repeats} seeds: the next would have "
                          "ended past the time this candidate was given")
            return
        yield seed, expected


def _sr_seed(seed: int, expected_s: float) -> dict[str, Any]:
    """The SR settings of one seed: its seed, and a time limit of twice the seed's expected
    time (a guard against a run-away step time, not the plan)."""
    return {"seed": seed, **({"max_seconds": 2 * expected_s} if expected_s > 0 else {})}


def score_candidate(cand: Candidate, data: ScoreData, settings: ScoreSettings, folder: Path,
                    clean_hr: Path, test: Path | None, heldout_real_lr: Path,
                    extractors: dict[str, Extractor], ref_feats: dict[str, Tensor],
                    progress: bool = True, deadline: float | None = None,
                    seed_estimate_s: float = 0.0, note: str = "") -> dict[str, Any]:
    """Score ``cand`` for every repeat seed (module doc), resuming from
    ``folder/<label>.json``; returns that record. ``ref_feats[n]``: the held-out real LR's
    features from ``extractors[n]``; ``clean_hr``: the SR pairs' HR (cut to the time, with
    ``note`` saying how). With a ``deadline`` (``time.perf_counter()``), a seed is not
    started when it would end after it (its time: the seeds already made, else
    ``seed_estimate_s``); the record's ``cut`` then says how many seeds were made. The SR
    training of a seed stops at twice its expected time."""
    path = folder / f"{cand.label}.json"
    rec: dict[str, Any] = {"label": cand.label, "kind": cand.kind, "config": cand.config,
                           "seeds": {}}
    if path.is_file():
        old = json.loads(path.read_text())
        if old.get("config") == cand.config:
            rec = old
    if note:
        rec["reduced"] = note
    for seed, expected in _seeds_left(rec, settings, deadline, seed_estimate_s):
        t0 = time.perf_counter()
        one, gen0 = _realism(cand.config, data, extractors, ref_feats, seed)
        one["sr"] = None
        if settings.sr is not None and test is not None:
            sr_settings = settings.sr.model_copy(update={
                **_sr_seed(seed, expected), "extractors": [], "save_models": False})
            entry = DegraderEntry(cand.label, from_config(cand.config), "degsdk fit")
            report = evaluate([entry], clean_hr, test, heldout_real_lr, sr_settings,
                              progress=progress, test_lr_metrics=False)
            r = report["degraders"][0]
            one["sr"] = {"psnr": r["sr"]["psnr"], "ssim": r["sr"]["ssim"],
                         "steps": r["train"]["steps"],
                         "seconds_generate": r["train"]["seconds_generate"],
                         "seconds_train": r["train"]["seconds_train"]}
            rec["baseline_sr"] = report["baseline"]["sr"]["psnr"]
            if seed == settings.seed:
                crops = report["_crops"]
                pics = folder / "crops"
                write_image(pics / f"{cand.label}__gen_lr.png", crops["degraders"][cand.label]
                            ["gen_lr"])
                write_image(pics / f"{cand.label}__sr.png", crops["degraders"][cand.label]["sr"])
                for key in ("hr", "real_lr", "baseline_sr"):
                    write_image(pics / f"_{key}.png", crops[key])
        elif seed == settings.seed:
            side = min(96, *gen0.shape[-2:])
            write_image(folder / "crops" / f"{cand.label}__gen_lr.png",
                        centre_crop(gen0, side, 1))
            write_image(folder / "crops" / "_real_lr.png", centre_crop(data.real[0], side, 1))
        one["seconds"] = round(time.perf_counter() - t0, 2)
        rec["seeds"][str(seed)] = one
        write_text_atomic(path, json.dumps(rec, indent=1) + "\n")
    if len(rec["seeds"]) >= settings.repeats:
        rec.pop("cut", None)
    write_text_atomic(path, json.dumps(rec, indent=1) + "\n")
    return rec


def score_real_pairs(pairs: Path, test: Path, settings: ScoreSettings, folder: Path,
                     progress: bool = True, deadline: float | None = None,
                     seed_estimate_s: float = 0.0) -> dict[str, Any]:
    """The reference row "your real pairs": SR trained on the fitting pairs themselves
    (:func:`degsdk.evaluation.sr_from_real_pairs`) for every repeat seed, resuming from
    ``folder/real-pairs.json``; a seed that would end past ``deadline`` is not started."""
    assert settings.sr is not None
    path = folder / "real-pairs.json"
    rec: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {"seeds": {}}
    for seed, expected in _seeds_left(rec, settings, deadline, seed_estimate_s):
        t0 = time.perf_counter()
        one = sr_from_real_pairs(pairs, test, settings.sr.model_copy(
            update=_sr_seed(seed, expected)), progress=progress)
        one["seconds"] = round(time.perf_counter() - t0, 2)
        rec["pairs"] = one.pop("pairs")
        rec["seeds"][str(seed)] = one
        write_text_atomic(path, json.dumps(rec, indent=1) + "\n")
    if rec["seeds"]:
        rec["sr_psnr"] = _stats([one["psnr"] for one in rec["seeds"].values()])
    return rec


def _stats(values: Sequence[float]) -> dict[str, float]:
    return {"mean": sum(values) / len(values), "min": min(values), "max": max(values)}


def summarize(rec: dict[str, Any]) -> dict[str, Any]:
    """Mean, min and max over the seeds of every metric of a score record."""
    runs = list(rec["seeds"].values())
    out: dict[str, Any] = {
        "frechet": {n: _stats([r["frechet"][n] for r in runs]) for n in runs[0]["frechet"]},
        "hf_kl": _stats([r["hf_kl"] for r in runs]),
        "sr_psnr": None, "sr_ssim": None, "repeats": len(runs)}
    if runs[0]["sr"] is not None:
        out["sr_psnr"] = _stats([r["sr"]["psnr"] for r in runs])
        out["sr_ssim"] = _stats([r["sr"]["ssim"] for r in runs])
    return out


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two metrics' ranges over seeds overlap (a tie)."""
    return a["min"] <= b["max"] and b["min"] <= a["max"]


def realism_rank(summaries: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Mean rank (1 = closest to the real LR) over the Fréchet distances and HF-KL."""
    labels = list(summaries)
    keys = [("hf_kl", None)] + [("frechet", n) for n in summaries[labels[0]]["frechet"]]
    ranks = {lbl: 0.0 for lbl in labels}
    for key, name in keys:
        def get(lbl: str, key: str = key, name: str | None = name) -> float:
            s = summaries[lbl][key]
            return float((s[name] if name else s)["mean"])
        for pos, lbl in enumerate(sorted(labels, key=get), start=1):
            ranks[lbl] += pos / len(keys)
    return ranks


def rank(summaries: dict[str, dict[str, Any]]) -> tuple[list[str], str]:
    """Labels best first, and the criterion: mean SR PSNR when there was a test set, else
    the realism rank."""
    labels = list(summaries)
    if labels and summaries[labels[0]]["sr_psnr"] is not None:
        return (sorted(labels, key=lambda lbl: -summaries[lbl]["sr_psnr"]["mean"]),
                "sr_psnr")
    rr = realism_rank(summaries)
    return sorted(labels, key=lambda lbl: rr[lbl]), "realism_rank"

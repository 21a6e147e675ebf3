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

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from .._config import from_config
from .._interfaces import Extractor
from ..calibrate import centre_crop
from ..evaluation import DegraderEntry, EvalSettings, evaluate, patch_features
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


def score_candidate(cand: Candidate, data: ScoreData, settings: ScoreSettings, folder: Path,
                    clean_hr: Path, test: Path | None, heldout_real_lr: Path,
                    extractors: dict[str, Extractor], ref_feats: dict[str, Tensor],
                    progress: bool = True) -> dict[str, Any]:
    """Score ``cand`` for every repeat seed (module doc), resuming from
    ``folder/<label>.json``; returns that record. ``ref_feats[n]``: the held-out real LR's
    features from ``extractors[n]``."""
    path = folder / f"{cand.label}.json"
    rec: dict[str, Any] = {"label": cand.label, "kind": cand.kind, "config": cand.config,
                           "seeds": {}}
    if path.is_file():
        old = json.loads(path.read_text())
        if old.get("config") == cand.config:
            rec = old
    for seed in settings.seeds():
        if str(seed) in rec["seeds"]:
            continue
        t0 = time.perf_counter()
        one, gen0 = _realism(cand.config, data, extractors, ref_feats, seed)
        one["sr"] = None
        if settings.sr is not None and test is not None:
            sr_settings = settings.sr.model_copy(update={"seed": seed, "extractors": [],
                                                         "save_models": False})
            entry = DegraderEntry(cand.label, from_config(cand.config), "degsdk fit")
            report = evaluate([entry], clean_hr, test, heldout_real_lr, sr_settings,
                              progress=progress)
            r = report["degraders"][0]
            one["sr"] = {"psnr": r["sr"]["psnr"], "ssim": r["sr"]["ssim"],
                         "steps": r["train"]["steps"]}
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

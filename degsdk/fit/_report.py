"""What ``degsdk fit`` writes at the end: ``best.yaml`` (a recipe for the winner),
``report.json``, ``report.md``, ``crops.png`` (the same crop through every candidate beside
the real LR) and ``metrics.png`` (bars with the range over seeds). ``degsdk fit`` writes them
into a staging folder and moves them into place together, as ``degsdk eval`` does."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from torch import Tensor

from .._config import from_config, map_weights
from ..evaluation._figures import bar_charts, crop_grid
from ..io import atomic_path, image_size, list_images, read_image, write_text_atomic
from ._score import overlaps

DOCS_HINT = "How to read this report: docs/fit.md in the degsdk repository."


def relative_weights(node: Any, base: Path) -> Any:
    """A degrader config with every ``weights`` param naming a local folder made relative to
    ``base`` (recipes resolve such paths relative to the recipe file)."""
    return map_weights(node, lambda ref: os.path.relpath(Path(ref).resolve(), base.resolve())
                       if Path(ref).is_dir() else ref)


def write_best_recipe(out: Path, config: dict[str, Any], clean_hr: Path, scale: int,
                      seed: int, dest: Path | None = None) -> dict[str, Any]:
    """Write ``best.yaml`` for the folder ``out`` (into ``dest``, default ``out``): the clean
    HR, random crops, ``config`` as the degrader, output to ``out/dataset``; paths are
    relative to ``out``. Returns the recipe as written."""
    smallest = min(min(image_size(p)) for p in list_images([clean_hr]))
    size = max(8, min(256, smallest) // scale * scale)
    recipe = {
        "version": 1, "name": "fit-best", "seed": seed,
        "inputs": [{"path": os.path.relpath(Path(clean_hr).resolve(), out.resolve())}],
        "crop": {"mode": "random", "size": size, "per_image": 4},
        "degrader": relative_weights(config, out),
        "output": {"dir": "dataset", "format": "png", "preview": 8},
        "run": {"batch_size": 4, "workers": 1},
    }
    from_config(config)  # the config must load before it is handed back
    text = ("# Made by `degsdk fit`: the degrader it ranked best for this camera.\n"
            "#   degsdk run best.yaml      (pairs of the clean HR in dataset/)\n"
            + yaml.safe_dump(recipe, sort_keys=False))
    write_text_atomic((dest or out) / "best.yaml", text)
    return recipe


def _rng(s: dict[str, float] | None, digits: int) -> str:
    if s is None:
        return "-"
    if s["min"] == s["max"]:
        return f"{s['mean']:.{digits}f}"
    return f"{s['mean']:.{digits}f} [{s['min']:.{digits}f}–{s['max']:.{digits}f}]"


def render_markdown(r: dict[str, Any]) -> str:
    """``report.md`` from the report dict."""
    cands = r["candidates"]
    best = r["best"]
    sp = r["split"]
    has_sr = cands[best]["summary"]["sr_psnr"] is not None
    test = f"`{r['test']}`" if r["test"] else "none (ranked by realism only)"
    criterion = ("mean SR PSNR over seeds" if r["criterion"] == "sr_psnr"
                 else "mean realism rank (Fréchet distances and HF-KL)")
    lines = [
        "# degsdk fit report", "",
        f"- Scale ×{r['scale']}; real LR: {len(sp['real_lr_fit'])} to fit, "
        f"{len(sp['real_lr_heldout'])} held out; pairs: {len(sp['pairs_fit'])} to fit, "
        f"{len(sp['pairs_heldout'])} held out.",
        f"- Downstream SR test pairs: {test}.",
        f"- Ranked by: {criterion}; [a–b] is the range over the seed repeats; ranges that "
        "overlap are a tie.",
        f"- Budget {r['budget']['total_s']:.0f} s; {r['seconds']:.0f} s in all "
        f"({100 * r['seconds'] / r['budget']['total_s']:.0f} % of it)"
        + (f" ({r['seconds_this_run']:.0f} s after the last resume)"
           if r.get("seconds_this_run", r["seconds"]) < r["seconds"] else "")
        + f". degsdk {r['versions']['degsdk']}, torch {r['versions']['torch']}.", "",
        DOCS_HINT, "",
        f"**Best: `{best}`** — its recipe is `best.yaml`.", "",
    ]
    if r.get("verdict"):
        lines += [f"**{r['verdict'][0].upper()}{r['verdict'][1:]}.**", ""]
    one_repeat = cands[best]["summary"]["repeats"] == 1
    ties = [lbl for lbl in r["ranking"] if lbl != best and has_sr and not one_repeat
            and overlaps(cands[lbl]["summary"]["sr_psnr"], cands[best]["summary"]["sr_psnr"])]
    if ties:
        lines += [f"It ties (SR PSNR ranges overlap) with: {', '.join(ties)}.", ""]
    if one_repeat:
        lines += ["One repeat: there is no seed spread, so no tie and no win beyond it is "
                  "claimed; run with `--repeats 2` or more to tell them apart.", ""]
    extractors = list(cands[best]["summary"]["frechet"])
    header = ["rank", "candidate", "kind"]
    if has_sr:
        header += ["SR PSNR (dB)", "SR SSIM"]
    header += [f"Fréchet {n}" for n in extractors] + ["HF-KL"]
    lines += ["## Ranking", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for i, lbl in enumerate(r["ranking"], start=1):
        s = cands[lbl]["summary"]
        row = [str(i), f"**{lbl}**" if lbl == best else lbl, cands[lbl]["kind"]]
        if has_sr:
            row += [_rng(s["sr_psnr"], 2), _rng(s["sr_ssim"], 4)]
        row += [_rng(s["frechet"][n], 4) for n in extractors] + [_rng(s["hf_kl"], 4)]
        lines.append("| " + " | ".join(row) + " |")
    base = next((c["baseline_sr"] for c in cands.values() if c.get("baseline_sr")), None)
    pairs = r.get("real_pairs") or {}
    dash = ["–"] * (len(header) - 4)
    if has_sr and base is not None:
        how = "bicubic upscaling" if r["scale"] > 1 else "the real LR as is"
        lines.append(f"| | no training ({how}) | reference | "
                     + " | ".join([f"{base:.2f}", *dash]) + " |")
    if has_sr and pairs.get("sr_psnr"):
        lines.append(f"| | your real pairs (SR trained on the {pairs['pairs']} fitting pairs) "
                     "| reference | " + " | ".join([_rng(pairs["sr_psnr"], 2), *dash]) + " |")
    if base is not None:
        lines += ["", f"No training at all (the real test LR interpolated / as is): "
                  f"SR PSNR {base:.2f} dB."]
    if has_sr and pairs.get("sr_psnr"):
        mine = pairs["sr_psnr"]["mean"]
        gaps = ", ".join(f"{lbl} {cands[lbl]['summary']['sr_psnr']['mean'] - mine:+.2f} dB"
                         for lbl in r["ranking"] if cands[lbl]["kind"] != "baseline")
        lines += ["", f"Your real pairs: SR trained on the {pairs['pairs']} fitting pairs "
                  f"themselves scores {_rng(pairs['sr_psnr'], 2)} dB, the bar a synthetic "
                  f"degradation is chasing; from it: {gaps}."]
    lines += ["", "## Methods", "", "| method | fitted | used (s) / planned (s) | notes |",
              "|---|---|---|---|"]
    for name, m in r["methods"].items():
        if "failed" in m:
            lines.append(f"| {name} | **failed**: {m['failed']} | {m['seconds']:.0f} / "
                         f"{m['budget_s']:.0f} | |")
            continue
        fitted = {k: v for k, v in m.get("fitted", {}).items() if not isinstance(v, list)}
        under = f" Used under its share: {m['under_budget']}." if "under_budget" in m else ""
        lines.append(f"| {name} | `{json.dumps(fitted, default=str)}` | {m['seconds']:.0f} / "
                     f"{m['budget_s']:.0f} | {m.get('notes', '')}{under} |")
    if r["skipped"]:
        lines += ["", "Skipped:", ""]
        lines += [f"- **{n}**: {why}" for n, why in r["skipped"].items()]
    lines += _scoring_lines(r)
    lines += ["", "## Pictures", "",
              "The same crop through every candidate beside the real LR "
              + ("(and the SR of the real test LR by the model trained on its pairs, seed "
                 f"{r['data']['seed']})" if has_sr else "(held-out real LR; other content)")
              + ":", "", "![crops](crops.png)", "", "![metrics](metrics.png)", "",
              "## Degraders", ""]
    lines += [f"- **{lbl}**: `{json.dumps(cands[lbl]['config'], separators=(',', ':'))}`"
              for lbl in r["ranking"]]
    return "\n".join(lines) + "\n"


def _scoring_lines(r: dict[str, Any]) -> list[str]:
    """The scoring's time per candidate: probed, given, planned, used, and how it was cut."""
    plans = r.get("scoring") or {}
    if not plans:
        return []
    lines = ["", "## Scoring time", "",
             "Every candidate's scoring was probed before it was planned (its degrader timed "
             "on crops of one clean HR image), then given its part of the time left.", "",
             "| candidate | probed, full protocol (s) | given (s) | planned (s) | used (s) | "
             "note |", "|---|---|---|---|---|---|"]
    cands, not_scored = r["candidates"], r.get("not_scored", {})
    for lbl, p in plans.items():
        c = cands.get(lbl, {})
        note = "; ".join(x for x in (c.get("reduced", ""), c.get("cut", ""),
                                     not_scored.get(lbl, "")) if x)
        planned = p.get("planned_s", p["probe_s"])
        used = f"{p['used_s']:.0f}" if "used_s" in p else "not scored"
        lines.append(f"| {lbl} | {p['probe_s']:.0f} | {p['given_s']:.0f} | {planned:.0f} | "
                     f"{used} | {note} |")
    return lines


def _panels(r: dict[str, Any]) -> list[tuple[str, list[tuple[Any, ...]], bool]]:
    cands, order = r["candidates"], r["ranking"]

    def bars(get: Any) -> list[tuple[Any, ...]]:
        return [(lbl, s["mean"], s["min"], s["max"])
                for lbl in order for s in [get(cands[lbl]["summary"])]]

    panels: list[tuple[str, list[tuple[Any, ...]], bool]] = []
    if cands[order[0]]["summary"]["sr_psnr"] is not None:
        panels.append(("SR PSNR (dB)", bars(lambda s: s["sr_psnr"]), True))
    for n in cands[order[0]]["summary"]["frechet"]:
        panels.append((f"Fréchet, {n}", bars(lambda s, n=n: s["frechet"][n]), False))
    panels.append(("HF-KL", bars(lambda s: s["hf_kl"]), False))
    return panels


def _crop(folder: Path, name: str) -> Tensor | None:
    p = folder / name
    return read_image(p) if p.is_file() else None


def write_report(r: dict[str, Any], out: Path, dest: Path | None = None) -> None:
    """Write report.json, report.md, crops.png and metrics.png of the fit folder ``out``
    into ``dest`` (default ``out``)."""
    dest = dest or out
    write_text_atomic(dest / "report.json", json.dumps(r, indent=1, default=str) + "\n")
    write_text_atomic(dest / "report.md", render_markdown(r))
    pics = out / "scores" / "crops"
    has_sr = r["candidates"][r["best"]]["summary"]["sr_psnr"] is not None
    if has_sr:
        columns = ["HR (test)", "real LR", "generated LR", "SR of real LR"]
        rows = [(lbl, [_crop(pics, "_hr.png"), _crop(pics, "_real_lr.png"),
                       _crop(pics, f"{lbl}__gen_lr.png"), _crop(pics, f"{lbl}__sr.png")])
                for lbl in r["ranking"]]
    else:
        columns = ["real LR (held out)", "generated LR"]
        rows = [(lbl, [_crop(pics, "_real_lr.png"), _crop(pics, f"{lbl}__gen_lr.png")])
                for lbl in r["ranking"]]
    for name, im in (("crops.png", crop_grid(columns, rows, tile=192)),
                     ("metrics.png", bar_charts(_panels(r)))):
        with atomic_path(dest / name) as tmp:
            im.save(tmp, format="PNG")

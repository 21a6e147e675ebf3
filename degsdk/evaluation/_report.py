"""The evaluation report: ``report.json`` (every number), ``report.md`` (tables and pictures),
``crops.png`` and ``metrics.png``, plus the trained SR models under ``models/``. Everything
is written to a staging folder and moved into ``out`` only when the whole run succeeded."""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from .._errors import ConfigError
from .._threads import use_threads
from .._version import __version__
from ..io import staged_folder, write_text_atomic
from ..io._atomic import atomic_path
from ._degrader_spec import DegraderEntry
from ._figures import bar_charts, crop_grid
from ._protocol import EvalSettings, evaluate

DOCS_HINT = "How to read this report: docs/evaluation.md in the degsdk repository."


def _metric_panels(report: dict[str, Any]) -> list[tuple[str, list[tuple[str, float]], bool]]:
    res = report["degraders"]
    base = report["baseline"]
    panels = [
        ("SR PSNR (dB)", [(base["label"], base["sr"]["psnr"])]
         + [(r["label"], r["sr"]["psnr"]) for r in res], True),
        ("SR SSIM", [(base["label"], base["sr"]["ssim"])]
         + [(r["label"], r["sr"]["ssim"]) for r in res], True),
    ]
    for name in res[0]["frechet"]:
        panels.append((f"Fréchet, {name}", [(r["label"], r["frechet"][name]) for r in res],
                       False))
    panels.append(("HF-KL", [(r["label"], r["hf_kl"]) for r in res], False))
    if res[0]["lr"] is not None:
        panels.append(("LR PSNR vs real LR (dB)", [(r["label"], r["lr"]["psnr"]) for r in res],
                       True))
        panels.append(("LR SSIM vs real LR", [(r["label"], r["lr"]["ssim"]) for r in res],
                       True))
    return panels


def _cell(v: float, best: float, digits: int) -> str:
    text = "inf" if not math.isfinite(v) else f"{v:.{digits}f}"
    return f"**{text}**" if v == best else text


def _column(rows: Sequence[dict[str, Any]], get: Callable[[dict[str, Any]], float],
            higher: bool, digits: int) -> list[str]:
    vals = [get(r) for r in rows]
    best = max(vals) if higher else min(vals)
    return [_cell(v, best, digits) for v in vals]


def _table(header: Sequence[str], columns: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in zip(*columns, strict=True)]
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    """``report.md`` from a report dict."""
    s, t, res = report["settings"], report["test"], report["degraders"]
    base = report["baseline"]
    k = t["scale"]
    channel = "Y channel" if t["y_channel"] else "RGB"
    out = [
        "# degsdk eval report", "",
        f"- Test pairs: `{t['path']}`: {t['pairs']} pair{'s' * (t['pairs'] != 1)}, x{k}"
        f"{' (aligned)' if t['aligned'] else ' (not aligned: no LR PSNR/SSIM)'}.",
        f"- Reference LR for the realism metrics: `{report['reference_lr']['path']}`: "
        f"{report['reference_lr']['images']} images, "
        f"{report['reference_lr']['feature_patch']} px feature patches.",
        f"- Clean HR: `{report['clean_hr']['path']}`: {report['clean_hr']['images']} images, "
        f"{s['copies']} degraded copies each.",
        f"- SR model: `srresnet_small` ({s['channels']} channels, {s['blocks']} blocks), "
        f"{s['steps']} steps of {s['batch_size']} patches of {s['patch']} LR px, Adam "
        f"{s['lr']:g}, seed {s['seed']}, the same for every degrader.",
        f"- PSNR/SSIM on the {channel}, {t['crop_border']} px border cropped, 8-bit rounded.",
        f"- degsdk {report['versions']['degsdk']}, torch {report['versions']['torch']}; "
        f"{report['seconds']:.0f} s in all.", "",
        DOCS_HINT, "",
        "## Super-resolution of the real test LR", "",
    ]
    rows = [{"label": f"{base['label']} (no training)", **base["sr"], "gain": 0.0,
             "steps": "-", "secs": "-"}]
    rows += [{"label": r["label"], **r["sr"], "gain": r["sr"]["gain_db"],
              "steps": str(r["train"]["steps"]), "secs": f"{r['train']['seconds_train']:.0f}"}
             for r in res]
    out += _table(
        ["SR trained on pairs from", "PSNR (dB)", "SSIM", "vs baseline (dB)", "steps",
         "train s"],
        [[r["label"] for r in rows], _column(rows, lambda r: r["psnr"], True, 2),
         _column(rows, lambda r: r["ssim"], True, 4),
         [f"{r['gain']:+.2f}" for r in rows], [r["steps"] for r in rows],
         [r["secs"] for r in rows]])
    out += ["", "## How close the generated LR is to the reference LR", ""]
    header = ["degrader"] + [f"Fréchet {n} (lower)" for n in res[0]["frechet"]]
    cols = [[r["label"] for r in res]]
    cols += [_column(res, lambda r, n=n: r["frechet"][n], False, 4) for n in res[0]["frechet"]]
    header.append("HF-KL (lower)")
    cols.append(_column(res, lambda r: r["hf_kl"], False, 4))
    if res[0]["lr"] is not None:
        header += ["LR PSNR (dB)", "LR SSIM"]
        cols.append(_column(res, lambda r: r["lr"]["psnr"], True, 2))
        cols.append(_column(res, lambda r: r["lr"]["ssim"], True, 4))
    out += _table(header, cols)
    out += ["", "Best first:", ""]
    out += [f"- {key}: {', '.join(order)}" for key, order in report["ranking"].items()]
    c = report["crop"]
    out += ["", "## Pictures", "",
            f"Crop of `{c['image']}` at LR ({c['left']}, {c['top']}), {c['size']} px: HR, real "
            "LR, the LR each degrader makes from that HR, and the SR of the real LR by the "
            "model trained on that degrader's pairs (nearest-neighbour enlargement).", "",
            "![crops](crops.png)", "", "![metrics](metrics.png)", "",
            "## Degraders", ""]
    out += [f"- **{r['label']}**: {r['source']}; "
            f"`{json.dumps(r['config'], separators=(',', ':'))}`" for r in res]
    return "\n".join(out) + "\n"


def write_report(report: dict[str, Any], folder: Path) -> None:
    """Write report.json, report.md, crops.png and metrics.png into ``folder``."""
    crops = report.pop("_crops")
    write_text_atomic(folder / "report.json", json.dumps(report, indent=2) + "\n")
    write_text_atomic(folder / "report.md", render_markdown(report))
    rows: list[tuple[str, list[torch.Tensor | None]]] = [
        (report["baseline"]["label"], [crops["hr"], crops["real_lr"], None,
                                       crops["baseline_sr"]])]
    rows += [(label, [crops["hr"], crops["real_lr"], c["gen_lr"], c["sr"]])
             for label, c in crops["degraders"].items()]
    grid = crop_grid(["HR", "real LR", "generated LR", "SR"], rows, tile=224)
    charts = bar_charts(_metric_panels(report))
    for name, im in (("crops.png", grid), ("metrics.png", charts)):
        with atomic_path(folder / name) as tmp:
            im.save(tmp, format="PNG")


REPORT_OUTPUTS = ("report.md", "report.json", "crops.png", "metrics.png", "models")
"""What the report folder holds (``overwrite`` replaces these)."""


def run_eval(degraders: Sequence[str | DegraderEntry], clean_hr: str | Path,
             test: str | Path, out: str | Path, real_lr: str | Path | None = None,
             settings: EvalSettings | None = None, progress: bool = True,
             overwrite: bool = False) -> dict[str, Any]:
    """``evaluate`` and write the report folder ``out`` (see the module doc); returns the
    report dict (as in report.json). A non-empty ``out`` is refused unless ``overwrite``,
    which replaces a previous report's files (so no old model or figure is left beside the
    new report)."""
    out = Path(out)
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ConfigError(f"--out {out}: is not empty; choose an empty folder, or pass "
                          "--overwrite to replace the report there")
    threads = (settings or EvalSettings()).threads
    with use_threads(threads), staged_folder(out, replace=REPORT_OUTPUTS if overwrite else ()
                                              ) as staging:
        report = evaluate(degraders, clean_hr, test, real_lr, settings,
                          models_dir=staging / "models", progress=progress)
        report["versions"] = {"degsdk": __version__, "torch": torch.__version__,
                              "python": platform.python_version()}
        write_report(report, staging)
    return report

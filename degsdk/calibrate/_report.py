"""What ``degsdk calibrate`` writes: ``camera.yaml`` (the ``calibrated_camera`` config, for
``degsdk degrade --config`` or a recipe), ``calibration.json`` (every fitted value, the NLFs
and edge widths measured), ``nlf.png`` and ``report.md``; staged and moved into place
together, so a failure leaves none of them half-made."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from .._config import save_config
from ..io import staged_folder, write_text_atomic
from ._calibrate import Calibration
from ._figure import calibration_figure

FILES = ("camera.yaml", "calibration.json", "nlf.png", "report.md")


def _psf_line(psf: dict[str, Any] | None) -> str:
    if not psf:
        return "none"
    return (f"Gaussian, sigma_x {psf['sigma_x']:.3f}, sigma_y {psf['sigma_y']:.3f} HR px, "
            f"theta {math.degrees(psf['theta']):.1f} deg")


def _text_lines(cal: Calibration) -> list[str]:
    s = cal.summary()
    psf = s["psf"]
    lines = [f"x{cal.scale}, {s['downsample']} sampling"]
    if psf:
        lines.append(f"sx {psf['sigma_x']:.2f}  sy {psf['sigma_y']:.2f}")
        lines.append(f"theta {math.degrees(psf['theta']):.0f} deg")
    lines.append(f"noise in {s['noise']['space']}")
    j = s["jpeg"]
    lines.append(f"JPEG q{j['quality']} {j['subsampling']}" if j else "no JPEG")
    if s["sharpen"]:
        lines.append(f"sharpen {s['sharpen']['amount']:.2f}")
    return lines


def nlf_table(cal: Calibration) -> list[str]:
    """Markdown rows: per channel and bin, the real LR's and the calibrated camera's NLF."""
    real, sim = cal.noise.real, cal.noise.simulated
    rows = ["| channel | intensity | real LR σ | camera's LR σ | difference | sensor σ |",
            "|---|---:|---:|---:|---:|---:|"]
    for c, name in enumerate("RGB"):
        for b in range(real.bins):
            if not (real.valid(c, b) and sim.valid(c, b)):
                continue
            r, m = 255 * real.std[c][b], 255 * sim.std[c][b]
            x = real.level[c][b]
            rows.append(f"| {name} | {x:.2f} | {r:.2f} | {m:.2f} | {100 * (m / r - 1):+.1f} % "
                        f"| {255 * cal.noise.model_std(x, c):.2f} |")
    return rows


def _jpeg_cell(j: dict[str, Any]) -> str:
    own = "" if j["standard_tables"] else "; the camera's own tables, matched to the nearest"
    return (f"quality {j['quality']}, {j['subsampling']} (read from {j['files']} of {j['of']} "
            f"files{own})")


def render_markdown(cal: Calibration) -> str:
    s = cal.summary()
    n, j = s["noise"], s["jpeg"]
    how = ("aligned pairs: PSF, colour and sharpening by least squares, noise by matching the "
           "noise-level functions of the residuals" if cal.mode == "pairs" else
           "real LR alone: PSF by matching edge widths of LR made from the clean HR, noise by "
           "matching noise-level functions")
    out = [
        "# Calibrated camera", "",
        f"From {cal.images} images ({how}), in {s['seconds'].get('total', 0):.1f} s.",
        "Use it: `degsdk degrade photos/ --out pairs/ --config camera.yaml` or as a recipe's "
        "degrader.", "",
        "![noise-level functions and PSF](nlf.png)", "",
        "| what | fitted |", "|---|---|",
        f"| scale | ×{cal.scale}, {s['downsample']} resampling |",
        f"| PSF | {_psf_line(s['psf'])}"
        + (f" (± {s['edges']['sigma_se']:.2f} px from the images' spread of edge widths)"
           if "edges" in s else "") + " |",
    ]
    if s["colour"]:
        m = s["colour"]["matrix"]
        out.append("| colour | matrix " + "; ".join(" ".join(f"{v:.3f}" for v in row)
                                                   for row in m)
                   + f", offset {' '.join(f'{v:+.4f}' for v in s['colour']['offset'])} |")
    sharpen = s["sharpen"]
    out.append(f"| sharpening | amount {sharpen['amount']:.3f}, σ {sharpen['sigma']:.2f} px |"
               if sharpen else "| sharpening | none (did not lower the pairs' error by 2 %) |"
               if cal.mode == "pairs" else "| sharpening | not measurable without pairs |")
    out += [
        f"| sensor noise | in {n['space']} values; shot (variance per unit signal) "
        f"{', '.join(f'{v:.6f}' for v in n['shot'])}; read σ (0–255) "
        f"{', '.join(f'{v:.3f}' for v in n['read'])} (R, G, B) |",
        "| JPEG | " + (_jpeg_cell(j) if j else "none: the files are not JPEGs") + " |",
        f"| noise-level function | largest difference {100 * n['nlf_error']:.1f} % in a bin, "
        f"mean |log ratio| {n['nlf_score']:.3f} |",
        f"| HF-KL (real LR vs the camera's LR) | {s['hf_kl']} |", "",
        "## Noise-level functions", "",
        "σ of the fine residual in flat places (0–255), real LR against the calibrated "
        "camera's LR measured the same way; *sensor σ*: what the model adds before its "
        "sharpening and JPEG.", "", *nlf_table(cal), "",
        "Sensor spaces tried: " + ", ".join(f"{k} (error {100 * v['nlf_error']:.1f} %, score "
                                            f"{v['nlf_score']:.3f})"
                                            for k, v in s["noise_spaces"].items())
        + f". How much each channel's NLFs answer its own noise: "
        f"{', '.join(f'{v:.2f}' for v in n['channel_response'])} (R, G, B; below 0.35 the "
        "camera's processing left too little to fit that channel apart, and it shares the "
        "others' noise).", "",
    ]
    if cal.edges is not None:
        e = s["edges"]
        out += ["## Edge widths (LR px², per edge-normal angle)", "",
                "| angle | real LR | camera's LR | SE |", "|---:|---:|---:|---:|"]
        for a, r, m, se in zip(e["real"]["angles_deg"], e["real"]["width2"],
                               e["simulated"]["width2"], e["real"]["se"], strict=True):
            out.append(f"| {a:g}° | {r:.3f} | {m:.3f} | {se:.3f} |")
        out += ["", f"Isotropic PSF: {e['isotropic']} (χ² of the direction differences "
                f"{e['chi2']:.2f}; anisotropy is fitted above 7.8). The images' own spread of "
                f"edge widths leaves σ uncertain by ±{e['sigma_se']:.2f} HR px (one standard "
                "error): without pairs the PSF is measured against the clean HR's sharpness, "
                "and scenes differ; more images, and clean HR like the camera's scenes, narrow "
                "it.", ""]
    out += ["## Time (s)", "", "| stage | seconds |", "|---|---:|"]
    out += [f"| {k} | {v:.2f} |" for k, v in s["seconds"].items()]
    return "\n".join(out) + "\n"


def write_calibration(cal: Calibration, out: str | os.PathLike[str]) -> Path:
    """Write :data:`FILES` into ``out`` (module doc); returns the camera.yaml path."""
    target = Path(out)
    data = {"camera": cal.config, "fitted": cal.summary(),
            "nlf": {space: {"real": f.real.to_dict(), "camera": f.simulated.to_dict()}
                    for space, f in cal.noise_fits.items()}}
    psf = cal.params.get("psf")
    title = f"calibrated camera ({cal.mode}, {cal.images} images)"
    with staged_folder(target, replace=FILES) as staging:
        save_config(cal.config, staging / "camera.yaml")
        write_text_atomic(staging / "calibration.json", json.dumps(data, indent=1) + "\n")
        calibration_figure(cal.noise, psf, _text_lines(cal), title).save(staging / "nlf.png")
        write_text_atomic(staging / "report.md", render_markdown(cal))
    return target / "camera.yaml"

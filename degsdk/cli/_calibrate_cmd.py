"""``degsdk calibrate (--pairs DIR | --real-lr DIR --clean-hr DIR --scale K) --out DIR``:
measure a camera and write it as a ``calibrated_camera`` config with a report."""

from __future__ import annotations

import argparse
import math
from typing import Any

from .._options import add_options
from ..calibrate import CalibrateOptions, run_calibration


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "calibrate", help="measure your camera's blur, colour, noise and JPEG; write "
        "camera.yaml",
        description="Measure a real camera — its PSF (anisotropic Gaussian), resampling, "
        "colour response and sharpening from aligned pairs; its Poisson-Gaussian sensor noise "
        "by matching noise-level functions through the camera's own JPEG; the JPEG quality "
        "and chroma subsampling from its files — and write OUT/camera.yaml (a "
        "calibrated_camera config), calibration.json, nlf.png and report.md. Without pairs, "
        "the PSF and noise are matched on LR made from --clean-hr.")
    add_options(p, CalibrateOptions)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cal = run_calibration(CalibrateOptions.from_args(args))
    s = cal.summary()
    psf = s["psf"]
    jpeg = s["jpeg"]
    print(f"calibrated from {s['images']} images ({s['mode']}): "
          + (f"PSF {psf['sigma_x']:.2f} x {psf['sigma_y']:.2f} px at "
             f"{math.degrees(psf['theta']):.0f} deg" if psf else "no PSF")
          + (f" (±{s['edges']['sigma_se']:.2f} px)" if "edges" in s else "") + "; "
          + f"noise in {s['noise']['space']} (NLF within {100 * s['noise']['nlf_error']:.0f} "
          "%); " + (f"JPEG q{jpeg['quality']} {jpeg['subsampling']}" if jpeg else "no JPEG")
          + f"; wrote {args.out}/camera.yaml and report.md")
    return 0

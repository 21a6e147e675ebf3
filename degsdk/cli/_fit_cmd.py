"""``degsdk fit --real-lr DIR --clean-hr DIR [--pairs DIR] [--test DIR] --out DIR``: fit every
method the data allows, rank them on held-out real data, write a report and ``best.yaml``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._options import add_options
from ..fit import FitOptions, fit


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "fit", help="fit every method to your camera's images, rank them, write best.yaml",
        description="Fit every degradation method the data allows (see `degsdk plugins` for "
        "the fitters) to real images of one camera, within --budget. Part of the real LR and "
        "of the pairs is held out; each method is scored on it (Fréchet distances, HF-KL) "
        "and, with test pairs (--test, else the held-out pairs), by the SR model its pairs "
        "train, over --repeats seeds. Writes OUT/report.md, report.json, crops.png, "
        "metrics.png, the fitted models under methods/, and best.yaml, a recipe for the "
        "winner. An interrupted run continues with --resume.")
    add_options(p, FitOptions)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    o = FitOptions.from_args(args)
    try:
        report = fit(o)
    except KeyboardInterrupt:
        print(f"degsdk fit: interrupted; what is done is kept in {o.out}: continue with the "
              "same command and --resume", file=sys.stderr)
        raise
    print(f"best: {report.best} ({report.criterion}); wrote {o.out / 'report.md'} and "
          f"{o.out / 'best.yaml'}")
    if report.verdict:
        print(report.verdict)
    pairs = report.real_pairs_sr
    if pairs is not None and report.picked.sr_psnr is not None:
        print(f"your real pairs: SR trained on them scores {pairs.mean:.2f} dB; the pick "
              f"{report.picked.sr_psnr.mean - pairs.mean:+.2f} dB from it")
    used = report.seconds / report.budget["total_s"]
    print(f"time: {report.seconds:.0f} s of the {report.budget['total_s']:.0f} s budget "
          f"({100 * used:.0f} %)")
    return 0

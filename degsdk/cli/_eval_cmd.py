"""``degsdk eval --degrader SPEC ... --clean-hr DIR --test PAIRS_DIR [--real-lr DIR] --steps N
--out DIR``: the downstream protocol (``degsdk.evaluation``) and its report."""

from __future__ import annotations

import argparse
import re
from typing import Any

from .._options import add_options
from ..evaluation import EvalOptions, run_eval
from ..evaluation._degrader_spec import __doc__ as SPEC_DOC


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "eval", help="train SR on each degrader's pairs, test on real pairs, write a report",
        description="For each degrader: generate pairs from --clean-hr, train srresnet_small "
        "with the same seed and budget, test it on the real pairs in --test (hr/ + lr/), and "
        "score the LR it makes from the test HR against real LR (Fréchet distance per "
        "extractor, HF-KL, PSNR/SSIM when aligned). Writes OUT/report.md, report.json, "
        "crops.png, metrics.png and models/.",
        epilog=re.sub(r"``(.+?)``", r"\1", SPEC_DOC or "", flags=re.S),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_options(p, EvalOptions)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    o = EvalOptions.from_args(args)
    settings = o.settings()
    report = run_eval(o.degrader, o.clean_hr, o.test, o.out, o.real_lr, settings,
                      overwrite=o.overwrite)
    best = report["ranking"]["sr_psnr"][0]
    print(f"wrote {o.out}/report.md (+ report.json, crops.png, metrics.png"
          f"{', models/' if settings.save_models else ''}); best SR PSNR: {best}")
    return 0

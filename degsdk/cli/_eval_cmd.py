"""``degsdk eval --degrader SPEC ... --train-hr DIR --test PAIRS_DIR [--real-lr DIR] --steps N
--out DIR``: the downstream protocol (``degsdk.evaluation``) and its report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..evaluation import EvalSettings, run_eval
from ..evaluation._degrader_spec import __doc__ as SPEC_DOC

_DEFAULTS = EvalSettings()


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "eval", help="train SR on each degrader's pairs, test on real pairs, write a report",
        description="For each degrader: generate pairs from --train-hr, train srresnet_small "
        "with the same seed and budget, test it on the real pairs in --test (hr/ + lr/), and "
        "score the LR it makes from the test HR against real LR (Fréchet distance per "
        "extractor, HF-KL, PSNR/SSIM when aligned). Writes OUT/report.md, report.json, "
        "crops.png, metrics.png and models/.",
        epilog=SPEC_DOC, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--degrader", dest="degraders", action="append", required=True,
                   metavar="[LABEL=]SPEC", help="registered NAME[:KEY=VALUE...], recipe or "
                   "config file, or weights ref; repeat for each degrader")
    p.add_argument("--train-hr", type=Path, required=True, help="folder of clean HR images")
    p.add_argument("--test", type=Path, required=True, help="real pairs folder (hr/ + lr/)")
    p.add_argument("--real-lr", type=Path, help="reference real LR folder for Fréchet/HF-KL "
                   "(default: the test lr/)")
    p.add_argument("--out", type=Path, required=True, help="report folder")
    p.add_argument("--steps", type=int, default=_DEFAULTS.steps, help="SR training steps "
                   f"(default {_DEFAULTS.steps})")
    p.add_argument("--seed", type=int, default=_DEFAULTS.seed)
    p.add_argument("--copies", type=int, default=_DEFAULTS.copies,
                   help=f"degraded copies per train HR image (default {_DEFAULTS.copies})")
    p.add_argument("--batch-size", type=int, default=_DEFAULTS.batch_size)
    p.add_argument("--patch", type=int, default=_DEFAULTS.patch,
                   help=f"LR patch side for SR training (default {_DEFAULTS.patch})")
    p.add_argument("--lr", type=float, default=_DEFAULTS.lr, help="Adam learning rate")
    p.add_argument("--max-seconds", type=float, help="time limit per SR model")
    p.add_argument("--extractor", dest="extractors", action="append", metavar="NAME",
                   help="feature extractor for the Fréchet distance; repeatable (default: "
                   f"{', '.join(_DEFAULTS.extractors)})")
    p.add_argument("--feature-patch", type=int, default=_DEFAULTS.feature_patch,
                   help=f"LR patch side for features (default {_DEFAULTS.feature_patch})")
    p.add_argument("--rgb", action="store_true", help="PSNR/SSIM on RGB (default: Y channel)")
    p.add_argument("--crop-border", type=int, help="border cropped for PSNR/SSIM "
                   "(default: the scale)")
    p.add_argument("--unaligned", action="store_true", help="the test LR is not registered "
                   "to its HR: skip PSNR/SSIM between generated and real LR")
    p.add_argument("--no-models", action="store_true", help="do not save the SR models")
    p.add_argument("--threads", type=int, metavar="N", help="torch CPU threads (default: the "
                   "cores not busy now, or $DEGSDK_THREADS)")
    p.add_argument("--overwrite", action="store_true", help="replace the report in a non-empty "
                   "--out (default: refuse it)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = EvalSettings.of(
        steps=args.steps, seed=args.seed, copies=args.copies, batch_size=args.batch_size,
        patch=args.patch, lr=args.lr, max_seconds=args.max_seconds,
        extractors=args.extractors or _DEFAULTS.extractors, feature_patch=args.feature_patch,
        y_channel=not args.rgb, crop_border=args.crop_border, aligned=not args.unaligned,
        save_models=not args.no_models, threads=args.threads)
    report = run_eval(args.degraders, args.train_hr, args.test, args.out, args.real_lr,
                      settings, overwrite=args.overwrite)
    best = report["ranking"]["sr_psnr"][0]
    print(f"wrote {args.out}/report.md (+ report.json, crops.png, metrics.png"
          f"{', models/' if settings.save_models else ''}); best SR PSNR: {best}")
    return 0

"""``degsdk run RECIPE.yaml [--set a.b=value ...] [--dry-run] [--resume] [--limit N]``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..recipes import RecipeRunner, load_recipe


def add_parser(sub: Any) -> None:
    p = sub.add_parser("run", help="generate an LR/HR dataset from a recipe",
                       description="Run a dataset recipe: HR crops of the input folders, "
                       "degraded, written as hr/ + lr/ with manifest.jsonl, meta_info.txt, "
                       "run.json and preview.png.")
    p.add_argument("recipe", type=Path)
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="A.B=VALUE",
                   help="override a field (YAML value; list items by index: inputs.0.path)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    p.add_argument("--resume", action="store_true", help="complete an interrupted run")
    p.add_argument("--limit", type=int, help="only the first N samples")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="torch threads of each worker (default: 1). The files are the same "
                   "for any run.workers; more threads can speed up a learned degrader on few "
                   "workers, but some torch ops round differently with other thread counts")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    recipe = load_recipe(args.recipe, args.sets)
    runner = RecipeRunner(recipe, args.limit, threads=args.threads)
    if args.dry_run:
        print(runner.describe())
        return 0
    s = runner.run(resume=args.resume)
    done = s.samples - s.skipped
    print(f"{recipe.name}: {s.samples} samples ({done} made, {s.skipped} already done) in "
          f"{s.seconds:.1f} s ({s.throughput:.1f}/s) → {s.output}/")
    return 0

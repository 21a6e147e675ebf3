"""``degsdk import CONFIG [-o RECIPE]``: a traiNNer-redux / neosr / BasicSR OTF options file or
a wtp_dataset_destroyer config → a degsdk recipe with the same distributions, listing every
option it could not carry."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..io._atomic import write_text_atomic


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "import", help="turn a traiNNer-redux, neosr or wtp_dataset_destroyer config into a "
        "recipe",
        description="Read another tool's degradation config — traiNNer-redux OTF options "
        "(YAML), neosr OTF options (TOML), BasicSR/Real-ESRGAN options (YAML) or a "
        "wtp_dataset_destroyer config (JSON; HCL with python-hcl2) — and write a degsdk recipe "
        "with the same distributions. Every option that could not be carried is listed (on "
        "the terminal and as comments at the top of the recipe), with why.")
    p.add_argument("config", type=Path, help="the config file to import")
    p.add_argument("-o", "--output", type=Path, metavar="RECIPE",
                   help="write the recipe here (replaced whole); default: print it")
    p.add_argument("--from", dest="kind", default="auto",
                   choices=("auto", "traiNNer-redux", "neosr", "basicsr", "wtp"),
                   help="which tool wrote the config (default: auto, from its format and keys)")
    p.add_argument("--name", help="the recipe's name (default: the config's name or file stem)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from .._config import from_config
    from ..recipes._import import import_config, recipe_text

    result = import_config(args.config, args.kind, args.name)
    from_config(result.recipe["degrader"], where="imported degrader")  # it must build
    text = recipe_text(result, args.config.name)
    if args.output:
        write_text_atomic(args.output, text)
        print(f"wrote {args.output} ({result.tool}; {len(result.unconverted)} options not "
              "carried)", file=sys.stderr)
    else:
        print(text, end="")
    for key, _value, why in result.unconverted:
        print(f"degsdk import: not carried: {key}: {why}", file=sys.stderr)
    return 0

"""``degsdk schema recipe [-o FILE]``: the recipe JSON Schema (draft 2020-12), with every
registered degrader's parameters, for editors and CI validators."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..io._atomic import write_text_atomic

SCHEMAS = ("recipe",)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "schema", help="write the JSON Schema of recipes (for editors and validators)",
        description="Print (or write) the JSON Schema of degsdk recipes: the recipe fields and, "
        "for `degrader`, `hr_transform` and every container's children, the parameters of each "
        "registered degrader — the plugins installed now included. Point an editor at it (see "
        "docs/recipes.md) to check recipes as you type.")
    p.add_argument("what", choices=SCHEMAS, help="which schema: recipe")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write it to FILE (replaced whole) instead of standard output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..recipes._json_schema import recipe_json_schema

    text = json.dumps(recipe_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        write_text_atomic(args.output, text)
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0

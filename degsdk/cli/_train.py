"""``degsdk train NAME [options]``: run a trainer registered by a plugin.

``degsdk train --help`` lists the registered trainers; ``degsdk train NAME --help`` lists the
options that trainer declares."""

from __future__ import annotations

import argparse
from typing import Any

from .._components import get_trainer, list_trainers
from .._errors import UnknownComponentError
from .._quote import quote


def add_parser(sub: Any) -> None:
    p = sub.add_parser("train", help="run a registered trainer (degsdk train --help lists them)",
                       add_help=False)
    p.add_argument("name", nargs="?", help="trainer name")
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.add_argument("-h", "--help", action="store_true", dest="show_help")
    p.set_defaults(run=run)


def _trainer_listing() -> str:
    lines = ["usage: degsdk train NAME [options]   (degsdk train NAME --help for its options)",
             "", "registered trainers:"]
    names = list_trainers()
    if not names:
        lines.append("  (none: install a method plugin, e.g. plugins/degsdk-deflow)")
    for name in names:
        lines.append(f"  {name:<20} {get_trainer(name).description}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.name is None:
        print(_trainer_listing())
        return 0 if args.show_help else 2
    if args.name not in list_trainers():
        raise UnknownComponentError(f"no trainer named {quote(args.name)}\n{_trainer_listing()}")
    trainer = get_trainer(args.name)
    rest = list(args.rest) + (["--help"] if args.show_help else [])
    parsed = trainer.parse_cli(rest, prog=f"degsdk train {args.name}")
    trainer.call(parsed)
    options = parsed.options
    out = options.get("out") if isinstance(options, dict) else getattr(options, "out", None)
    where = f"; model folder {out}/" if out is not None else ""
    print(f"degsdk train {args.name}: finished{where}")
    return 0

"""``degsdk plugins [--json]``: loaded plugins, their versions and components, and failures."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._components import components
from .._plugins import plugin_records
from .._registry import KINDS

_KIND_TITLES = {
    "degrader": "degraders",
    "extractor": "extractors",
    "sr_model": "SR models",
    "trainer": "trainers",
    "weights": "weights",
    "command": "commands",
    "fitter": "fitters",
}


def add_parser(sub: Any) -> None:
    p = sub.add_parser("plugins", help="list plugins, their components and load failures",
                       description="List installed degsdk plugins with their versions, the "
                       "components each registers, and any that failed to load.")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=run)


def _by_plugin() -> dict[str, dict[str, list[str]]]:
    """plugin → kind → the names it registered (from ``degsdk.components``)."""
    out: dict[str, dict[str, list[str]]] = {}
    for kind in KINDS:
        for name, c in components(kind).items():
            out.setdefault(c.plugin, {}).setdefault(kind, []).append(name)
    return out


def run(args: argparse.Namespace) -> int:
    records = plugin_records()
    registered = _by_plugin()
    if args.json:
        print(json.dumps([{**r.as_dict(), "components": registered.get(r.name, {})}
                          for r in records], indent=2))
        return 0
    for r in records:
        dist = f"{r.distribution} {r.version}" if r.distribution else "registered at runtime"
        status = "" if r.ok else "  [FAILED]"
        print(f"{r.name} ({dist}){status}")
        for kind, names in registered.get(r.name, {}).items():
            print(f"  {_KIND_TITLES[kind]}: {', '.join(names)}")
        for failure in r.failures:
            print(f"  error: {failure}")
    return 0

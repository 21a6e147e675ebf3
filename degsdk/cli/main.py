"""``degsdk`` entry point: builds the sub-commands, prints ``DegsdkError`` without a traceback
(exit 2) and plugin warnings as one line each."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from ..errors import DegsdkError
from ..version import __version__
from . import degrade, eval_cmd, plugins_cmd, run_cmd, train, weights_cmds


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, file: Any = None, line: str | None = None) -> None:
    print(f"degsdk: warning: {message}", file=file or sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="degsdk",
        description="Realistic image degradations for super-resolution.",
    )
    parser.add_argument("--version", action="version", version=f"degsdk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in (degrade, run_cmd, eval_cmd, plugins_cmd, train, weights_cmds):
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    warnings.showwarning = _one_line_warning
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except DegsdkError as exc:
        print(f"degsdk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("degsdk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

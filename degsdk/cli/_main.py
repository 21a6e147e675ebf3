"""``degsdk`` entry point: builds the sub-commands, prints ``DegsdkError`` without a traceback
(exit 2) and plugin warnings as one line each."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from typing import Any

from .._errors import DegsdkError
from .._version import __version__
from . import (
    _calibrate_cmd,
    _degrade,
    _eval_cmd,
    _fit_cmd,
    _import_cmd,
    _plugins_cmd,
    _run_cmd,
    _schema_cmd,
    _train,
    _weights_cmds,
)


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, file: Any = None, line: str | None = None) -> None:
    print(f"degsdk: warning: {message}", file=file or sys.stderr)


BUILTIN_COMMANDS = ("degrade", "run", "eval", "fit", "calibrate", "plugins", "train", "pull",
                    "export", "push", "schema", "import")


def build_parser(with_plugins: bool = True) -> argparse.ArgumentParser:
    """The command-line parser: the built-in verbs, then (for ``--help``) the verbs plugins
    registered, each marked with its plugin."""
    parser = argparse.ArgumentParser(
        prog="degsdk",
        description="Realistic image degradations for super-resolution.",
        epilog="Plugin commands are marked [plugin NAME]; `degsdk plugins` lists every plugin.",
    )
    parser.add_argument("--version", action="version", version=f"degsdk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in (_degrade, _run_cmd, _eval_cmd, _fit_cmd, _calibrate_cmd, _plugins_cmd,
                   _train, _weights_cmds, _schema_cmd, _import_cmd):
        module.add_parser(sub)
    if with_plugins:
        from .._components import get_command, list_commands
        from .._plugins import get_registry

        for name in list_commands():
            if name in BUILTIN_COMMANDS:
                continue  # built-in verbs win
            plugin = get_registry().get("command", name).plugin
            try:
                text = get_command(name).description
            except DegsdkError as exc:
                text = f"(broken: {exc})"
            sub.add_parser(name, help=f"{text} [plugin {plugin}]", add_help=False)
    return parser


def _plugin_command(argv: Sequence[str]) -> int | None:
    """Run ``degsdk <verb> …`` when a plugin registered ``verb``; None when none did."""
    from .._components import get_command, list_commands
    if not argv or argv[0].startswith("-") or argv[0] in BUILTIN_COMMANDS:
        return None
    if argv[0] not in list_commands():
        return None
    command = get_command(argv[0])
    return int(command.run_cli(argv[1:], prog=f"degsdk {argv[0]}") or 0)


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # unwind as Ctrl-C does: staging folders are removed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for a degsdk error, 130 when
    interrupted by Ctrl-C or SIGTERM, which unwind the same way: nothing half-written is
    left)."""
    warnings.showwarning = _one_line_warning
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if on_main else None
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except DegsdkError as exc:
        print(f"degsdk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("degsdk: interrupted", file=sys.stderr)
        return 130
    finally:
        if on_main:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str]) -> int:
    result = _plugin_command(argv)
    if result is not None:
        return result
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

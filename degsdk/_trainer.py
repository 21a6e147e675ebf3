"""What ``degsdk train <name>`` (a ``Trainer``) or a plugin verb ``degsdk <name>`` (a
``Command``) runs: a description, a Python entry, and its options declared once as an
:class:`~degsdk.Options` model."""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._options import Options, add_options
from ._threads import THREADS_ENV, use_threads


@dataclass(frozen=True)
class TrainerOption:
    """Deprecated: one command-line option declared by hand. Declare an ``Options`` model
    instead; a tuple of these still works, with a ``DeprecationWarning``."""

    name: str
    help: str = ""
    type: Callable[[str], Any] = str
    default: Any = None
    required: bool = False
    choices: Sequence[Any] | None = None
    flag: bool = False


@dataclass(frozen=True)
class _Entry:
    """A runnable CLI entry: ``run(options)`` gets the validated ``options`` model instance."""

    description: str
    run: Callable[..., Any]
    options: type[Options] | tuple[TrainerOption, ...] = Options

    def __post_init__(self) -> None:
        if isinstance(self.options, tuple):
            warnings.warn(f"{type(self).__name__}({self.description[:40]!r}…): options as "
                          "TrainerOption tuples are deprecated; declare a degsdk.Options model",
                          DeprecationWarning, stacklevel=3)
        elif not (isinstance(self.options, type) and issubclass(self.options, Options)):
            raise TypeError(f"{type(self).__name__}.options must be a degsdk.Options subclass, "
                            f"got {self.options!r}")

    def parser(self, prog: str) -> argparse.ArgumentParser:
        """The argparse parser of the declared options (``--help`` comes from the model), plus
        ``--threads N`` (torch CPU threads) for every entry."""
        parser = argparse.ArgumentParser(prog=prog, description=self.description)
        if isinstance(self.options, tuple):
            _add_legacy(parser, self.options)
        else:
            add_options(parser, self.options)
        if not self._declares_threads():
            parser.add_argument("--threads", dest=_THREADS, type=int, default=None, metavar="N",
                                help="torch CPU threads (default: the cores not busy now; "
                                f"${THREADS_ENV} sets it too)")
        return parser

    def _declares_threads(self) -> bool:
        """Whether the options model has its own ``threads`` field (``RunOptions`` does)."""
        return not isinstance(self.options, tuple) and "threads" in self.options.model_fields

    def parse_cli(self, argv: Sequence[str], prog: str) -> ParsedCli:
        """``argv`` parsed and validated by the options model (a dict for legacy options),
        with the ``--threads`` value beside it."""
        parsed = vars(self.parser(prog).parse_args(list(argv)))
        threads = parsed.pop(_THREADS, None)
        options: Options | dict[str, Any] = (
            parsed if isinstance(self.options, tuple) else self.options.of(**parsed))
        if self._declares_threads():
            threads = getattr(options, "threads", None)
        return ParsedCli(options, threads)

    def call(self, parsed: ParsedCli) -> Any:
        """Run with what ``parse_cli`` returned, with the torch threads ``--threads`` asked
        for (default: the cores free now)."""
        with use_threads(parsed.threads):
            if isinstance(parsed.options, dict):
                return self.run(**parsed.options)
            return self.run(parsed.options)

    def run_cli(self, argv: Sequence[str], prog: str) -> Any:
        """Parse ``argv``, validate it with the options model, and run."""
        return self.call(self.parse_cli(argv, prog))


_THREADS = "_degsdk_threads"


@dataclass(frozen=True)
class ParsedCli:
    """A command line parsed for an entry: its validated options and ``--threads``."""

    options: Options | dict[str, Any]
    threads: int | None = None


def _add_legacy(parser: argparse.ArgumentParser, options: tuple[TrainerOption, ...]) -> None:
    for opt in options:
        flag = "--" + opt.name.replace("_", "-")
        if opt.flag:
            parser.add_argument(flag, dest=opt.name, action="store_true", help=opt.help)
            continue
        note = f" (default: {opt.default})" if opt.default is not None else ""
        parser.add_argument(flag, dest=opt.name, type=opt.type, default=opt.default,
                            required=opt.required, choices=opt.choices, help=opt.help + note)


@dataclass(frozen=True)
class Trainer(_Entry):
    """What ``degsdk train <name>`` runs: ``Trainer(description, run, MyOptions)``;
    ``run(options)`` receives a validated ``MyOptions``."""


@dataclass(frozen=True)
class Command(_Entry):
    """A plugin's top-level CLI verb, ``degsdk <name> [options]``: ``Command(description, run,
    MyOptions)``; ``run(options)`` receives a validated ``MyOptions`` and may return an exit
    code."""

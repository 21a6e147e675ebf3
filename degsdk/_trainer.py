"""What ``degsdk train <name>`` (a ``Trainer``) or a plugin verb ``degsdk <name>`` (a
``Command``) runs: a plugin declares its options and a Python entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TrainerOption:
    """One command-line option of a trainer: ``--<name>`` (underscores become dashes).

    ``type`` converts the command-line string; ``flag=True`` makes a boolean switch.
    """

    name: str
    help: str = ""
    type: Callable[[str], Any] = str
    default: Any = None
    required: bool = False
    choices: Sequence[Any] | None = None
    flag: bool = False


@dataclass(frozen=True)
class Trainer:
    """A registered training entry: ``run(**options)`` is called with the parsed options
    (keyword names as in ``TrainerOption.name``)."""

    description: str
    run: Callable[..., Any]
    options: tuple[TrainerOption, ...] = ()


@dataclass(frozen=True)
class Command(Trainer):
    """A plugin's top-level CLI verb, ``degsdk <name> [options]``: declared like a
    :class:`Trainer` (description, ``run(**options)``, options)."""

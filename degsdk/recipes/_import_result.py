"""What ``degsdk import`` made of a config: the recipe and what could not be carried."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ImportResult:
    """What an import made: the recipe (a dict), the options not carried (key, value, why),
    notes on how options were mapped, and the training keys left aside."""

    tool: str
    recipe: dict[str, Any] = field(default_factory=dict)
    unconverted: list[tuple[str, Any, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    hr_transform: dict[str, Any] | None = None

    def skip(self, key: str, value: Any, why: str) -> None:
        self.unconverted.append((key, value, why))

    def note(self, text: str) -> None:
        self.notes.append(text)

"""Bounded quotes of user input in error messages: whatever the size or nesting of a value, an
error that quotes it stays short (a few hundred characters, cut with "…") and is made in
microseconds, and no ``DegsdkError`` prints longer than a screen."""

from __future__ import annotations

import reprlib
from typing import Any

QUOTE_LIMIT = 200
"""The most characters one quoted value takes in a message."""
MESSAGE_CHARS = 2000
MESSAGE_LINES = 30
"""The most characters and lines a ``DegsdkError`` prints (about a screen)."""

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 120
_REPR.maxother = 120
_REPR.maxlong = 40
for _kind in ("maxtuple", "maxlist", "maxarray", "maxdict", "maxset", "maxfrozenset",
              "maxdeque"):
    setattr(_REPR, _kind, 6)


def cut(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` itself, or its first ``limit - 1`` characters and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` bounded in size and time: nested containers are shown to 3 levels and
    6 items each ("..." for the rest), long strings are cut, and the whole is at most ``limit``
    characters."""
    try:
        text = _REPR.repr(value)
    except Exception:  # a repr that fails is not worth a second error
        text = f"<{type(value).__name__}>"
    return cut(text, limit)


def cap_message(text: str, chars: int = MESSAGE_CHARS, lines: int = MESSAGE_LINES) -> str:
    """``text`` cut to at most ``lines`` lines and ``chars`` characters, saying what was cut."""
    rows = text.split("\n")
    if len(rows) > lines:
        rows = [*rows[: lines - 1], f"… ({len(rows) - lines + 1} more lines)"]
    out = "\n".join(rows)
    return cut(out, chars)

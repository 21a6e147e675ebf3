"""``warn_user``: a warning that points at the user's line, not at degsdk's or a plugin's."""

from __future__ import annotations

import sys
import warnings

_INTERNAL = ("degsdk", "torch", "pydantic", "contextlib", "functools", "importlib", "pluggy")


def _internal(module: str) -> bool:
    top = module.split(".", 1)[0]
    return top in _INTERNAL or top.startswith("degsdk_")


def warn_user(message: str, category: type[Warning] = UserWarning) -> None:
    """Issue ``message`` attributed to the first caller outside degsdk, its plugins
    (``degsdk_*`` packages), torch and pydantic: the user's line that, say, loaded the
    weights, however deep inside degsdk the condition was found."""
    level, frame = 2, sys._getframe(1)
    while frame is not None and _internal(frame.f_globals.get("__name__", "")):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level)

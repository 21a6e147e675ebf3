"""Limits on user-supplied values and YAML text, checked before anything else looks at them, so
that a value of any size or nesting fails in bounded time with a short ``ConfigError`` instead
of a ``RecursionError``, a minute of parsing or a multi-megabyte message.

The limits are far above any real config or recipe (the largest shipped config has a few
hundred values) and are the same for every entry point: degrader parameters, ``{name, params}``
configs, recipes and their ``--set`` values, options, ``degsdk eval`` specs.
"""

from __future__ import annotations

from typing import Any

import yaml

from ._errors import ConfigError

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings in one value."""
MAX_ITEMS = 100_000
"""Most list items, mapping entries and scalars in one value."""
MAX_STRING = 100_000
"""Longest string (characters)."""
MAX_YAML = 512 * 2**10
"""Longest YAML/JSON text of a config or recipe (characters)."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_bounded(value: Any, where: str) -> None:
    """Raise ``ConfigError`` naming ``where`` when ``value`` nests deeper than ``MAX_DEPTH``,
    holds more than ``MAX_ITEMS`` items, or a string (or key) longer than ``MAX_STRING``.
    Iterative: the time is bounded by ``MAX_ITEMS`` whatever the value."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > MAX_ITEMS:
            raise ConfigError(f"{where}: more than {MAX_ITEMS:,} values; configs and recipes "
                              "hold parameters, not data")
        if isinstance(item, str):
            if len(item) > MAX_STRING:
                raise ConfigError(f"{where}: a string of {len(item):,} characters (at most "
                                  f"{MAX_STRING:,})")
            continue
        if isinstance(item, dict | list | tuple):
            if depth >= MAX_DEPTH:
                raise ConfigError(f"{where}: nested deeper than {MAX_DEPTH} levels")
            if len(item) > MAX_ITEMS:
                raise ConfigError(f"{where}: a {type(item).__name__} of {len(item):,} items "
                                  f"(at most {MAX_ITEMS:,})")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((c, depth + 1) for c in children)


def load_yaml(text: str, where: str) -> Any:
    """``yaml.safe_load`` (libyaml's loader when installed), bounded: text longer than
    ``MAX_YAML``, nesting too deep for the parser and invalid YAML are ``ConfigError`` naming
    ``where``; the result passes ``check_bounded``."""
    if len(text) > MAX_YAML:
        raise ConfigError(f"{where}: {len(text):,} characters of YAML (at most {MAX_YAML:,}); "
                          "is this the right file?")
    try:
        data = yaml.load(text, Loader=_Loader)  # a safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ConfigError(f"{where}: nested deeper than {MAX_DEPTH} levels") from None
    check_bounded(data, where)
    return data


def compose_yaml(text: str, where: str) -> yaml.Node | None:
    """The YAML node tree of ``text`` (for line numbers in messages), bounded like
    ``load_yaml``."""
    if len(text) > MAX_YAML:
        raise ConfigError(f"{where}: {len(text):,} characters of YAML (at most {MAX_YAML:,})")
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise ConfigError(f"{where}: nested deeper than {MAX_DEPTH} levels") from None

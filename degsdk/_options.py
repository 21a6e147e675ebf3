"""``Options``: a trainer's or command's options, declared once as a pydantic model. The
command line (``--name`` per field, ``--help``, defaults, choices) and validation come from it;
the Python entry takes the same model, or its fields as keywords."""

from __future__ import annotations

import argparse
import math
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

import pydantic

from ._errors import ConfigError

OptionsT = TypeVar("OptionsT", bound="Options")


class Options(pydantic.BaseModel):
    """Base of every trainer's and command's options. One field per option: its type,
    default (none: required) and ``description`` (the ``--help`` text). ``bool`` fields are
    switches (``--name``, or ``--no-name`` when the default is true), ``Literal`` fields give
    choices, ``list`` fields repeat (``--name A --name B``); a field declared with
    ``Field(json_schema_extra={"cli": False})`` is Python-only. Unknown fields are errors."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def of(cls: type[OptionsT], options: OptionsT | None = None, /,
           **fields: Any) -> OptionsT:
        """The validated options: ``options`` as given, or built from ``fields`` (``fields``
        given with ``options`` override it); a bad field raises ``ConfigError`` naming it, as
        ``--flag`` and as the keyword."""
        if options is not None:
            if not isinstance(options, cls):
                raise ConfigError(f"expected {cls.__name__}, got {type(options).__name__}")
            if not fields:
                return options
            fields = {**options.model_dump(), **fields}
        try:
            return cls.model_validate(fields)
        except pydantic.ValidationError as err:
            lines = []
            for e in err.errors():
                field = str(e["loc"][0]) if e["loc"] else ""
                flag = "--" + field.replace("_", "-")
                msg = e["msg"].removeprefix("Value error, ")
                given = e.get("input")
                given_s = "" if e["type"] == "missing" or isinstance(given, dict) else (
                    f" (got {given!r})")
                lines.append(f"  {flag} ({field}): {msg}{given_s}")
            raise ConfigError(f"{cls.__name__}: invalid options:\n" + "\n".join(lines)) from None


def _level_items(value: Any) -> Any:
    """``LEVEL=DIR`` strings (the command line's repeated flag) → {level: folder}; a mapping
    passes through. A level must be a number, given once."""
    if isinstance(value, Mapping) or not isinstance(value, list | tuple):
        return value
    out: dict[float, str] = {}
    for item in value:
        level, sep, folder = str(item).partition("=")
        try:
            number = float(level) if sep and folder else math.nan
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValueError(f"expected LEVEL=DIR with LEVEL a number, got {item!r}")
        if number in out:
            raise ValueError(f"level {number:g} is given twice")
        out[number] = folder
    return out


def _positive_levels(value: dict[float, Path]) -> dict[float, Path]:
    bad = [k for k in value if not k > 0]
    if bad:
        raise ValueError(f"zoom levels must be positive, got {bad}")
    return dict(sorted(value.items()))


ZoomLevels = Annotated[dict[float, Path], pydantic.BeforeValidator(_level_items),
                       pydantic.AfterValidator(_positive_levels)]
"""An ``Options`` field type: zoom level → folder, sorted by level. The command line gives it
as a repeated ``--name LEVEL=DIR`` flag, Python as a dict (or the same strings); only the typed
dict travels past validation."""


def _unwrap_optional(tp: Any) -> Any:
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def add_options(parser: argparse.ArgumentParser, model: type[Options]) -> None:
    """Add one argument per field of ``model`` to ``parser``. Values are left as strings (or
    lists of strings) for the model to validate; options not given are left out, so the model's
    defaults apply."""
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("cli") is False:
            continue  # Python-only (e.g. a dict of overrides)
        flag = "--" + name.replace("_", "-")
        tp = _unwrap_optional(field.annotation)
        help_text = field.description or ""
        required = field.is_required()
        default = None if required else field.get_default(call_default_factory=True)
        if tp is bool:
            if default:
                parser.add_argument("--no-" + name.replace("_", "-"), dest=name,
                                    action="store_false", default=argparse.SUPPRESS,
                                    help=f"turn off: {help_text}")
            else:
                parser.add_argument(flag, dest=name, action="store_true",
                                    default=argparse.SUPPRESS, help=help_text)
            continue
        kwargs: dict[str, Any] = {"dest": name, "default": argparse.SUPPRESS,
                                  "required": required}
        if get_origin(tp) is Literal:
            values = {str(c): c for c in get_args(tp)}
            kwargs["choices"] = list(values.values())
            kwargs["type"] = lambda text, values=values: values.get(text, text)
        if get_origin(tp) in (list, dict):
            kwargs["action"] = "append"
        metavar = ("PATH" if tp is Path else None if "choices" in kwargs
                   else "KEY=VALUE" if get_origin(tp) is dict else name.upper())
        if metavar:
            kwargs["metavar"] = metavar
        note = "" if required or default is None else f" (default: {default})"
        parser.add_argument(flag, help=help_text + note, **kwargs)

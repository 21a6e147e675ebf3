"""``Options``: a trainer's or command's options, declared once as a pydantic model. The
command line (``--name`` per field, ``--help``, defaults, choices) and validation come from it;
the Python entry takes the same model, or its fields as keywords."""

from __future__ import annotations

import argparse
import math
import types
import typing
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

import pydantic

from ._bounded import check_bounded
from ._errors import ConfigError
from ._quote import cut, quote

OptionsT = TypeVar("OptionsT", bound="Options")


class Options(pydantic.BaseModel):
    """Base of every trainer's and command's options. One field per option: its type,
    default (none: required) and ``description`` (the ``--help`` text). ``bool`` fields are
    switches (``--name``, or ``--no-name`` when the default is true: its help is "do not " and
    the description, or ``json_schema_extra={"off_help": …}``), ``Literal`` fields give
    choices, ``list`` fields repeat (``--name A --name B``); a field whose type is another
    ``Options`` model gives that model's flags under its name (``sr: SRSettings`` →
    ``--sr-steps``, keyword ``sr={"steps": 5}`` or ``**{"sr.steps": 5}``). A field declared
    with ``Field(json_schema_extra={"cli": False})`` is Python-only; one with
    ``{"deprecated_flags": ["--old"]}`` also answers to the old flags, and one with
    ``{"deprecated_names": ["old"]}`` to the old keyword and flag (a nested options field:
    ``{"old_name": "its_field"}``, keywords only), with a warning. Unknown fields are
    errors."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _renamed_fields(cls, data: Any) -> Any:
        """A field's old names (``deprecated_names``) → the field, with a warning."""
        if not isinstance(data, dict):
            return data
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            renamed = extra.get("deprecated_names", ())
            # a list: old names of this field; a dict (a nested options field): old name → the
            # nested field it became
            pairs = renamed.items() if isinstance(renamed, dict) else ((o, None) for o in renamed)
            for old, sub in pairs:  # type: ignore[union-attr]
                if old not in data or old in cls.model_fields:
                    continue
                new = name if sub is None else f"{name}.{sub}"
                warnings.warn(f"{cls.__name__}: {old} is now {new}", DeprecationWarning,
                              stacklevel=2)
                rest = {k: v for k, v in data.items() if k != old}
                data = _merge(rest, {name: data[old]} if sub is None else
                              {name: {sub: data[old]}})
        return data

    @classmethod
    def from_args(cls: type[OptionsT], args: argparse.Namespace) -> OptionsT:
        """The validated options from a namespace that ``add_options(parser, cls)`` filled
        (other entries, such as the subcommand's, are left out)."""
        return cls.of(**{k: v for k, v in vars(args).items()
                         if k.partition(".")[0] in cls.model_fields})

    @classmethod
    def of(cls: type[OptionsT], options: OptionsT | None = None, /,
           **fields: Any) -> OptionsT:
        """The validated options: ``options`` as given, or built from ``fields`` (``fields``
        given with ``options`` override it); a bad field raises ``ConfigError`` naming it, as
        ``--flag`` and as the keyword."""
        check_bounded(fields, cls.__name__)
        if options is not None:
            if not isinstance(options, cls):
                raise ConfigError(f"expected {cls.__name__}, got {type(options).__name__}")
            if not fields:
                return options
            fields = _merge(options.model_dump(), _nest(fields))
        try:
            return cls.model_validate(_nest(fields))
        except pydantic.ValidationError as err:
            lines = []
            for e in err.errors():
                path = _field_path(cls, e["loc"])
                field = cut(".".join(path), 100)
                flag = cut("--" + "-".join(path).replace("_", "-"), 100)
                msg = e["msg"].removeprefix("Value error, ")
                given = e.get("input")
                given_s = "" if e["type"] == "missing" or isinstance(given, dict) else (
                    f" (got {quote(given)})")
                lines.append(f"  {flag} ({field}): {msg}{given_s}")
            raise ConfigError(f"{cls.__name__}: invalid options:\n" + "\n".join(lines)) from None


def _nested_model(tp: Any) -> type[Options] | None:
    tp = _unwrap_optional(tp)
    return tp if isinstance(tp, type) and issubclass(tp, Options) else None


def _field_path(model: type[Options], loc: tuple[Any, ...]) -> list[str]:
    """The field names a validation error's ``loc`` walks through (into nested options)."""
    parts: list[str] = []
    current: type[Options] | None = model
    for key in loc:
        if current is None or not isinstance(key, str):
            break
        parts.append(key)  # an unknown field is named too, and ends the walk
        field = current.model_fields.get(key)
        current = _nested_model(field.annotation) if field is not None else None
    return parts


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``extra``, nested dicts (and options) merged key by key."""
    out = dict(base)
    for key, value in extra.items():
        old = out.get(key)
        if isinstance(old, Options):
            old = old.model_dump()
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = _merge(old, value)
        else:
            out[key] = value
    return out


def _nest(fields: dict[str, Any]) -> dict[str, Any]:
    """Dotted keys (``"sr.steps"``, what the command line gives) → nested dicts."""
    if not any("." in k for k in fields):
        return fields
    out: dict[str, Any] = {}
    for key, value in fields.items():
        head, dot, rest = key.partition(".")
        out = _merge(out, {head: _nest({rest: value})} if dot else {key: value})
    return out


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
            raise ValueError(f"expected LEVEL=DIR with LEVEL a number, got {quote(item)}")
        if number in out:
            raise ValueError(f"level {number:g} is given twice")
        out[number] = folder
    return out


def _positive_levels(value: dict[float, Path]) -> dict[float, Path]:
    bad = [k for k in value if not k > 0]
    if bad:
        raise ValueError(f"zoom levels must be positive, got {bad}")
    return dict(sorted(value.items()))


def parse_zoom_levels(items: Any) -> dict[float, Path]:
    """``LEVEL=DIR`` strings (or a mapping) → {level: Path}, sorted; ``ValueError`` says why
    not (a level that is not a positive number, or given twice)."""
    return {k: Path(v) for k, v in _positive_levels(_level_items(items)).items()}


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


def add_options(parser: argparse.ArgumentParser, model: type[Options], prefix: str = "") -> None:
    """Add one argument per field of ``model`` to ``parser`` (a nested ``Options`` field: its
    fields under ``--name-…``, dest ``name.field``). Values are left as strings (or lists of
    strings) for the model to validate; options not given are left out, so the model's
    defaults apply."""
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if extra.get("cli") is False:
            continue  # Python-only (e.g. a dict of overrides)
        dest = prefix + name
        flag = "--" + dest.replace(".", "-").replace("_", "-")
        nested = _nested_model(field.annotation)
        if nested is not None:
            add_options(parser, nested, prefix=dest + ".")
            continue
        tp = _unwrap_optional(field.annotation)
        help_text = field.description or ""
        required = field.is_required()
        default = None if required else field.get_default(call_default_factory=True)
        old_flags = [*map(str, extra.get("deprecated_flags", ())),  # type: ignore[union-attr]
                     *("--" + str(n).replace("_", "-")
                       for n in extra.get("deprecated_names", ()))]  # type: ignore[union-attr]
        if tp is bool:
            action = "store_false" if default else "store_true"
            switch = "--no-" + flag[2:] if default else flag
            off = str(extra.get("off_help") or f"do not {help_text}")
            parser.add_argument(switch, dest=dest, action=action, default=argparse.SUPPRESS,
                                help=off if default else help_text)
            for old in old_flags:
                parser.add_argument(old, dest=dest, nargs=0, default=argparse.SUPPRESS,
                                    action=_deprecated(action, switch), help=argparse.SUPPRESS)
            continue
        # a required option with an old spelling: the model says it is missing, naming the flag
        kwargs: dict[str, Any] = {"dest": dest, "default": argparse.SUPPRESS,
                                  "required": required and not old_flags}
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
        note = "" if required else _default_note(default)
        parser.add_argument(flag, help=help_text + note, **kwargs)
        for old in old_flags:
            parser.add_argument(old, dest=dest, default=argparse.SUPPRESS,
                                action=_deprecated(kwargs.get("action", "store"), flag),
                                help=argparse.SUPPRESS, metavar=metavar)


def _default_note(default: Any) -> str:
    """" (default: …)" for ``--help``: lists as "a, b", nothing for None or an empty list."""
    if default is None or (isinstance(default, list | tuple | dict) and not default):
        return ""
    if isinstance(default, list | tuple):
        return f" (default: {', '.join(map(str, default))})"
    if isinstance(default, dict):
        return f" (default: {', '.join(f'{k}={v}' for k, v in default.items())})"
    return f" (default: {default})"


def _deprecated(action: str, flag: str) -> type[argparse.Action]:
    """An argparse action for an old spelling of ``flag``: warns, then does ``action``."""

    class Deprecated(argparse.Action):
        def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                     values: Any, option_string: str | None = None) -> None:
            warnings.warn(f"{option_string} is deprecated; use {flag}", FutureWarning,
                          stacklevel=2)
            if action in ("store_true", "store_false"):
                setattr(namespace, self.dest, action == "store_true")
            elif action == "append":
                setattr(namespace, self.dest, [*getattr(namespace, self.dest, []), values])
            else:
                setattr(namespace, self.dest, values)

    return Deprecated

"""``--degrader`` specs of ``degsdk eval``: ``[LABEL=]WHAT``, where WHAT is, in this order,

1. a recipe (``.yaml``/``.yml``/``.json`` with ``version`` and ``degrader`` keys): its degrader
   (the recipe's ``hr_transform``, inputs and crops are not used: the evaluation's HR is the
   target);
2. a degrader config file (``{name, params}``);
3. a weights ref (``hf://owner/name[@rev]``, ``file://PATH``, a model folder, or a weights
   short name): the learned degrader it holds;
4. a registered degrader name with optional parameters, ``NAME[:KEY=VALUE[:KEY=VALUE…]]``
   (values are YAML: ``camera:level=2:jpeg=null``). If the degrader has a ``scale`` parameter
   and the spec does not set it, it is set to the test set's scale.

The label names the degrader in the report (default: the file stem, or the spec itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._bounded import load_yaml
from .._components import create, list_degraders, list_weights
from .._config import from_config, load_config
from .._errors import ConfigError, UnknownComponentError
from .._interfaces import Degrader
from .._plugins import get_registry
from .._quote import quote
from ..hub._load import load
from ..io._paths import path_kind

_LABEL = re.compile(r"^(?P<label>[A-Za-z0-9][\w.+-]*)=(?P<rest>.+)$")
_CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class DegraderEntry:
    """One degrader under evaluation."""

    label: str
    degrader: Degrader
    source: str  # what the spec resolved to, for the report


def _split_label(text: str) -> tuple[str | None, str]:
    m = _LABEL.match(text)
    # "NAME:key=value" has its "=" after a ":"; a label never contains ":" or "/".
    if m and path_kind(text) is None:
        return m["label"], m["rest"]
    return None, text


def _from_file(path: Path) -> tuple[Degrader, str]:
    data = load_config(path)
    if "degrader" in data and "version" in data:
        return from_config(data["degrader"], where=f"{path}: degrader"), f"recipe {path}"
    return from_config(data, where=str(path)), f"config {path}"


def _parse_params(name: str, items: list[str], spec: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--degrader {quote(spec)}: expected NAME:KEY=VALUE[:KEY=VALUE…], "
                              f"got {quote(item)} after {quote(name)}")
        params[key] = load_yaml(value, f"--degrader {quote(spec, 80)}: value of {quote(key, 60)}")
    return params


def _has_scale_param(name: str) -> bool:
    factory = get_registry().get("degrader", name).factory
    config = getattr(factory, "Config", None)
    return config is not None and "scale" in getattr(config, "model_fields", {})


def parse_degrader_spec(text: str, scale: int) -> DegraderEntry:
    """Resolve one ``--degrader`` spec (see the module doc) for a test set of ``scale``."""
    label, what = _split_label(text.strip())
    path = Path(what)
    kind = path_kind(path)
    if kind == "file" and path.suffix.lower() in _CONFIG_SUFFIXES:
        degrader, source = _from_file(path)
        default_label = path.stem
    elif (kind == "dir" or what.startswith(("hf://", "file://"))
          or what.split("#")[0] in list_weights()):
        degrader = load(what)
        if not isinstance(degrader, Degrader):
            raise ConfigError(f"--degrader {quote(text)}: the weights hold a "
                              f"{type(degrader).__name__}, not a degrader")
        source, default_label = f"weights {what}", path.name if kind == "dir" else what
    else:
        name, *items = what.split(":")
        if name not in list_degraders():
            try:
                get_registry().get("degrader", name)
            except UnknownComponentError as exc:
                raise UnknownComponentError(
                    f"--degrader {quote(text)}: not a recipe or config file, a weights ref or a "
                    f"registered degrader: {exc}") from None
        params = _parse_params(name, items, text)
        if "scale" not in params and _has_scale_param(name):
            params["scale"] = scale
        degrader = create(name, **params)
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        source, default_label = f"registered {name}" + (f" ({shown})" if shown else ""), what
    if abs(degrader.scale - scale) > 1e-6:
        raise ConfigError(f"--degrader {quote(text)}: its scale is {degrader.scale:g} but the test "
                          f"pairs are ×{scale}")
    return DegraderEntry(label or default_label, degrader, source)

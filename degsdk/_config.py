"""Degrader configs as plain dicts and YAML: ``{"name": ..., "params": {...}}``."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ._bounded import load_yaml
from ._components import create
from ._errors import ConfigError, DegsdkError
from ._interfaces import Degrader
from ._quote import quote
from .io._atomic import write_text_atomic

# The location of the config being built, so containers can name their children's location
# (``config.params.ops[2]``) in error messages.
_WHERE = contextvars.ContextVar("degsdk_config_where", default="config")


def child_location(suffix: str) -> str:
    """The location of a child of the config being built, e.g. ``child_location("ops[1]")``.
    """
    return f"{_WHERE.get()}.params.{suffix}"


def from_config(cfg: Mapping[str, Any] | Degrader, *, where: str = "config") -> Degrader:
    """Build a degrader from its config dict (containers build their children the same way).

    ``where`` names the location in messages (e.g. ``config.params.ops[2]``).
    """
    if isinstance(cfg, Degrader):
        return cfg
    if not isinstance(cfg, Mapping):
        raise ConfigError(f"{where}: expected a mapping {{name: ..., params: {{...}}}}, got "
                          f"{type(cfg).__name__}")
    extra = set(cfg) - {"name", "params"}
    if extra:
        raise ConfigError(f"{where}: unexpected keys {sorted(extra)}; a degrader config has "
                          "only 'name' and 'params'")
    name = cfg.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}.name: expected a registered degrader name, got {quote(name)}")
    params = cfg.get("params") or {}
    if not isinstance(params, Mapping):
        raise ConfigError(f"{where}.params: expected a mapping, got {type(params).__name__}")
    token = _WHERE.set(where)
    try:
        return create(name, **dict(params))
    except DegsdkError as exc:
        if str(exc).startswith(where):
            raise
        raise type(exc)(f"{where}: {exc}") from None
    finally:
        _WHERE.reset(token)


def load_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a degrader config (or a recipe) from a YAML or JSON file; a ``weights`` ref that
    names a model folder beside the file is made absolute, nested containers included, so the
    file works from any directory (``fit/best.yaml`` names ``methods/dml/model``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config file ({exc.strerror or exc})") from None
    data = load_yaml(text, str(p))
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping with 'name' and 'params' at the top level")
    return dict(weights_relative_to(data, p.resolve().parent))


def load_degrader(path: str | os.PathLike[str]) -> Degrader:
    """Build the degrader described by a YAML config file."""
    return from_config(load_config(path), where=str(path))


def save_config(cfg: Mapping[str, Any] | Degrader, path: str | os.PathLike[str]) -> None:
    """Write a config (or a degrader's config) as YAML, atomically."""
    data = cfg.to_config() if isinstance(cfg, Degrader) else dict(cfg)
    text = yaml.safe_dump(data, sort_keys=False)
    write_text_atomic(path, text)



def map_weights(node: Any, fn: Callable[[str], str]) -> Any:
    """A copy of the degrader config ``node`` (nested containers included) with every string
    ``weights`` param replaced by ``fn(ref)``."""
    if isinstance(node, list):
        return [map_weights(v, fn) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: map_weights(v, fn) for k, v in node.items()}
    params = out.get("params")
    if isinstance(params, dict) and isinstance(params.get("weights"), str):
        out["params"] = {**params, "weights": fn(params["weights"])}
    return out


def weights_relative_to(node: Any, base_dir: Path) -> Any:
    """``node`` (a degrader config or a recipe, nested) with every ``weights`` ref that names a
    model folder under ``base_dir`` made absolute. Hub refs, registered names, absolute paths
    and folders that do not exist there are left as they are."""

    def absolute(ref: str) -> str:
        body, sep, digest = ref.partition("#")
        local = body.removeprefix("file://")
        if "://" not in local and not Path(local).is_absolute() and (base_dir / local).is_dir():
            return str((base_dir / local).resolve()) + sep + digest
        return ref

    return map_weights(node, absolute)

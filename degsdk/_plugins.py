"""Plugin loading: a pluggy manager fed from the ``degsdk`` entry-point group, one entry point
at a time, so a broken plugin is recorded and reported instead of breaking degsdk.

Environment:

- ``DEGSDK_LOAD_PLUGINS``: unset loads every plugin; a comma-separated list of distribution or
  entry-point names loads only those; empty loads none. degsdk's own built-in ops always load.
- ``DEGSDK_STRICT_PLUGINS=1``: re-raise a plugin's error instead of recording it (for plugin
  developers).
"""

from __future__ import annotations

import importlib.metadata as md
import os
import threading
import warnings
from types import ModuleType
from typing import Any

import pluggy

from . import _hookspecs
from ._contract_case import ContractCase
from ._errors import PluginError
from ._hookspecs import Register
from ._registry import PluginRecord, Registry

CORE_DISTRIBUTION = "degsdk"
ENTRY_POINT_GROUP = "degsdk"


class PluginLoadWarning(UserWarning):
    """A plugin failed to import or register; degsdk carries on without it."""


_lock = threading.RLock()
_manager: pluggy.PluginManager | None = None
_registry: Registry | None = None


def _strict() -> bool:
    return os.environ.get("DEGSDK_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes"}


def _allowed() -> set[str] | None:
    raw = os.environ.get("DEGSDK_LOAD_PLUGINS")
    if raw is None:
        return None
    return {s.strip() for s in raw.split(",") if s.strip()}


def _dist_name(ep: md.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return None if dist is None else dist.metadata["Name"]


def _dist_version(ep: md.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return None if dist is None else dist.version


def _entry_points() -> list[md.EntryPoint]:
    """The group's entry points: degsdk's own first, then by (distribution, name)."""
    seen: set[tuple[str | None, str]] = set()
    eps = []
    for ep in md.entry_points(group=ENTRY_POINT_GROUP):
        key = (_dist_name(ep), ep.name)
        if key not in seen:
            seen.add(key)
            eps.append(ep)

    def order(ep: md.EntryPoint) -> tuple[int, str, str]:
        dist = _dist_name(ep) or ""
        return (0 if dist == CORE_DISTRIBUTION else 1, dist.lower(), ep.name)

    return sorted(eps, key=order)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _record_failure(registry: Registry, rec: PluginRecord, what: str,
                    exc: BaseException) -> None:
    msg = f"{what}: {_one_line(exc)}"
    rec.failures.append(msg)
    registry.plugins[rec.name] = rec
    dist = f" ({rec.distribution} {rec.version})" if rec.distribution else ""
    warnings.warn(f"degsdk plugin {rec.name!r}{dist} {msg}", PluginLoadWarning, stacklevel=3)


def _run_hooks(pm: pluggy.PluginManager, registry: Registry, plugin: Any,
               rec: PluginRecord) -> None:
    """Call each of ``plugin``'s hook implementations with a ``register`` bound to it.

    An exception in a hook rolls back everything the plugin registered; a refused name (a
    clash) is recorded as the plugin's failure and the rest of its components stay.
    """
    for hook_name, kind in _hookspecs.HOOK_KINDS.items():
        caller = getattr(pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin:
                continue

            try:
                impl.function(register=_register_for(registry, rec, kind))
            except Exception as exc:
                if _strict():
                    raise
                registry.remove_plugin(rec.name)
                _record_failure(registry, rec, f"failed in {hook_name}", exc)
                pm.unregister(plugin)
                return


def _register_for(registry: Registry, rec: PluginRecord, kind: str) -> Register:
    """The ``register`` callback a hook of ``kind`` receives: adds to ``registry`` under
    ``rec``'s name; a refused name is the plugin's failure (raised with strict loading)."""

    def register(name: str, factory: Any, /, *, contract: ContractCase | None = None) -> None:
        try:
            registry.add(kind, name, factory, rec.name, contract)
        except PluginError as exc:
            if _strict():
                raise
            _record_failure(registry, rec, "registration refused", exc)

    return register


def register_plugin(plugin: Any, name: str | None = None) -> PluginRecord:
    """Register a plugin object (a module or an object with ``@hookimpl`` methods) at runtime
    and run its hooks, e.g. a throw-away plugin in a test or a notebook."""
    with _lock:
        pm, registry = _ensure_loaded()
        return _add_plugin(pm, registry, plugin, name or getattr(plugin, "__name__", None)
                           or type(plugin).__name__, None, None)


def _add_plugin(pm: pluggy.PluginManager, registry: Registry, plugin: Any, name: str,
                dist: str | None, version: str | None) -> PluginRecord:
    module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    rec = registry.plugins.setdefault(name, PluginRecord(name))
    rec.distribution, rec.version, rec.module = dist, version, module
    try:
        pm.register(plugin, name=name)
    except Exception as exc:
        if _strict():
            raise
        _record_failure(registry, rec, "failed to register", exc)
        return rec
    _run_hooks(pm, registry, plugin, rec)
    return rec


def unregister_plugin(name: str) -> None:
    """Remove a plugin and its components (the inverse of ``register_plugin``)."""
    with _lock:
        pm, registry = _ensure_loaded()
        registry.remove_plugin(name)
        registry.plugins.pop(name, None)
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)


def _load_entry_points(pm: pluggy.PluginManager, registry: Registry) -> None:
    allowed = _allowed()
    for ep in _entry_points():
        dist = _dist_name(ep)
        is_core = dist == CORE_DISTRIBUTION
        if not is_core and allowed is not None and dist not in allowed and ep.name not in allowed:
            continue
        # Plugins are named by entry point (as pluggy does); a name taken by another
        # distribution is qualified with the distribution's name.
        name = ep.name
        if pm.get_plugin(name) is not None or name in registry.plugins:
            name = f"{dist}:{ep.name}"
        if pm.is_blocked(name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            if _strict():
                raise
            rec = PluginRecord(name, dist, _dist_version(ep), ep.value)
            _record_failure(registry, rec, "failed to import", exc)
            continue
        _add_plugin(pm, registry, plugin, name, dist, _dist_version(ep))


def _ensure_loaded() -> tuple[pluggy.PluginManager, Registry]:
    global _manager, _registry
    with _lock:
        if _manager is None or _registry is None:
            pm = pluggy.PluginManager(_hookspecs.PROJECT)
            pm.add_hookspecs(_hookspecs)
            registry = Registry()
            _manager, _registry = pm, registry
            try:
                _load_entry_points(pm, registry)
            except BaseException:
                _manager = _registry = None
                raise
        return _manager, _registry


def get_registry() -> Registry:
    """The process-wide registry, loading plugins on first use."""
    return _ensure_loaded()[1]


def reload_plugins() -> Registry:
    """Forget every plugin and load them again (after changing the environment variables)."""
    global _manager, _registry
    with _lock:
        _manager = _registry = None
        return get_registry()


def plugin_records() -> list[PluginRecord]:
    """Every plugin seen: loaded ones with their components, failed ones with their errors."""
    return list(get_registry().plugins.values())

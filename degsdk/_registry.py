"""Name → factory tables for every component kind, with the plugin each came from."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ._contract_case import ContractCase
from ._errors import PluginError, UnknownComponentError
from ._fitter import Fitter
from ._quote import quote
from ._trainer import Command, Trainer

KINDS = ("degrader", "extractor", "sr_model", "trainer", "weights", "command", "fitter")
_KIND_LABEL = {
    "degrader": "degrader",
    "extractor": "extractor",
    "sr_model": "SR model",
    "trainer": "trainer",
    "weights": "weights name",
    "command": "command",
    "fitter": "fitter",
}


@dataclass(frozen=True)
class Component:
    """One registered component: its ``kind`` (``KINDS``), ``name``, ``factory`` (a class or
    callable; a ``Trainer``/``Command``/``Fitter``; for weights, the ref string), the
    ``plugin`` that registered it, and the ``contract`` case its plugin declared (None: made
    from its defaults)."""

    kind: str
    name: str
    factory: Any
    plugin: str
    contract: ContractCase | None = None



@dataclass
class PluginRecord:
    """A loaded (or failed) plugin as ``degsdk plugins`` shows it."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    components: dict[str, list[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "components": {k: sorted(v) for k, v in self.components.items() if v},
            "failures": list(self.failures),
        }


class Registry:
    """Component tables. A second registration of a taken name is refused (``PluginError``
    naming both plugins); the first one stays."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Component]] = {k: {} for k in KINDS}
        self.plugins: dict[str, PluginRecord] = {}

    def add(self, kind: str, name: str, factory: Any, plugin: str,
            contract: ContractCase | None = None) -> None:
        if kind not in self._entries:
            raise ValueError(f"unknown component kind {kind!r}; expected one of {KINDS}")
        label = _KIND_LABEL[kind]
        if not isinstance(name, str) or not name:
            raise PluginError(f"plugin {plugin!r} registered a {label} with an invalid name "
                              f"{name!r} (expected a non-empty string)")
        if kind == "weights":
            if not isinstance(factory, str) or not factory:
                raise PluginError(f"plugin {plugin!r}: weights {name!r} must be registered "
                                  f"with a reference string, got {factory!r}")
        elif not callable(factory) and not (kind in ("trainer", "command", "fitter")
                                            and isinstance(factory, Trainer | Command | Fitter)):
            expected = ("a degsdk.Trainer or a callable" if kind == "trainer" else
                        "a degsdk.Command or a callable" if kind == "command" else
                        "a degsdk.Fitter or a callable" if kind == "fitter" else
                        "a class or callable")
            raise PluginError(f"plugin {plugin!r}: {label} {name!r} must be registered with "
                              f"{expected}, got {type(factory).__name__}")
        existing = self._entries[kind].get(name)
        if existing is not None:
            raise PluginError(
                f"{label} {name!r} from plugin {plugin!r} refused: the name is already "
                f"registered by plugin {existing.plugin!r}"
            )
        if contract is not None and (kind not in ("degrader", "extractor", "sr_model")
                                     or not isinstance(contract, ContractCase)):
            raise PluginError(f"plugin {plugin!r}: {label} {name!r}: contract= takes a "
                              "degsdk.ContractCase, for a degrader, extractor or SR model; got "
                              f"{type(contract).__name__}")
        self._entries[kind][name] = Component(kind, name, factory, plugin, contract)
        self.plugins.setdefault(plugin, PluginRecord(plugin)).components.setdefault(
            kind, []
        ).append(name)

    def remove_plugin(self, plugin: str) -> None:
        """Drop every component a plugin registered (rollback after a failed hook)."""
        for table in self._entries.values():
            for name in [n for n, r in table.items() if r.plugin == plugin]:
                del table[name]
        rec = self.plugins.get(plugin)
        if rec is not None:
            rec.components.clear()

    def get(self, kind: str, name: str) -> Component:
        try:
            return self._entries[kind][name]
        except KeyError:
            raise UnknownComponentError(self._unknown_message(kind, name)) from None

    def names(self, kind: str) -> list[str]:
        return sorted(self._entries[kind])

    def _unknown_message(self, kind: str, name: str) -> str:
        label = _KIND_LABEL[kind]
        known = self.names(kind)
        msg = f"no {label} named {quote(name)} is registered."
        close = difflib.get_close_matches(str(name), known, n=3)
        if close:
            msg += f" Did you mean {', '.join(map(repr, close))}?"
        msg += f" Available: {', '.join(known) if known else '(none)'}."
        failed = [p.name for p in self.plugins.values() if p.failures]
        if failed:
            msg += f" Plugins that failed to load: {', '.join(failed)} (see `degsdk plugins`)."
        return msg

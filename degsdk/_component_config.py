"""``ComponentConfig``: a degrader's config ``{name, params}`` as a typed, read-only object.
It is a ``Mapping`` (``cfg["params"]``, ``from_config(cfg)``, ``dict(cfg)`` work as on the
plain dict) with ``to_dict()`` for JSON."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._bounded import check_bounded
from ._errors import ConfigError
from ._quote import quote


@dataclass(frozen=True)
class ComponentConfig(Mapping[str, Any]):
    """A registered component's ``name`` and its ``params`` (JSON values; nested configs of
    containers stay dicts inside ``params``)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, value: Mapping[str, Any], where: str = "config") -> ComponentConfig:
        """``value`` (a ``{name, params}`` mapping, or a ``ComponentConfig``) checked:
        ``ConfigError`` naming ``where`` when it is not one."""
        if isinstance(value, ComponentConfig):
            return value
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a {{name, params}} mapping, got "
                              f"{type(value).__name__}")
        check_bounded(dict(value), where)
        extra = sorted(set(value) - {"name", "params"})
        name, params = value.get("name"), value.get("params", {})
        if extra or not isinstance(name, str) or not name or not isinstance(params, Mapping):
            raise ConfigError(f"{where}: expected {{name: str, params: mapping}}, got "
                              f"{quote(dict(value))}")
        return cls(name, copy.deepcopy(dict(params)))

    def to_dict(self) -> dict[str, Any]:
        """A plain, deep-copied ``{"name": …, "params": …}``."""
        return {"name": self.name, "params": copy.deepcopy(self.params)}

    def __getitem__(self, key: str) -> Any:
        if key == "name":
            return self.name
        if key == "params":
            return self.params
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(("name", "params"))

    def __len__(self) -> int:
        return 2

"""The registry's public face: ``components(kind, plugin=None)`` (name → :class:`Component`:
its plugin, factory and contract case) is the one way to ask what is registered; ``create``,
``create_extractor`` and ``create_sr_model`` make one; ``get_trainer``/``get_command``/
``get_fitter`` give a CLI entry; the ``list_*`` functions are shorthands for the names."""

from __future__ import annotations

from typing import Any, TypeVar

from ._bounded import check_bounded
from ._errors import ConfigError, DegsdkError, PluginError
from ._fitter import Fitter
from ._interfaces import Degrader, Extractor, SRModel
from ._plugins import get_registry
from ._registry import KINDS, Component
from ._trainer import Command, Trainer
from .hub import PretrainedMixin, load

E = TypeVar("E", Trainer, Command, Fitter)


def _build(kind: str, name: str, expected: type, params: dict[str, Any]) -> Any:
    reg = get_registry().get(kind, name)
    check_bounded(params, f"{name}: parameters")
    if _is_learned(reg.factory) and "weights" in params:
        if params["weights"] is not None:
            return _from_weights(kind, name, params)
        params.pop("weights")
    try:
        obj = reg.factory(**params)
    except DegsdkError:
        raise
    except TypeError as exc:
        raise ConfigError(f"{name}: invalid parameters {sorted(params)}: {exc}") from None
    if not isinstance(obj, expected):
        raise PluginError(f"plugin {reg.plugin!r}: factory of {kind} {name!r} returned "
                          f"{type(obj).__name__}, expected a {expected.__name__}")
    return obj


def _is_learned(factory: Any) -> bool:
    """Learned components (``PretrainedMixin`` classes) take ``weights=<ref>``."""
    return isinstance(factory, type) and issubclass(factory, PretrainedMixin)


def _from_weights(kind: str, name: str, params: dict[str, Any]) -> Any:
    """``create(name, weights=ref, **options)``: load the component from its weights."""
    ref = params.pop("weights")
    obj = load(str(ref), **params)
    loaded = obj.__dict__.get("registered_name") or getattr(type(obj), "name", "")
    if loaded != name:
        raise ConfigError(f"{name}: weights {ref!r} hold {kind} {loaded!r}, not {name!r}")
    return obj


def create(name: str, /, **params: Any) -> Degrader:
    """A registered degrader, constructed with ``params`` (validated; ``ConfigError`` names
    the bad field)."""
    deg = _build("degrader", name, Degrader, params)
    deg.registered_name = name
    return deg


def create_extractor(name: str, /, **params: Any) -> Extractor:
    """A registered feature extractor."""
    return _build("extractor", name, Extractor, params)


def create_sr_model(name: str, /, **params: Any) -> SRModel:
    """A registered super-resolution model."""
    return _build("sr_model", name, SRModel, params)


def _cli_entry(kind: str, name: str, expected: type[E]) -> E:
    reg = get_registry().get(kind, name)
    entry = (reg.factory if isinstance(reg.factory, Trainer | Command | Fitter)
             else reg.factory())
    if not isinstance(entry, expected):
        raise PluginError(f"plugin {reg.plugin!r}: {kind} {name!r} is a "
                          f"{type(entry).__name__}, not a degsdk.{expected.__name__}")
    return entry


def get_trainer(name: str) -> Trainer:
    """A registered trainer (what ``degsdk train <name>`` runs)."""
    return _cli_entry("trainer", name, Trainer)


def get_command(name: str) -> Command:
    """A plugin's registered CLI verb (what ``degsdk <name>`` runs)."""
    return _cli_entry("command", name, Command)


def get_fitter(name: str) -> Fitter:
    """A registered fitter (a method ``degsdk fit`` can fit)."""
    return _cli_entry("fitter", name, Fitter)


def components(kind: str, plugin: str | None = None) -> dict[str, Component]:
    """Every registered component of ``kind`` (one of ``degrader``, ``extractor``,
    ``sr_model``, ``trainer``, ``weights``, ``command``, ``fitter``), by name, in name order:
    each with the plugin that registered it, its factory and its contract case; only those
    of ``plugin`` when given."""
    if kind not in KINDS:
        raise ConfigError(f"components: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    reg = get_registry()
    return {n: c for n in reg.names(kind)
            if (c := reg.get(kind, n)).plugin == plugin or plugin is None}


def list_degraders() -> list[str]:
    """Names of all registered degraders (``list(components("degrader"))``)."""
    return list(components("degrader"))


def list_extractors() -> list[str]:
    """Names of all registered feature extractors."""
    return list(components("extractor"))


def list_sr_models() -> list[str]:
    """Names of all registered SR models."""
    return list(components("sr_model"))


def list_trainers() -> list[str]:
    """Names of all registered trainers."""
    return list(components("trainer"))


def list_fitters() -> list[str]:
    """Names of all registered fitters."""
    return list(components("fitter"))


def list_commands() -> list[str]:
    """Names of all CLI verbs registered by plugins."""
    return list(components("command"))


def list_weights() -> dict[str, str]:
    """Registered short weight names and their references."""
    return {n: str(c.factory) for n, c in components("weights").items()}


def resolve_weights_name(name: str) -> str:
    """The weights reference registered under a short name."""
    return str(get_registry().get("weights", name).factory)

"""The plugin hooks. A plugin module marks functions with ``@degsdk.hookimpl`` and, in each,
calls ``register(name, factory)`` once per component (the callback style of simonw/llm).

``factory`` is a class or a callable returning the component; ``create(name, **params)`` calls
it with the user's parameters. Weights register a reference string instead of a factory.
"""

from __future__ import annotations

from typing import Any, Protocol

import pluggy

from ._contract_case import ContractCase

PROJECT = "degsdk"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class Register(Protocol):
    """The ``register`` callback every hook receives: ``register(name, factory)``, and for a
    degrader, extractor or SR model optionally ``contract=ContractCase(...)`` — the parameters
    the registry-wide contract test makes it with."""

    def __call__(self, name: str, factory: Any, /, *,
                 contract: ContractCase | None = None) -> None: ...


@hookspec
def degsdk_register_degraders(register: Register) -> None:
    """Register degraders: ``register("my_blur", MyBlur)`` (a ``Degrader`` subclass or a
    callable returning one)."""


@hookspec
def degsdk_register_extractors(register: Register) -> None:
    """Register feature extractors: ``register(name, factory)`` returning an ``Extractor``."""


@hookspec
def degsdk_register_sr_models(register: Register) -> None:
    """Register super-resolution models: ``register(name, factory)`` returning an ``SRModel``."""


@hookspec
def degsdk_register_trainers(register: Register) -> None:
    """Register what ``degsdk train <name>`` runs: ``register(name, Trainer(...))`` (or a
    callable returning a ``degsdk.Trainer``) declaring its CLI options and Python entry."""


@hookspec
def degsdk_register_weights(register: Register) -> None:
    """Register short weight names: ``register("deflow-x4", "hf://org/repo@rev")``."""


@hookspec
def degsdk_register_commands(register: Register) -> None:
    """Register top-level CLI verbs: ``register("craft", Command(...))`` (or a callable
    returning a ``degsdk.Command``); ``degsdk craft [options]`` then parses the declared
    options and calls ``run(**options)``. Built-in verbs cannot be overridden."""


@hookspec
def degsdk_register_fitters(register: Register) -> None:
    """Register methods ``degsdk fit`` can fit to a user's camera: ``register(name,
    Fitter(...))`` (or a callable returning a ``degsdk.Fitter``) declaring the data the method
    fits from, what it fits and the function that fits it."""


#: hook name → component kind, in loading order.
HOOK_KINDS: dict[str, str] = {
    "degsdk_register_degraders": "degrader",
    "degsdk_register_extractors": "extractor",
    "degsdk_register_sr_models": "sr_model",
    "degsdk_register_trainers": "trainer",
    "degsdk_register_weights": "weights",
    "degsdk_register_commands": "command",
    "degsdk_register_fitters": "fitter",
}

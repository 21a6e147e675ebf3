"""``PretrainedMixin``: ``save_pretrained``, ``from_pretrained`` and ``push_to_hub`` for any
learned component (degrader, extractor, SR model), on the shared model folder format.

A learned component subclasses its interface and this mixin, declares ``runtime_params``
(constructor parameters that may change at load time, e.g. a noise level) — every other
constructor parameter is architecture, fixed by the weights — and is registered under its
``name`` by a plugin. Constructor arguments are captured automatically.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from .._errors import ConfigError, WeightsError
from .._version import __version__ as _version
from ._model_folder import ModelConfig, model_card, write_folder

P = TypeVar("P", bound="PretrainedMixin")


def _capture_init(init: Callable[..., None]) -> Callable[..., None]:
    sig = inspect.signature(init)

    @functools.wraps(init)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
        if "_pretrained_args" not in self.__dict__:  # the outermost (most derived) __init__
            bound = sig.bind(self, *args, **kwargs)
            bound.apply_defaults()
            captured: dict[str, Any] = {}
            for name, value in list(bound.arguments.items())[1:]:
                kind = sig.parameters[name].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    captured.update(value)
                elif kind is not inspect.Parameter.VAR_POSITIONAL:
                    captured[name] = value
            object.__setattr__(self, "_pretrained_args", captured)
        init(self, *args, **kwargs)

    wrapper.__degsdk_captures__ = True  # type: ignore[attr-defined]
    return wrapper


class PretrainedMixin:
    """Mixed into a component class: ``class MyDeg(degsdk.Degrader, PretrainedMixin)``."""

    runtime_params: ClassVar[tuple[str, ...]] = ()
    weights_info: Any = None  # ResolvedWeights after loading

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "__degsdk_captures__", False):
            cls.__init__ = _capture_init(init)  # type: ignore[method-assign]

    def pretrained_params(self) -> dict[str, Any]:
        """The constructor parameters, as JSON values."""
        cfg = getattr(self, "config", None)
        if cfg is not None and hasattr(cfg, "model_dump"):
            return dict(cfg.model_dump(mode="json"))
        return dict(self.__dict__.get("_pretrained_args", {}))

    def pretrained_config(self, provenance: dict[str, Any] | None = None) -> ModelConfig:
        """The ``config.json`` contents: kind, registered name, architecture, options."""
        from .._interfaces import Degrader, Extractor, SRModel

        kind = ("degrader" if isinstance(self, Degrader) else "extractor"
                if isinstance(self, Extractor) else "sr_model" if isinstance(self, SRModel)
                else None)
        name = self.__dict__.get("registered_name") or getattr(type(self), "name", "")
        if kind is None or not name:
            raise ConfigError(f"{type(self).__name__}: a pretrained component must be a "
                              "Degrader, Extractor or SRModel with a registered `name`")
        params = self.pretrained_params()
        params.pop("weights", None)
        runtime = set(type(self).runtime_params)
        return ModelConfig(
            kind=kind, name=name, degsdk_version=_version,
            architecture={k: v for k, v in params.items() if k not in runtime},
            options={k: v for k, v in params.items() if k in runtime},
            provenance=dict(provenance or {}))

    def model_config(self, provenance: dict[str, Any] | None = None) -> ModelConfig:
        """Deprecated spelling of :meth:`pretrained_config` (it read like pydantic's
        ``model_config`` attribute)."""
        warnings.warn("PretrainedMixin.model_config() is now pretrained_config()",
                      DeprecationWarning, stacklevel=2)
        return self.pretrained_config(provenance)

    def save_pretrained(self, folder: str | Path, provenance: dict[str, Any] | None = None,
                        repo_id: str | None = None) -> Path:
        """Write ``config.json``, ``model.safetensors`` and a model card into ``folder``."""
        cfg = self.pretrained_config(provenance)
        return write_folder(Path(folder), cfg, self.state_dict(),  # type: ignore[attr-defined]
                            model_card(cfg, repo_id))

    @classmethod
    def from_pretrained(cls: type[P], ref: str, **overrides: Any) -> P:
        """Load a component of this class from a ref (``hf://…``, a folder or a short name)."""
        from ._load import load

        obj = load(ref, **overrides)
        if not isinstance(obj, cls):
            raise WeightsError(f"{ref}: holds a {type(obj).__name__}, not a {cls.__name__}")
        return obj

    def push_to_hub(self, repo_id: str, provenance: dict[str, Any] | None = None,
                    **kwargs: Any) -> str:
        """Save into a temporary folder and upload it to ``repo_id`` (see ``hub.push``)."""
        import tempfile

        from ._push import push_folder

        with tempfile.TemporaryDirectory() as tmp:
            folder = self.save_pretrained(Path(tmp) / "model", provenance, repo_id=repo_id)
            return push_folder(folder, repo_id, **kwargs)

"""``degsdk.load(ref, **overrides)``: the component a model folder describes, with its weights
loaded strictly."""

from __future__ import annotations

from typing import Any

from .._errors import ConfigError, PluginError
from .._interfaces import Degrader, Extractor, SRModel
from .._plugins import get_registry
from ._model_folder import WEIGHTS_NAME, load_state_strict, read_config
from ._refs import parse_ref
from ._resolve import resolve

_EXPECTED = {"degrader": Degrader, "extractor": Extractor, "sr_model": SRModel}


def load(ref: str, **overrides: Any) -> Any:
    """Resolve ``ref``, build the registered component its ``config.json`` names with the
    stored parameters (``overrides`` may change options, not the architecture), load the
    weights strictly, and return it. ``obj.weights_info`` records the ref, folder, Hub
    revision and sha256 (for provenance)."""
    resolved = resolve(ref)
    cfg = read_config(resolved.folder)
    changed = sorted(k for k, v in overrides.items()
                     if k in cfg.architecture and cfg.architecture[k] != v)
    if changed:
        raise ConfigError(f"{ref}: {', '.join(changed)} belong to the architecture stored with "
                          f"the weights and cannot be overridden (options: "
                          f"{', '.join(sorted(cfg.options)) or 'none'})")
    reg = get_registry().get(cfg.kind, cfg.name)
    params = {**cfg.architecture, **cfg.options, **overrides}
    try:
        obj = reg.factory(**params)
    except TypeError as exc:
        raise ConfigError(f"{ref}: {cfg.name} does not accept the stored parameters "
                          f"({exc})") from None
    if not isinstance(obj, _EXPECTED[cfg.kind]):
        raise PluginError(f"plugin {reg.plugin!r}: {cfg.name!r} is not a {cfg.kind}")
    load_state_strict(obj, resolved.folder / WEIGHTS_NAME)
    obj.weights_info = resolved
    if isinstance(obj, Degrader):
        obj.registered_name = cfg.name
        obj.weights_ref = portable_ref(ref)
    return obj


def portable_ref(ref: str) -> str:
    """``ref`` as a saved config should record it: a relative folder path becomes absolute (so
    the config loads from any directory); hub refs and registered names stay as given."""
    parsed = parse_ref(ref)
    if parsed.source != "path" or parsed.short_name is not None or parsed.path is None:
        return ref
    return str(parsed.path.resolve()) + (f"#sha256={parsed.sha256}" if parsed.sha256 else "")

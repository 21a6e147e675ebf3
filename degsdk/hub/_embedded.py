"""Weights shipped inside a plugin's package: every ``<root>/<name>/`` holding a
``model.safetensors`` is registered as ``<prefix>/<name>``."""

from __future__ import annotations

from pathlib import Path

from .._hookspecs import Register
from ._model_folder import WEIGHTS_NAME


def register_embedded_weights(register: Register, prefix: str, root: str | Path) -> None:
    """Call from a ``degsdk_register_weights`` hook: ``register(f"{prefix}/{name}",
    "file://<folder>")`` for each model folder under ``root`` (sorted; none if ``root`` is
    missing)."""
    root = Path(root)
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if (folder / WEIGHTS_NAME).is_file():
            register(f"{prefix}/{folder.name}", f"file://{folder.resolve()}")

"""Upload a model folder to the Hub through ``huggingface_hub.HfApi``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huggingface_hub import HfApi

from .._errors import WeightsError
from ._model_folder import CONFIG_NAME, WEIGHTS_NAME, read_config


def push_folder(folder: str | Path, repo_id: str, private: bool = False,
                commit_message: str | None = None, api: Any = None) -> str:
    """Check ``folder`` is a valid model folder, create ``repo_id`` if needed and upload it.
    Returns the commit URL (or whatever the client returns)."""
    folder = Path(folder)
    cfg = read_config(folder)
    if not (folder / WEIGHTS_NAME).is_file():
        raise WeightsError(f"{folder}: missing {WEIGHTS_NAME}; nothing to push")
    client = api if api is not None else HfApi()
    client.create_repo(repo_id=repo_id, private=private, exist_ok=True)
    info = client.upload_folder(
        repo_id=repo_id, folder_path=str(folder),
        allow_patterns=[CONFIG_NAME, WEIGHTS_NAME, "README.md"],
        commit_message=commit_message or f"Upload {cfg.kind} {cfg.name} (degsdk)")
    return str(info)

"""What a user-given path names, without the ``OSError`` that ``Path.exists`` raises for a name
too long for the file system (or otherwise unusable): such a path names nothing."""

from __future__ import annotations

import os
from pathlib import Path


def path_kind(path: str | os.PathLike[str]) -> str | None:
    """"file", "dir", "other" (a socket, a device) or None when ``path`` names nothing that can
    be opened — missing, or a name the OS refuses (too long, a NUL byte)."""
    try:
        p = Path(path)
        if p.is_dir():
            return "dir"
        if p.is_file():
            return "file"
        return "other" if p.exists() else None
    except (OSError, ValueError):
        return None

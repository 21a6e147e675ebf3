"""Atomic file writes: a temp file beside the target, renamed into place on success, so a
crash or error never leaves a half-written file under the final name."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .._errors import WriteError


def default_mode(directory: bool = False) -> int:
    """0o666 (0o777 for a folder) less the process umask: the mode ``open()``/``mkdir()`` would
    give (``mkstemp``/``mkdtemp`` use 0o600/0o700, which would hide outputs from other users)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; on normal exit rename it to ``path``
    (with the permissions a plainly created file would get), on error delete it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path: Path | None = None
    try:  # an interrupt at any point after mkstemp still removes the temp file
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        tmp_path = Path(tmp)
        os.close(fd)
        yield tmp_path
        os.chmod(tmp_path, default_mode())
        os.replace(tmp_path, target)
    except BaseException:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temp file and rename it to ``path`` when it returns; an I/O
    failure (no space, no permission) is a ``WriteError`` naming ``path``."""
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            write(f)
    except OSError as exc:
        if isinstance(exc, WriteError):
            raise
        raise WriteError(f"{path}: cannot write ({exc.strerror or exc})") from None


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    write_atomic(path, lambda f: f.write(text.encode("utf-8")))


@contextmanager
def staged_folder(out: str | os.PathLike[str], replace: Sequence[str] = ()) -> Iterator[Path]:
    """Yield an empty staging folder beside ``out``; on normal exit remove the entries of
    ``out`` named in ``replace``, then move every file written there into ``out`` (replacing
    files of the same name, keeping others); always remove the staging folder, so an error
    leaves ``out`` as it was. A folder that cannot be created or written is an
    ``WriteError`` naming it."""
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise WriteError(f"{target}: exists and is not a folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    except OSError as exc:
        raise WriteError(f"{target}: cannot create the output folder there "
                              f"({exc.strerror or exc})") from None
    try:
        yield staging
        try:
            for name in replace:
                old = target / name
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old)
                else:
                    old.unlink(missing_ok=True)
            for src in sorted(p for p in staging.rglob("*") if p.is_file()):
                dst = target / src.relative_to(staging)
                dst.parent.mkdir(parents=True, exist_ok=True)
                src.replace(dst)
        except OSError as exc:
            raise WriteError(f"{target}: cannot write the output there "
                                  f"({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)

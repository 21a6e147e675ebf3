"""Atomic writes: outputs get a plain file's permissions; staged folders commit all or
nothing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from degsdk.io import staged_folder, write_text_atomic


def test_atomic_files_get_umask_permissions_not_mkstemps(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "a.txt", "x")
        plain = tmp_path / "plain.txt"
        plain.write_text("x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "a.txt").stat().st_mode)
    assert mode == stat.S_IMODE(plain.stat().st_mode) == 0o644


def test_staged_folder_commits_on_success_and_leaves_nothing_on_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_folder(out) as s:
        write_text_atomic(s / "sub" / "a.txt", "a")
        assert not out.exists()
    assert (out / "sub" / "a.txt").read_text() == "a"
    with pytest.raises(RuntimeError), staged_folder(out) as s:
        write_text_atomic(s / "b.txt", "b")
        raise RuntimeError("midway")
    assert sorted(p.name for p in out.rglob("*")) == ["a.txt", "sub"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]

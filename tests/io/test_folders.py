"""Paired folders and image listing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import degsdk
from degsdk.io import find_pairs, list_images


def _img(path: Path, w: int, h: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((h, w, 3), np.uint8)).save(path)


def test_pairs_by_name_with_inferred_scale(tmp_path: Path) -> None:
    for n in ("a", "b"):
        _img(tmp_path / "hr" / f"{n}.png", 40, 24)
        _img(tmp_path / "lr" / f"{n}.png", 10, 6)
    pairs = find_pairs(tmp_path)
    assert [p.name for p in pairs] == ["a", "b"]
    assert pairs[0].hr.parent.name == "hr" and pairs[0].lr.parent.name == "lr"
    assert len(find_pairs(tmp_path, scale=4)) == 2


def test_basicsr_layout_and_aligned_pairs(tmp_path: Path) -> None:
    _img(tmp_path / "HR" / "x.png", 16, 16)
    _img(tmp_path / "LR" / "x.jpg", 16, 16)  # same name, other extension, same size
    assert find_pairs(tmp_path)[0].lr.suffix == ".jpg"


def test_mismatched_names_are_listed(tmp_path: Path) -> None:
    _img(tmp_path / "hr" / "a.png", 8, 8)
    _img(tmp_path / "hr" / "b.png", 8, 8)
    _img(tmp_path / "lr" / "a.png", 4, 4)
    _img(tmp_path / "lr" / "c.png", 4, 4)
    with pytest.raises(degsdk.PairingError, match=r"in hr/ only: b; in lr/ only: c"):
        find_pairs(tmp_path)


def test_mismatched_sizes_are_named(tmp_path: Path) -> None:
    _img(tmp_path / "hr" / "a.png", 40, 40)
    _img(tmp_path / "lr" / "a.png", 10, 10)
    _img(tmp_path / "hr" / "b.png", 40, 40)
    _img(tmp_path / "lr" / "b.png", 13, 10)  # the manual 0.248× resize of Real-ESRGAN#409
    with pytest.raises(degsdk.PairingError, match=r"b \(hr 40×40, lr 13×10\)"):
        find_pairs(tmp_path)
    with pytest.raises(degsdk.PairingError, match=r"scale ×2.*a \(hr 40×40, lr 10×10\)"):
        find_pairs(tmp_path, scale=2)


def test_not_a_paired_folder(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    with pytest.raises(degsdk.PairingError, match="expected sub-folders hr/ and lr/"):
        find_pairs(tmp_path)


def test_list_images(tmp_path: Path) -> None:
    _img(tmp_path / "b.png", 4, 4)
    _img(tmp_path / "a.png", 4, 4)
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in list_images([tmp_path])] == ["a.png", "b.png"]
    with pytest.raises(degsdk.ImageReadError, match="no such file or folder"):
        list_images([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(degsdk.ImageReadError, match="holds no images"):
        list_images([tmp_path / "empty"])


def test_a_paired_folder_that_is_not_there_says_so(tmp_path: Path) -> None:
    """Issue 28 row 10: `eval --test /nonexistent` said "not a paired folder"."""
    with pytest.raises(degsdk.PairingError, match="nowhere: does not exist"):
        degsdk.find_pairs(tmp_path / "nowhere")
    (tmp_path / "f.png").write_bytes(b"")
    with pytest.raises(degsdk.PairingError, match="is a file"):
        degsdk.find_pairs(tmp_path / "f.png")
    (tmp_path / "p" / "hr").mkdir(parents=True)
    with pytest.raises(degsdk.PairingError, match="has hr/ but no lr/"):
        degsdk.find_pairs(tmp_path / "p")
    from degsdk.cli import main
    assert main(["eval", "--degrader", "bicubic", "--clean-hr", str(tmp_path), "--test",
                 str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()

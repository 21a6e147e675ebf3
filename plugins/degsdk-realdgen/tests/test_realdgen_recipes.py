"""RealDGen in recipes: the same bytes with one or two worker processes (and with the Ray
backend where the ray extra is installed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import small_model

import degsdk
from degsdk.recipes import Recipe
from degsdk.testing import synthetic_photos


def _recipe(hr: Path, model: Path, out: Path, **run: Any) -> Recipe:
    return Recipe.from_dict({
        "version": 1, "name": "realdgen", "seed": 3, "inputs": [{"path": str(hr)}],
        "crop": {"mode": "random", "size": 32, "per_image": 2},
        "degrader": {"name": "realdgen", "params": {"weights": str(model), "candidates": 2}},
        "output": {"dir": str(out), "preview": 0},
        "run": {"batch_size": 2, "workers": 1, **run}})


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("backend", ["local", "ray"])
def test_same_bytes_with_two_workers(tmp_path: Path, backend: str) -> None:
    if backend == "ray":
        pytest.importorskip("ray", reason="the ray extra (pip install 'degsdk[ray]') is needed")
    for i, x in enumerate(synthetic_photos(3, 64, seed=4)):
        degsdk.write_image(tmp_path / "hr" / f"{i}.png", x)
    small_model().save_pretrained(tmp_path / "m")
    _recipe(tmp_path / "hr", tmp_path / "m", tmp_path / "one").run(progress=False)
    _recipe(tmp_path / "hr", tmp_path / "m", tmp_path / "two", workers=2,
            backend=backend).run(progress=False)
    one = _tree(tmp_path / "one")
    assert one == _tree(tmp_path / "two") and len(one) > 6

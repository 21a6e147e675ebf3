"""Shared fixtures: deterministic test images and an isolated plugin registry."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

import degsdk

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "hr"


def smooth_images(n: int, h: int, w: int, seed: int = 0) -> torch.Tensor:
    """Natural-ish test images: random low-frequency content plus mild texture, in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 3, max(2, h // 8), max(2, w // 8), generator=g)
    up = torch.nn.functional.interpolate(base, size=(h, w), mode="bilinear",
                                         align_corners=False)
    tex = torch.rand(n, 3, h, w, generator=g) * 0.2
    return (0.8 * up + tex).clamp(0, 1).float()


@pytest.fixture
def images() -> torch.Tensor:
    return smooth_images(8, 48, 64)


@pytest.fixture
def np_rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Reload plugins before and after the test, so changes to sys.path or the environment
    made by the test do not leak."""
    degsdk.reload_plugins()
    yield
    monkeypatch.undo()
    degsdk.reload_plugins()


@pytest.fixture
def make_dist(tmp_path: Path) -> Callable[..., Path]:
    """Write a throw-away installed distribution (a module plus a ``.dist-info`` with
    ``degsdk`` entry points) into a site folder; returns the folder, to put on sys.path or
    PYTHONPATH."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)

    def make(dist: str, module: str, source: str, entry: str | None = None,
             version: str = "0.1.0") -> Path:
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[degsdk]\n{entry or module} = {module}\n")
        sys.modules.pop(module, None)
        return site

    return make

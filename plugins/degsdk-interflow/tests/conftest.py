"""Fixtures of the InterFlow plugin's tests (they run with only degsdk and this plugin
installed): a tiny aligned multi-level set made with the core ``camera`` degrader, and a small
random InterFlow."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from degsdk_interflow import InterFlow

import degsdk
from degsdk.testing import synthetic_photos

SMALL = {"flow_steps": 1, "hidden": 8, "nf": 4, "blocks": 1, "gc": 4}


def small_model(**kw: object) -> InterFlow:
    """A small InterFlow moved off its init so that levels and draws differ visibly."""
    m = InterFlow(**{**SMALL, **kw})
    m.reset_parameters(torch.Generator().manual_seed(1))
    with torch.no_grad():
        m.priors.means.copy_(torch.linspace(-0.3, 0.3, len(m.priors)).view(
            -1, *([1] * (m.priors.means.ndim - 1))).expand_as(m.priors.means))
        for i in range(len(m.priors)):
            m.priors.factors[i] = torch.eye(m.latent_channels) * (0.2 + 0.3 * i)
    return m.eval()


def write_levels(root: Path, levels: tuple[float, ...] = (2.0, 3.0, 4.0), n: int = 4,
                 size: int = 48, seed: int = 0) -> dict[str, Path]:
    """``root/hr`` and ``root/<level>`` (aligned camera LR of the same photos)."""
    photos = synthetic_photos(n, size, seed)
    out = {"hr": root / "hr"}
    for i in range(n):
        degsdk.write_image(root / "hr" / f"{i:03d}.png", photos[i])
    for s in levels:
        cam = degsdk.create("camera", level=s, scale=1, jpeg=None)
        lr = cam(photos, seed=seed, indices=list(range(n))).lr
        for i in range(n):
            degsdk.write_image(root / f"{s:g}" / f"{i:03d}.png", lr[i])
        out[f"{s:g}"] = root / f"{s:g}"
    return out


@pytest.fixture(scope="session")
def levels_dir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_levels(tmp_path_factory.mktemp("interflow_levels"))

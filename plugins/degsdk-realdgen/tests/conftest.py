"""Fixtures of the RealDGen plugin's tests (they run with only degsdk and this plugin
installed): a tiny random model with stored references, and tiny training folders made with
the core ``camera`` degrader."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
from degsdk_realdgen import RealDGen

import degsdk
from degsdk.testing import synthetic_photos

SMALL: dict[str, Any] = {"cont_width": 8, "cont_channels": 4, "groups": 4, "deg_width": 8,
                         "deg_blocks": 1, "deg_dim": 8, "mod_channels": 8, "cond_channels": 4,
                         "unet_widths": [8, 16]}
FAST: dict[str, Any] = {"T": 8, "candidates": 2}


def small_model(**kw: Any) -> RealDGen:
    """A small RealDGen (both stages marked trained), re-initialised from seed 1, storing two
    random 16 px references ``a`` and ``b``."""
    runtime = {k: kw.pop(k) for k in list(kw) if k in RealDGen.runtime_params}
    params = {**SMALL, "trained_stages": ["extractors", "ddpm"], "reference_size": 16, **kw}
    m = RealDGen(**params)
    m.reset_parameters(1)
    refs = {"a": torch.rand(3, 20, 20, generator=torch.Generator().manual_seed(2)),
            "b": torch.rand(3, 16, 24, generator=torch.Generator().manual_seed(3)) * 0.5}
    return m.rebuilt(stored=refs, **{**FAST, **runtime})


def untrained(**kw: Any) -> RealDGen:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RealDGen(**{**SMALL, **kw})


def write_folder(folder: Path, images: torch.Tensor) -> Path:
    for i, x in enumerate(images):
        degsdk.write_image(folder / f"{i:03d}.png", x)
    return folder


@pytest.fixture(scope="session")
def train_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``hr``: 3 photos of 160 px; ``real``: 4 camera LR images of 48 px."""
    root = tmp_path_factory.mktemp("realdgen_data")
    hr = write_folder(root / "hr", synthetic_photos(3, 160, seed=0))
    cam = degsdk.create("camera", level=4.0, scale=4)
    lr = cam(synthetic_photos(4, 192, seed=1), seed=0).lr
    return {"hr": hr, "real": write_folder(root / "real", lr)}


@pytest.fixture(scope="session")
def extractors_dir(train_dirs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
                   ) -> Path:
    """A stage-1 model folder: 4 steps (2 content, 2 degradation) of the small model."""
    from degsdk_realdgen.train import train_realdgen

    out = tmp_path_factory.mktemp("realdgen_ext") / "ext"
    train_realdgen(out=out, stage="extractors", hr=[train_dirs["hr"]], steps=4,
                   content_fraction=0.5, patch=40, batch_size=2, groups=1,
                   architecture=SMALL, progress=False, checkpoint_every=0)
    return out


@pytest.fixture(scope="session")
def trained_dir(train_dirs: dict[str, Path], extractors_dir: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model through both stages (2 DDPM steps), storing 3 references."""
    from degsdk_realdgen.train import train_realdgen

    out = tmp_path_factory.mktemp("realdgen_full") / "model"
    train_realdgen(out=out, stage="ddpm", init=extractors_dir, real_lr=[train_dirs["real"]],
                   steps=2, patch=16, batch_size=2, references=3, progress=False,
                   checkpoint_every=0)
    return out

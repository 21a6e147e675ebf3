"""Fixtures of the DeFlow plugin's tests (they run with only degsdk and this plugin
installed): smooth synthetic clean images and a noisy "camera" domain made from others."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import degsdk

NOISE = 0.06  # the degraded domain's white-noise std on the [0, 1] scale


def synthetic_images(n: int, size: int, seed: int) -> torch.Tensor:
    """Smooth colour fields with a few sharp rectangles, in [0.1, 0.9]."""
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 3, 4, 4, generator=g)
    x = torch.nn.functional.interpolate(base, size=(size, size), mode="bicubic",
                                        align_corners=False)
    for i in range(n):
        for _ in range(3):
            t, s = (int(v) for v in torch.randint(0, size - 8, (2,), generator=g))
            x[i, :, t : t + 8, s : s + 12] += 0.3 * torch.rand(3, 1, 1, generator=g)
    return (0.1 + 0.8 * x).clamp(0.1, 0.9)


def write_folder(folder: Path, images: torch.Tensor) -> Path:
    for i in range(images.shape[0]):
        degsdk.write_image(folder / f"{i:03d}.png", images[i])
    return folder


@pytest.fixture(scope="session")
def domains(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(clean, degraded) unpaired folders: degraded = other images + N(0, NOISE²)."""
    root = tmp_path_factory.mktemp("deflow_domains")
    clean = write_folder(root / "clean", synthetic_images(4, 48, seed=1))
    other = synthetic_images(4, 48, seed=2)
    noise = torch.randn(other.shape, generator=torch.Generator().manual_seed(3)) * NOISE
    degraded = write_folder(root / "degraded", (other + noise).clamp(0, 1))
    return clean, degraded

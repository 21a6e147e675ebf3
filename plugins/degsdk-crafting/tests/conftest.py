"""Fixtures of the crafting plugin's tests (only degsdk and this plugin installed)."""

from __future__ import annotations

import pytest
import torch


def textured(n: int, size: int, seed: int) -> torch.Tensor:
    """Smooth colour fields with fine texture, in [0, 1] (n×3×size×size)."""
    g = torch.Generator().manual_seed(seed)
    base = torch.nn.functional.interpolate(torch.rand(n, 3, size // 8, size // 8, generator=g),
                                           size=(size, size), mode="bicubic",
                                           align_corners=False)
    return (0.85 * base + 0.1 * torch.rand(n, 3, size, size, generator=g)).clamp(0, 1)


@pytest.fixture(scope="session")
def clean_images() -> torch.Tensor:
    return textured(24, 96, seed=0)

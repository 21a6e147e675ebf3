"""Fixtures of the DML plugin's tests (they run with only degsdk and this plugin
installed): natural-looking synthetic images and aligned synthetic-camera pairs."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import degsdk

# A noise-free aligned camera: spatially varying optical blur only (no CA, colour, noise, JPEG).
CAMERA = {"scale": 1, "level": 1.5, "blur_center": 0.6, "blur_edge": 1.2, "ca": 0.0,
          "wb_shift": 0.0, "shot": 0.0, "read": 0.0, "jpeg": None}


def synthetic_images(n: int, h: int, w: int, seed: int) -> torch.Tensor:
    """Smooth colour fields plus sharp-edged rectangles and fine texture, in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 3, max(2, h // 12), max(2, w // 12), generator=g)
    x = 0.6 * torch.nn.functional.interpolate(base, size=(h, w), mode="bicubic",
                                              align_corners=False)
    for i in range(n):
        for _ in range(6):
            t, s = (int(v) for v in torch.randint(0, h - 8, (2,), generator=g))
            hh, ww = (int(v) for v in torch.randint(4, h // 2, (2,), generator=g))
            x[i, :, t : t + hh, s : s + ww] += 0.4 * torch.rand(3, 1, 1, generator=g)
    x += 0.08 * torch.rand(n, 3, h, w, generator=g)
    return x.clamp(0, 1)


def write_pairs(root: Path, hr: torch.Tensor, seed: int = 0) -> Path:
    cam = degsdk.create("camera", **CAMERA)
    lr = cam(hr, seed=seed).lr
    for i in range(hr.shape[0]):
        degsdk.write_image(root / "hr" / f"{i:03d}.png", hr[i])
        degsdk.write_image(root / "lr" / f"{i:03d}.png", lr[i])
    return root


@pytest.fixture(scope="session")
def camera_pairs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(train, held-out) aligned paired folders made by the same camera."""
    root = tmp_path_factory.mktemp("dml_pairs")
    train = write_pairs(root / "train", synthetic_images(3, 96, 96, seed=1))
    test = write_pairs(root / "test", synthetic_images(1, 96, 96, seed=2), seed=1)
    return train, test

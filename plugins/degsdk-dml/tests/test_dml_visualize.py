"""The kernel and weight-map pictures (paper Fig. 2–3)."""

from __future__ import annotations

from pathlib import Path

import torch
from degsdk_dml import DML, kernels_image, save_visuals, weight_maps_image

import degsdk


def test_pictures(tmp_path: Path) -> None:
    model = DML(num_kernels=3, kernel_size=5, width=4, levels=1)
    k = kernels_image(model, cell=20)
    assert k.shape == (3, 20, 3 * 24 + 4)
    # each kernel is scaled to its own maximum: every tile reaches white
    assert all(float(k[:, :, 4 + i * 24 : 24 + i * 24].max()) == 1.0 for i in range(3))
    hr = torch.rand(3, 40, 60, generator=torch.Generator().manual_seed(0))
    w = weight_maps_image(model, hr, height=40)
    assert w.shape == (3, 40, 4 * (60 + 4) + 4)
    a, b = save_visuals(model, hr, tmp_path)
    assert degsdk.read_image(a).shape == kernels_image(model).shape
    assert degsdk.read_image(b).shape == weight_maps_image(model, hr).shape

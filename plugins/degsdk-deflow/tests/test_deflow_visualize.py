"""The temperature strip (paper Fig. 4–5): layout, τ = 0 column is the input, file written."""

from __future__ import annotations

from pathlib import Path

import torch
from degsdk_deflow import DeFlow
from degsdk_deflow.visualize import save_temperature_strip, temperature_strip

import degsdk


def test_strip_layout_and_zero_temperature_column(tmp_path: Path) -> None:
    m = DeFlow(levels=2, flow_steps=1, hidden=8, nf=4, blocks=1, gc=4)
    with torch.no_grad():
        for s in m.shifts:
            s.mean.add_(0.5)
    x = torch.rand(3, 16, 16, generator=torch.Generator().manual_seed(0))
    strip = temperature_strip(m, x, temperatures=(0.0, 1.0), seeds=(0, 1, 2), zoom=2)
    assert strip.shape == (3, 14 + 3 * 32, 2 * 32)
    first = strip[:, 14:46, :32]
    torch.testing.assert_close(first, x.repeat_interleave(2, -2).repeat_interleave(2, -1),
                               atol=1e-4, rtol=0)
    assert float((strip[:, 14:46, 32:] - first).abs().mean()) > 1e-3
    path = save_temperature_strip(m, x, tmp_path / "strip.png", temperatures=(0.0, 1.0))
    assert degsdk.read_image(path).shape[-1] == 2 * 32

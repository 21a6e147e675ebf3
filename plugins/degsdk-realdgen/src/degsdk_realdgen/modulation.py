"""The modulation block M (paper A.4, Fig. 8): it fuses a degradation vector into a content map.

Four modulation layers, each conv 3×3 → LeakyReLU → modulation unit (a linear map of the
degradation vector to a per-channel scale γ and shift β: x·(1 + γ) + β), then a final conv 3×3.
The DDPM's condition c is M's output; the LR reconstruction network Rec_lr of the extractor
pre-training (Eq. 5) is a second block of the same form with 3 output channels (A.2)."""

from __future__ import annotations

from torch import Tensor, nn


class ModulationLayer(nn.Module):
    """conv → activation → x·(1 + γ(v)) + β(v)."""

    def __init__(self, in_channels: int, channels: int, dim: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.act = nn.LeakyReLU(0.1, inplace=True)
        self.unit = nn.Linear(dim, 2 * channels)

    def forward(self, x: Tensor, v: Tensor) -> Tensor:
        gamma, beta = self.unit(v)[..., None, None].chunk(2, dim=1)
        return self.act(self.conv(x)) * (1 + gamma) + beta


class ModulationBlock(nn.Module):
    """(degradation N×dim, content N×C×h×w) → N×out×h×w."""

    def __init__(self, content_channels: int, dim: int, channels: int, out_channels: int,
                 layers: int = 4) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            ModulationLayer(content_channels if i == 0 else channels, channels, dim)
            for i in range(layers))
        self.out = nn.Conv2d(channels, out_channels, 3, padding=1)

    def forward(self, degradation: Tensor, content: Tensor) -> Tensor:
        x = content
        for layer in self.layers:
            x = layer(x, degradation)
        return self.out(x)

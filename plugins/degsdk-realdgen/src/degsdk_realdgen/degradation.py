"""The degradation extractor E_deg (paper §2.1, A.1, Fig. 7): a feature layer, residual
blocks, adaptive average pooling and a 4-layer 1×1-conv mapping → one vector per image.

It reads an LR image at its own size (any size: the pooling makes the vector size-free)."""

from __future__ import annotations

from torch import Tensor, nn


class ResidualBlock(nn.Module):
    """conv 3×3 → LeakyReLU → conv 3×3, plus the input."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1),
                                  nn.LeakyReLU(0.1, inplace=True),
                                  nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


class DegradationExtractor(nn.Module):
    """E_deg: N×3×h×w in [0, 1] → N×dim (2048 in the paper)."""

    def __init__(self, width: int, blocks: int, dim: int) -> None:
        super().__init__()
        self.head = nn.Conv2d(3, width, 3, padding=1)
        self.blocks = nn.Sequential(*(ResidualBlock(width) for _ in range(blocks)),
                                    nn.Conv2d(width, width, 3, padding=1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        act = nn.LeakyReLU(0.1, inplace=True)
        self.mapping = nn.Sequential(nn.Conv2d(width, dim, 1), act, nn.Conv2d(dim, dim, 1), act,
                                     nn.Conv2d(dim, dim, 1), act, nn.Conv2d(dim, dim, 1))

    def forward(self, lr: Tensor) -> Tensor:
        x = self.head(lr * 2 - 1)
        x = self.pool(self.blocks(x) + x)
        return self.mapping(x).flatten(1)

    def last_conv(self) -> list[nn.Parameter]:
        """The parameters fine-tuned in the DDPM stage (A.5): the mapping's last conv."""
        return list(self.mapping[-1].parameters())

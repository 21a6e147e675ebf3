"""Baseline SR models: ``bicubic`` (no weights) and ``srresnet_small``, a compact residual
network for scale 1 (aligned pairs; pixel-unshuffle at the input, as InterFlow), 2 and 4."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from .._errors import ConfigError
from .._interfaces import SRModel
from ..hub._pretrained import PretrainedMixin


class Bicubic(SRModel):
    """Bicubic upscaling by ``scale`` (torch's a = −0.75 kernel), clamped to [0, 1]."""

    name = "bicubic"

    def __init__(self, scale: int = 4) -> None:
        super().__init__()
        if scale not in (1, 2, 3, 4, 8):
            raise ConfigError(f"bicubic: scale must be 1, 2, 3, 4 or 8, got {scale}")
        self.scale = scale

    def forward(self, lr: Tensor) -> Tensor:
        if self.scale == 1:
            return lr
        return F.interpolate(lr, scale_factor=self.scale, mode="bicubic",
                             align_corners=False).clamp(0, 1)


class _ResBlock(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv2(F.relu(self.conv1(x)))


class SRResNetSmall(SRModel, PretrainedMixin):
    """conv → ``blocks`` residual blocks → pixel-shuffle upsampling, predicting the residual
    over bicubic upscaling. Scale 1 works at half resolution (pixel-unshuffle in, shuffle out).
    """

    name = "srresnet_small"

    def __init__(self, scale: int = 2, channels: int = 32, blocks: int = 4) -> None:
        super().__init__()
        if scale not in (1, 2, 4):
            raise ConfigError(f"srresnet_small: scale must be 1, 2 or 4, got {scale}")
        self.scale = scale
        cin = 12 if scale == 1 else 3
        self.head = nn.Conv2d(cin, channels, 3, padding=1)
        self.body = nn.Sequential(*[_ResBlock(channels) for _ in range(blocks)])
        ups: list[nn.Module] = []
        steps = {1: 1, 2: 1, 4: 2}[scale]
        for _ in range(steps):
            ups += [nn.Conv2d(channels, channels * 4, 3, padding=1), nn.PixelShuffle(2)]
        self.up = nn.Sequential(*ups)
        self.tail = nn.Conv2d(channels, 3, 3, padding=1)

    def forward(self, lr: Tensor) -> Tensor:
        x = F.pixel_unshuffle(lr, 2) if self.scale == 1 else lr
        y = self.head(x)
        y = self.tail(self.up(y + self.body(y)))
        base = lr if self.scale == 1 else F.interpolate(lr, scale_factor=self.scale,
                                                        mode="bicubic", align_corners=False)
        return base + y

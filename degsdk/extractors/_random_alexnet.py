"""``alexnet_random``: an AlexNet-style convolutional extractor with seeded random weights.

The crafting paper observes that even a randomly initialised AlexNet separates degradations;
this needs no download. Five conv layers (64, 192, 384, 256, 256 channels; 11/5/3/3/3 kernels,
ReLU, max-pooling after the 1st, 2nd and 5th) with He-normal weights drawn from
``torch.Generator(seed)`` — the same network for the same seed, everywhere — then global
average pooling. Input: ImageNet-normalised RGB; output (N, 256).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from .._interfaces import Extractor

_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


class RandomAlexNet(Extractor):
    name = "alexnet_random"

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.seed = int(seed)
        self.dim = 256
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
        )
        g = torch.Generator().manual_seed(self.seed)
        with torch.no_grad():
            for m in self.features:
                if isinstance(m, nn.Conv2d):
                    fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                    m.weight.copy_(torch.randn(m.weight.shape, generator=g)
                                   * math.sqrt(2.0 / fan_in))
                    m.bias.zero_()
        self.register_buffer("mean", torch.tensor(_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(_STD).view(1, 3, 1, 1))
        self.eval()

    def forward(self, images: Tensor) -> Tensor:
        if min(images.shape[-2:]) < 63:
            images = nn.functional.interpolate(images, size=(63, 63), mode="bilinear",
                                               align_corners=False, antialias=True)
        with torch.no_grad():
            x = (images - self.mean) / self.std
            return self.features(x).mean(dim=(2, 3))

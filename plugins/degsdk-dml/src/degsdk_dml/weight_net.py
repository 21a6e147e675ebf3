"""The weight-prediction network F of DML (paper §3.2): an encoder–decoder on the HR image
with 3×3 convolutions and ReLU, max-pooling down, bilinear upsampling back, and a sigmoid on
the last convolution, giving one weight per basis kernel per pixel.

The paper does not detail the skip connections; this one adds each encoder level's features
to the decoder's at the same resolution (a U-Net with sums), which keeps the weight maps sharp
at edges. ``levels`` poolings, ``width`` channels at full resolution, doubling per level.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def _double_conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))


class WeightNet(nn.Module):
    """HR N×3×H×W in [0, 1] → weights N×M×H×W in (0, 1). Any H, W ≥ 1."""

    def __init__(self, num_kernels: int = 8, width: int = 16, levels: int = 2) -> None:
        super().__init__()
        chans = [width * 2**i for i in range(levels + 1)]
        self.enc = nn.ModuleList([_double_conv(3, chans[0])] + [
            _double_conv(chans[i], chans[i + 1]) for i in range(levels)])
        self.reduce = nn.ModuleList([nn.Conv2d(chans[i + 1], chans[i], 3, padding=1)
                                     for i in reversed(range(levels))])
        self.dec = nn.ModuleList([_double_conv(chans[i], chans[i])
                                  for i in reversed(range(levels))])
        self.head = nn.Conv2d(chans[0], num_kernels, 3, padding=1)
        self.num_kernels = num_kernels

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Xavier-uniform convolutions from ``generator`` (as the paper), zero biases; the head
        bias starts at logit(1/M), so the initial weights sum to about 1 at every pixel."""
        with torch.no_grad():
            for mod in self.modules():
                if isinstance(mod, nn.Conv2d):
                    fan_in = mod.in_channels * mod.kernel_size[0] * mod.kernel_size[1]
                    fan_out = mod.out_channels * mod.kernel_size[0] * mod.kernel_size[1]
                    bound = math.sqrt(6.0 / (fan_in + fan_out))
                    mod.weight.copy_((torch.rand(mod.weight.shape, generator=generator) * 2
                                      - 1) * bound)
                    assert mod.bias is not None
                    mod.bias.zero_()
            m = self.num_kernels
            self.head.bias.fill_(math.log(1.0 / max(m - 1, 1)) if m > 1 else 0.0)

    def logits(self, x: Tensor) -> Tensor:
        """The last convolution's output, before the sigmoid: N×M×H×W."""
        skips = []
        y = x
        for i, block in enumerate(self.enc):
            if i:
                y = F.max_pool2d(y, 2, ceil_mode=True)
            y = block(y)
            skips.append(y)
        for reduce, block, skip in zip(self.reduce, self.dec, reversed(skips[:-1]),
                                       strict=True):
            y = F.interpolate(y, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            y = block(F.relu(reduce(y)) + skip)
        return self.head(y)

    def forward(self, x: Tensor) -> Tensor:
        return torch.sigmoid(self.logits(x))

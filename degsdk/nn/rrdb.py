"""A residual-in-residual dense-block (RRDB, ESRGAN) condition encoder with multi-scale
outputs for conditional flows (SRFlow/DeFlow style)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .conv import uninitialized_conv2d


class ResidualDenseBlock(nn.Module):
    """Five 3×3 convs with dense connections (growth ``gc``), LeakyReLU 0.2, residual ×0.2."""

    def __init__(self, nf: int, gc: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            [uninitialized_conv2d(nf + i * gc, gc if i < 4 else nf, 3) for i in range(5)])

    def forward(self, x: Tensor) -> Tensor:
        feats = [x]
        for i, conv in enumerate(self.convs):
            out = conv(torch.cat(feats, 1))
            if i < 4:
                feats.append(F.leaky_relu(out, 0.2))
        return x + 0.2 * out


class RRDB(nn.Module):
    """Three residual dense blocks with an outer residual ×0.2."""

    def __init__(self, nf: int, gc: int) -> None:
        super().__init__()
        self.blocks = nn.Sequential(*(ResidualDenseBlock(nf, gc) for _ in range(3)))

    def forward(self, x: Tensor) -> Tensor:
        return x + 0.2 * self.blocks(x)


def default_taps(blocks: int) -> tuple[int, ...]:
    """Block outputs appended to every feature map: 4 evenly spaced from block 1 (0-based),
    which for 23 blocks is SRFlow's (1, 8, 15, 22)."""
    lo = min(1, blocks - 1)
    return tuple(sorted({round(float(v)) for v in np.linspace(lo, blocks - 1, min(4, blocks))}))


class RRDBEncoder(nn.Module):
    """Image N×``in_channels``×h×w → feature maps at requested sizes, each with
    ``out_channels = nf·(1 + len(taps))`` channels.

    The trunk (conv → ``blocks`` RRDBs → conv, plus a skip) gives the h×w feature. A size
    2^j larger is reached by j learned up-convolutions (nearest ×2 then 3×3 conv; the feature is
    taken before the LeakyReLU; at most ``upsample`` of them); a smaller size by bilinear
    resizing. The outputs of the ``taps`` blocks are nearest-resized and appended (SRFlow's
    320-channel conditioning for nf 64). Weights are drawn from ``generator`` (Kaiming ×0.1,
    as ESRGAN; biases zero); the global RNG is not used."""

    def __init__(self, in_channels: int = 3, nf: int = 64, blocks: int = 23, gc: int = 32,
                 upsample: int = 2, taps: Sequence[int] | None = None,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.taps = tuple(taps) if taps is not None else default_taps(blocks)
        if any(not 0 <= t < blocks for t in self.taps):
            raise ValueError(f"taps {self.taps} must index the {blocks} blocks")
        self.conv_first = uninitialized_conv2d(in_channels, nf, 3)
        self.blocks = nn.ModuleList(RRDB(nf, gc) for _ in range(blocks))
        self.trunk_conv = uninitialized_conv2d(nf, nf, 3)
        self.up_convs = nn.ModuleList(uninitialized_conv2d(nf, nf, 3) for _ in range(upsample))
        self.out_channels = nf * (1 + len(self.taps))
        g = generator if generator is not None else torch.Generator().manual_seed(0)
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    fan_in = m.weight[0].numel()
                    m.weight.copy_(torch.randn(m.weight.shape, generator=g)
                                   * (2.0 / fan_in) ** 0.5 * 0.1)
                    if m.bias is not None:
                        m.bias.zero_()

    def forward(self, x: Tensor, sizes: Sequence[tuple[int, int]]) -> list[Tensor]:
        """One feature map per entry of ``sizes`` ((H, W) each; a power-of-2 multiple of
        h×w or smaller)."""
        fea = self.conv_first(x)
        trunk = fea
        tapped = []
        for i, block in enumerate(self.blocks):
            trunk = block(trunk)
            if i in self.taps:
                tapped.append(trunk)
        base = fea + self.trunk_conv(trunk)
        pyramid = {1: base}
        h = x.shape[-2]
        out = []
        for size in sizes:
            up = size[0] // h if size[0] > h and size[0] % h == 0 else 0
            if size[0] > h:
                j = up.bit_length() - 1
                if up != 2 ** j or j > len(self.up_convs):
                    raise ValueError(f"RRDBEncoder: cannot reach {size} from {h} px "
                                     f"(powers of 2 up to ×{2 ** len(self.up_convs)})")
                k = 1
                while k < 2 ** j:
                    if 2 * k not in pyramid:
                        prev = pyramid[k] if k == 1 else F.leaky_relu(pyramid[k], 0.2)
                        bigger = F.interpolate(prev, scale_factor=2.0, mode="nearest")
                        pyramid[2 * k] = self.up_convs[k.bit_length() - 1](bigger)
                    k *= 2
                feat = pyramid[2 ** j]
            elif size[0] == h:
                feat = base
            else:
                feat = F.interpolate(base, size=size, mode="bilinear", align_corners=False)
            extra = [F.interpolate(t, size=size, mode="nearest") for t in tapped]
            out.append(torch.cat([feat, *extra], 1))
        return out

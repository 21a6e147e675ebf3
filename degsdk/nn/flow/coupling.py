"""SRFlow-style conditional affine layers: the affine injector (every channel, from the
condition) and the conditional affine coupling (half the channels, from the other half and the
condition), with their sub-network ``CouplingNet``."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..conv import uninitialized_conv2d
from .actnorm import ActNorm
from .layer import FlowLayer, default_generator


class ZeroConv2d(nn.Module):
    """3×3 convolution whose weight, bias and per-channel ``logs`` start at zero; output
    ``conv(x)·exp(3·logs)``. A freshly built coupling is therefore the identity up to its
    constant scale sigmoid(2) + eps."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = uninitialized_conv2d(in_channels, out_channels, 3)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.bias.zero_()
        self.logs = nn.Parameter(torch.zeros(1, out_channels, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(x) * torch.exp(3.0 * self.logs)


class CouplingNet(nn.Module):
    """conv3×3 (no bias, N(0, 0.05²) init) + ActNorm → ReLU → conv1×1 + ActNorm → ReLU →
    :class:`ZeroConv2d`. The ActNorms initialise from their first training batch."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        g = default_generator(generator)
        self.conv1 = uninitialized_conv2d(in_channels, hidden, 3, bias=False)
        self.norm1 = ActNorm(hidden)
        self.conv2 = uninitialized_conv2d(hidden, hidden, 1, bias=False)
        self.norm2 = ActNorm(hidden)
        self.out = ZeroConv2d(hidden, out_channels)
        with torch.no_grad():
            for conv in (self.conv1, self.conv2):
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=g) * 0.05)

    def forward(self, x: Tensor) -> Tensor:
        x = torch.relu(self.norm1.normalize(self.conv1(x)))
        x = torch.relu(self.norm2.normalize(self.conv2(x)))
        return self.out(x)


def _shift_scale(h: Tensor, eps: float) -> tuple[Tensor, Tensor]:
    """Cross split of a sub-network output: shift = channels 0, 2, …; scale =
    sigmoid(channels 1, 3, … + 2) + eps."""
    return h[:, 0::2], torch.sigmoid(h[:, 1::2] + 2.0) + eps


def _affine(x: Tensor, shift: Tensor, scale: Tensor, logdet: Tensor, reverse: bool,
            mult_reverse: bool) -> tuple[Tensor, Tensor]:
    """Apply ``(x + shift)·scale`` in one direction and its inverse in the other.

    ``mult_reverse=True`` (DeFlow/InterFlow) multiplies when *decoding*, so encoding computes
    ``x/scale − shift`` with log|det| = −Σ log scale; ``False`` (SRFlow) multiplies when
    encoding."""
    encode_multiplies = not mult_reverse
    log_scale = torch.log(scale).flatten(1).sum(1)
    encode_logdet = log_scale if encode_multiplies else -log_scale
    y = (x + shift) * scale if encode_multiplies != reverse else x / scale - shift
    return y, (logdet - encode_logdet if reverse else logdet + encode_logdet)


class AffineInjector(FlowLayer):
    """Shift and scale every channel by ``CouplingNet(cond)``; ``cond`` is N×C_c×H×W."""

    def __init__(self, channels: int, cond_channels: int, hidden: int = 64, eps: float = 1e-3,
                 mult_reverse: bool = True, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.net = CouplingNet(cond_channels, 2 * channels, hidden, generator)
        self.eps, self.mult_reverse = eps, mult_reverse

    def forward(self, x: Tensor, logdet: Tensor, cond: Tensor | None = None,
                reverse: bool = False) -> tuple[Tensor, Tensor]:
        if cond is None:
            raise ValueError("AffineInjector needs a condition feature map")
        shift, scale = _shift_scale(self.net(cond), self.eps)
        return _affine(x, shift, scale, logdet, reverse, self.mult_reverse)


class ConditionalAffineCoupling(FlowLayer):
    """Split channels into z1 (first ⌊C/2⌋) and z2; shift and scale z2 by
    ``CouplingNet(concat(z1, cond))``. z1 passes through unchanged."""

    def __init__(self, channels: int, cond_channels: int, hidden: int = 64, eps: float = 1e-3,
                 mult_reverse: bool = True, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.keep = channels // 2
        self.net = CouplingNet(self.keep + cond_channels, 2 * (channels - self.keep), hidden,
                               generator)
        self.eps, self.mult_reverse = eps, mult_reverse

    def forward(self, x: Tensor, logdet: Tensor, cond: Tensor | None = None,
                reverse: bool = False) -> tuple[Tensor, Tensor]:
        z1, z2 = x[:, : self.keep], x[:, self.keep :]
        net_in = z1 if cond is None else torch.cat([z1, cond], 1)
        shift, scale = _shift_scale(self.net(net_in), self.eps)
        z2, logdet = _affine(z2, shift, scale, logdet, reverse, self.mult_reverse)
        return torch.cat([z1, z2], 1), logdet

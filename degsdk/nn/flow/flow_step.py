"""One flow step: ActNorm → invertible 1×1 conv → [conditional coupling → affine injector]."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .actnorm import ActNorm
from .coupling import AffineInjector, ConditionalAffineCoupling
from .invconv import InvertibleConv1x1
from .layer import FlowLayer


class FlowStep(FlowLayer):
    """Encode order: ActNorm, 1×1 conv, then (if ``cond_channels``) the conditional affine
    coupling and the affine injector (DeFlow §4.1: SRFlow's last two layers in reverse order
    and inverted form, i.e. ``mult_reverse``). Decode runs the inverses backwards.
    ``cond_channels=0`` gives an unconditional step (ActNorm + 1×1 conv only)."""

    def __init__(self, channels: int, cond_channels: int = 0, hidden: int = 64,
                 eps: float = 1e-3, lu: bool = True, mult_reverse: bool = True,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        layers: list[FlowLayer] = [ActNorm(channels),
                                   InvertibleConv1x1(channels, lu, generator)]
        if cond_channels:
            layers += [ConditionalAffineCoupling(channels, cond_channels, hidden, eps,
                                                 mult_reverse, generator),
                       AffineInjector(channels, cond_channels, hidden, eps, mult_reverse,
                                      generator)]
        self.layers = nn.ModuleList(layers)
        self.conditional = bool(cond_channels)

    def forward(self, x: Tensor, logdet: Tensor, cond: Tensor | None = None,
                reverse: bool = False) -> tuple[Tensor, Tensor]:
        c = cond if self.conditional else None
        for layer in (reversed(self.layers) if reverse else self.layers):
            x, logdet = layer(x, logdet, c, reverse)
        return x, logdet

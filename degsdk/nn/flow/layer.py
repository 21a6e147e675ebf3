"""The flow-layer contract shared by every invertible layer."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class FlowLayer(nn.Module):
    """An invertible map. ``forward(x, logdet, cond, reverse)``: encode (``reverse=False``)
    adds log|det J| per sample to ``logdet`` (N); decode subtracts it."""

    def forward(self, x: Tensor, logdet: Tensor, cond: Tensor | None = None,
                reverse: bool = False) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def encode(self, x: Tensor, cond: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """``(z, log|det ∂z/∂x|)`` starting from a zero log-determinant."""
        return self(x, x.new_zeros(x.shape[0]), cond, reverse=False)

    def decode(self, z: Tensor, cond: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """``(x, −log|det ∂z/∂x|)`` starting from a zero log-determinant."""
        return self(z, z.new_zeros(z.shape[0]), cond, reverse=True)


def default_generator(generator: torch.Generator | None) -> torch.Generator:
    """The generator to initialise from: the caller's, else a fresh one seeded 0."""
    return generator if generator is not None else torch.Generator().manual_seed(0)

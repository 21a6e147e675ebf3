"""Convolutions built without touching the global RNG."""

from __future__ import annotations

from torch import nn
from torch.nn.utils import skip_init


def uninitialized_conv2d(in_channels: int, out_channels: int, kernel_size: int,
                         bias: bool = True) -> nn.Conv2d:
    """An ``nn.Conv2d`` with "same" padding whose parameters are left uninitialised (PyTorch's
    default init would draw from the global RNG); the caller must set them, from an explicit
    generator."""
    return skip_init(nn.Conv2d, in_channels, out_channels, kernel_size,
                     padding=kernel_size // 2, bias=bias)

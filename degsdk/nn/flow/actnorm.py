"""ActNorm (Glow): a per-channel affine map with data-dependent initialisation."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .layer import FlowLayer


class ActNorm(FlowLayer):
    """``y = (x + b)·exp(logs)`` per channel; log|det| = H·W·Σ logs.

    On the first encode in training mode the layer sets ``b = −mean`` and
    ``logs = log(1/(std + 1e-6))`` from that batch (per channel over N, H, W), so its output has
    zero mean and unit standard deviation. The ``initialized`` buffer is saved with the weights,
    so loaded layers are never re-initialised."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.logs = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.register_buffer("initialized", torch.tensor(0, dtype=torch.uint8))

    @torch.no_grad()
    def initialize(self, x: Tensor) -> None:
        """Set bias and scale from the batch ``x`` (N×C×H×W)."""
        mean = x.mean(dim=(0, 2, 3), keepdim=True)
        std = x.std(dim=(0, 2, 3), keepdim=True, unbiased=False)
        self.bias.copy_(-mean)
        self.logs.copy_(torch.log(1.0 / (std + 1e-6)))
        self.initialized.fill_(1)

    def forward(self, x: Tensor, logdet: Tensor, cond: Tensor | None = None,
                reverse: bool = False) -> tuple[Tensor, Tensor]:
        if not reverse and self.training and not bool(self.initialized):
            self.initialize(x)
        dlogdet = self.logs.sum() * (x.shape[2] * x.shape[3])
        if not reverse:
            return (x + self.bias) * torch.exp(self.logs), logdet + dlogdet
        return x * torch.exp(-self.logs) - self.bias, logdet - dlogdet

    def normalize(self, x: Tensor) -> Tensor:
        """The encode map without log-determinant bookkeeping (for use inside sub-networks)."""
        return self(x, x.new_zeros(x.shape[0]))[0]

"""Squeeze: space-to-depth by 2 (log|det| = 0)."""

from __future__ import annotations

from torch import Tensor

from .layer import FlowLayer


def squeeze2d(x: Tensor, factor: int = 2) -> Tensor:
    """N×C×H×W → N×(C·f²)×(H/f)×(W/f); output channel ``c·f² + f·dy + dx`` holds
    ``x[c, f·i + dy, f·j + dx]`` (the SRFlow/DeFlow order)."""
    n, c, h, w = x.shape
    if h % factor or w % factor:
        raise ValueError(f"squeeze2d: {h}×{w} is not divisible by {factor}")
    x = x.view(n, c, h // factor, factor, w // factor, factor)
    return x.permute(0, 1, 3, 5, 2, 4).reshape(n, c * factor * factor, h // factor, w // factor)


def unsqueeze2d(x: Tensor, factor: int = 2) -> Tensor:
    """The exact inverse of :func:`squeeze2d`."""
    n, c, h, w = x.shape
    f2 = factor * factor
    if c % f2:
        raise ValueError(f"unsqueeze2d: {c} channels are not divisible by {f2}")
    x = x.view(n, c // f2, factor, factor, h, w)
    return x.permute(0, 1, 4, 2, 5, 3).reshape(n, c // f2, h * factor, w * factor)


class Squeeze(FlowLayer):
    """:func:`squeeze2d` as a flow layer (decode: :func:`unsqueeze2d`)."""

    def __init__(self, factor: int = 2) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: Tensor, logdet: Tensor, cond: Tensor | None = None,
                reverse: bool = False) -> tuple[Tensor, Tensor]:
        return (unsqueeze2d(x, self.factor) if reverse else squeeze2d(x, self.factor)), logdet

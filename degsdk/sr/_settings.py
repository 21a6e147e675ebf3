"""``SRSettings``: the SR model that scores a degrader and how it is trained — the one
options model that ``degsdk eval`` (its flags), ``degsdk fit`` (``--sr-…``) and the ``sr``
trainer share."""

from __future__ import annotations

from pydantic import Field

from .._options import Options


class SRSettings(Options):
    """``srresnet_small`` (``channels``, ``blocks``) trained ``steps`` Adam steps at ``lr``
    (cosine-decayed) on ``batch_size`` random ``patch``² LR patches (L1 loss)."""

    steps: int = Field(1000, ge=1, description="SR training steps")
    batch_size: int = Field(16, ge=1, description="SR training patches per step")
    patch: int = Field(32, ge=4, description="LR patch side of SR training")
    lr: float = Field(1e-3, gt=0, description="Adam learning rate of SR training")
    channels: int = Field(32, ge=1, description="SR model feature channels")
    blocks: int = Field(4, ge=1, description="SR model residual blocks")

"""Helpers shared by the pipeline tests: a fixed real HR crop and output fingerprints."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import torch

import degsdk
from tests.conftest import SAMPLES


def golden_hr(size: int = 160) -> torch.Tensor:
    """A fixed 1×3×size×size crop of the astronaut sample photo."""
    return degsdk.read_image(SAMPLES / "astronaut.png")[None, :, 100 : 100 + size,
                                                        150 : 150 + size].contiguous()


def fingerprint(lr: torch.Tensor, params: Any) -> dict[str, str]:
    """sha256 of the 8-bit LR pixels and of the params' canonical JSON."""
    u8 = (lr * 255).round().clamp(0, 255).to(torch.uint8).contiguous().numpy().tobytes()
    p = json.dumps(params, sort_keys=True).encode()
    return {"lr_sha256": hashlib.sha256(u8).hexdigest(),
            "params_sha256": hashlib.sha256(p).hexdigest()}


def expand_batch(n: int, size: int) -> torch.Tensor:
    """An n-sample batch without n copies in memory (for sampling statistics)."""
    return torch.full((1, 3, size, size), 0.5).expand(n, -1, -1, -1)

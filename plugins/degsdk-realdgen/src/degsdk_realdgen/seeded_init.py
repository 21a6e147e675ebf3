"""Building modules whose default initialisation draws from PyTorch's global RNG (diffusers'
blocks, ``nn.Conv2d``) without touching it: the draws come from a forked global RNG seeded
with an explicit seed, and the caller's RNG state is restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded_init(seed: int) -> Iterator[None]:
    """Inside: the global CPU RNG starts from ``seed``; outside, nothing changed."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield

"""Detect use of the global random number generators (torch, numpy, Python)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from ._errors import ContractError


def _states() -> tuple[object, ...]:
    cuda = tuple(torch.cuda.get_rng_state_all()) if torch.cuda.is_initialized() else ()
    return torch.get_rng_state(), np.random.get_state(), random.getstate(), cuda


def _same(a: tuple[object, ...], b: tuple[object, ...]) -> list[str]:
    changed = []
    if not torch.equal(a[0], b[0]):  # type: ignore[arg-type]
        changed.append("torch")
    na, nb = a[1], b[1]
    if na[0] != nb[0] or not np.array_equal(na[1], nb[1]) or na[2:] != nb[2:]:  # type: ignore[index]
        changed.append("numpy")
    if a[2] != b[2]:
        changed.append("Python's random")
    if len(a[3]) != len(b[3]) or any(  # type: ignore[arg-type]
            not torch.equal(x, y) for x, y in zip(a[3], b[3], strict=False)):  # type: ignore[call-overload]
        changed.append("torch.cuda")
    return changed


@contextmanager
def no_global_rng(what: str) -> Iterator[None]:
    """Raise ``ContractError`` if the block advanced any global generator: every draw must come
    from an explicit ``torch.Generator`` (``degsdk.seeding``)."""
    before = _states()
    yield
    changed = _same(before, _states())
    if changed:
        raise ContractError(f"{what} drew from the global random generator of "
                            f"{', '.join(changed)}; draw only from the per-sample generators "
                            "(degsdk.seeding), so results depend on (seed, index) alone")

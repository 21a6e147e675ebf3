"""Run independent per-sample work on a small thread pool.

torch ops and the JPEG codec release the GIL, so per-sample chains whose intermediate sizes
differ (and therefore cannot be batched) still use every core. Results do not depend on the
pool: each item is computed from its own inputs and seeds only. Calls made from inside a
worker run sequentially (no nested pools, no deadlock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import torch

T = TypeVar("T")
R = TypeVar("R")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_local = threading.local()


def _get_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(1, torch.get_num_threads()),
                                       thread_name_prefix="degsdk")
        return _pool


def _run(fn: Callable[[T], R], item: T) -> R:
    _local.inside = True
    try:
        return fn(item)
    finally:
        _local.inside = False


def map_samples(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[fn(item) for item in items]``, in parallel threads when there is more than one item
    and we are not already inside a worker."""
    if len(items) <= 1 or getattr(_local, "inside", False) or torch.get_num_threads() <= 1:
        return [fn(item) for item in items]
    return list(_get_pool().map(lambda it: _run(fn, it), items))

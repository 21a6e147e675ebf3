"""How many CPU threads torch may use: the cores free now, or what the user set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch

from ._errors import ConfigError
from ._quote import quote

THREADS_ENV = "DEGSDK_THREADS"


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def free_cores() -> int:
    """The usable cores minus the one-minute load average (other processes' demand), at least
    1. A busy machine gets fewer threads, so torch does not fight other work for the CPUs."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    return max(1, min(usable_cores(), round(usable_cores() - load)))


def choose_threads(requested: int | None = None) -> int:
    """``requested`` if given, else ``$DEGSDK_THREADS`` if set, else :func:`free_cores`."""
    if requested is None:
        raw = os.environ.get(THREADS_ENV)
        if raw is None:
            return free_cores()
        try:
            requested = int(raw)
        except ValueError:
            raise ConfigError(f"{THREADS_ENV}={quote(raw)}: expected a whole number of threads") \
                from None
    if requested < 1:
        raise ConfigError(f"threads must be at least 1, got {requested}")
    return requested


@contextmanager
def use_threads(requested: int | None = None) -> Iterator[int]:
    """Run the block with ``choose_threads(requested)`` torch intra-op threads; restore the
    previous count afterwards. Yields the count used."""
    n = choose_threads(requested)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(before)

"""``run.backend: ray``: the same plan executed by Ray actors (``pip install 'degsdk[ray]'``).

Each actor builds the degraders once and runs the same batch function as the local backend
(one torch intra-op thread), so the output is byte-identical to a local run. Without
``run.address`` a local Ray instance with ``run.workers`` CPUs is started (and stopped after);
with an address, the cluster's workers must see ``output.dir`` and the inputs (a shared file
system) and have degsdk and the recipe's plugins installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from .._errors import ConfigError
from ._worker import degrade_batch, exit_with_process, init_worker


class _BatchWorker:
    def __init__(self, recipe_json: str, driver_pid: int | None = None, threads: int = 1) -> None:
        if driver_pid is not None:  # a local cluster: end with the driver, even after kill -9
            exit_with_process(driver_pid)
        init_worker(recipe_json, threads)

    def run(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return degrade_batch(batch)


def run_with_ray(recipe_json: str, batches: Iterator[list[dict[str, Any]]], workers: int,
                 address: str | None, bar: Any, threads: int = 1) -> None:
    try:
        import ray
    except ImportError:
        raise ConfigError("run.backend: 'ray' needs Ray; install it with "
                          "pip install 'degsdk[ray]'") from None
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers * threads, include_dashboard=False, log_to_driver=False,
                     object_store_memory=200 * 2**20)
    try:
        actor_cls = ray.remote(num_cpus=threads)(_BatchWorker)
        driver = None if address else os.getpid()
        actors = [actor_cls.remote(recipe_json, driver, threads) for _ in range(workers)]
        pending: list[Any] = []
        for i, batch in enumerate(batches):  # a bounded window keeps memory flat
            pending.append(actors[i % workers].run.remote(batch))
            while len(pending) >= 2 * workers:
                done, pending = ray.wait(pending, num_returns=1)
                bar.update(len(ray.get(done[0])))
        for ref in pending:
            bar.update(len(ray.get(ref)))
    finally:
        if started:
            ray.shutdown()

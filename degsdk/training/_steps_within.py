"""``steps_within``: how many steps of a run fit in a time budget on this machine, measured
as the difference of two short runs so the run's fixed start-up cost is not counted per step."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class StepPlan:
    """``steps`` that fit the budget; ``seconds_per_step`` and ``setup_s`` (a run's fixed
    cost: loading data, building the model) as measured; ``probe_s``, the probe's own time."""

    steps: int
    seconds_per_step: float
    setup_s: float
    probe_s: float

    def steps_for(self, seconds: float, minimum: int = 1) -> int:
        """The steps one run makes in ``seconds`` (its set-up counted), at least ``minimum``."""
        return max(minimum, int((seconds - self.setup_s) / self.seconds_per_step))

    def as_dict(self) -> dict[str, float | int]:
        """JSON-ready, rounded."""
        return {"steps": self.steps, "seconds_per_step": round(self.seconds_per_step, 5),
                "setup_s": round(self.setup_s, 2), "probe_s": round(self.probe_s, 2)}


def steps_within(seconds: float, run_steps: Callable[[int], object], *,
                 probe: tuple[int, int] = (2, 6), minimum: int = 1) -> StepPlan:
    """The number of steps a run of ``run_steps(n)`` can make within ``seconds``, the probe's
    own time included: ``run_steps(a)`` and ``run_steps(b)`` for ``probe = (a, b)`` are
    timed, a step costs (t_b − t_a)/(b − a) and a run's set-up t_a − a × that (each at least
    a small fraction of t_b, against timer noise); what is left of ``seconds`` after the
    probe and one set-up, divided by the step time, is the plan (at least ``minimum``)."""
    a, b = probe
    if not 0 < a < b:
        raise ValueError(f"steps_within: probe must be two step counts 0 < a < b, got {probe}")
    t0 = time.perf_counter()
    times = []
    for n in (a, b):
        t = time.perf_counter()
        run_steps(n)
        times.append(time.perf_counter() - t)
    probe_s = time.perf_counter() - t0
    per_step = max((times[1] - times[0]) / (b - a), times[1] / (8 * b))
    setup = max(0.0, times[0] - a * per_step)
    plan = StepPlan(0, per_step, setup, probe_s)
    return StepPlan(plan.steps_for(seconds - probe_s, minimum), per_step, setup, probe_s)

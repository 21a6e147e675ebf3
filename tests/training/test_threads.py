"""Torch thread counts for trainers and eval (issue 16 row 4): the cores free now, or what the
user sets with --threads / $DEGSDK_THREADS; restored afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import torch
from pydantic import Field

import degsdk
import degsdk._threads as threads_mod
from degsdk.cli import main
from degsdk.training import choose_threads, free_cores, use_threads


def test_free_cores_subtracts_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads_mod.os, "sched_getaffinity", lambda pid: set(range(8)),
                        raising=False)
    monkeypatch.setattr(threads_mod.os, "getloadavg", lambda: (5.2, 0.0, 0.0))
    assert free_cores() == 3
    monkeypatch.setattr(threads_mod.os, "getloadavg", lambda: (20.0, 0.0, 0.0))
    assert free_cores() == 1  # a saturated machine still gets one thread
    monkeypatch.setattr(threads_mod.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert free_cores() == 8


def test_explicit_and_environment_counts_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEGSDK_THREADS", "3")
    assert choose_threads() == 3 and choose_threads(2) == 2
    monkeypatch.setenv("DEGSDK_THREADS", "many")
    with pytest.raises(degsdk.ConfigError, match="DEGSDK_THREADS='many'"):
        choose_threads()
    with pytest.raises(degsdk.ConfigError, match="at least 1"):
        choose_threads(0)
    before = torch.get_num_threads()
    with use_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


class _Opts(degsdk.Options):
    steps: int = Field(1, description="steps")


@pytest.fixture
def seen_threads(fresh_plugins: None) -> Iterator[list[int]]:
    seen: list[int] = []

    def run(options: _Opts) -> None:
        seen.append(torch.get_num_threads())

    class Plugin:
        @degsdk.hookimpl
        def degsdk_register_trainers(self, register: Callable[..., None]) -> None:
            register("threads_probe", degsdk.Trainer("Probe.", run, _Opts))

    degsdk.register_plugin(Plugin(), name="threads-probe")
    yield seen


def test_every_trainer_takes_threads_from_the_command_line(
        seen_threads: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    before = torch.get_num_threads()
    assert main(["train", "threads_probe", "--threads", "1"]) == 0
    monkeypatch.setenv("DEGSDK_THREADS", "2")
    assert main(["train", "threads_probe"]) == 0
    monkeypatch.delenv("DEGSDK_THREADS")
    monkeypatch.setattr(threads_mod, "free_cores", lambda: 1)
    assert main(["train", "threads_probe"]) == 0  # default: the free cores
    assert seen_threads == [1, 2, 1] and torch.get_num_threads() == before


def test_eval_runs_with_the_threads_asked_for(tmp_path: object,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import degsdk.evaluation._report as report

    seen: list[int] = []

    def fake_evaluate(*args: object, **kwargs: object) -> dict:
        seen.append(torch.get_num_threads())
        raise degsdk.ConfigError("stop here")

    monkeypatch.setattr(report, "evaluate", fake_evaluate)
    with pytest.raises(degsdk.ConfigError, match="stop here"):
        report.run_eval(["bicubic"], "hr", "test", f"{tmp_path}/o",
                        settings=degsdk.evaluation.EvalSettings(threads=1))
    assert seen == [1]

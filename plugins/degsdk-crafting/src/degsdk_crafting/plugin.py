"""The plugin's hooks: the ``binned`` degrader, the ``degsdk craft`` command, the embedded
``crafting/<name>`` distributions and the ``crafting`` fitter of ``degsdk fit``."""

from __future__ import annotations

from pathlib import Path

from degsdk import ContractCase, Register, hookimpl
from degsdk.hub import register_embedded_weights

from .command import craft_command
from .distribution import BinnedDistribution
from .fitter import crafting_fitter

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@hookimpl
def degsdk_register_degraders(register: Register) -> None:
    register(BinnedDistribution.name, BinnedDistribution,
             contract=ContractCase({"weights": "crafting/realsrset"}))


@hookimpl
def degsdk_register_commands(register: Register) -> None:
    register("craft", craft_command)


@hookimpl
def degsdk_register_weights(register: Register) -> None:
    register_embedded_weights(register, "crafting", WEIGHTS_DIR)


@hookimpl
def degsdk_register_fitters(register: Register) -> None:
    register("crafting", crafting_fitter())

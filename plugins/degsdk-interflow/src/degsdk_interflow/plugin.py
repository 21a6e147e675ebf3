"""The plugin's hooks: the ``interflow`` degrader, the ``interflow`` trainer, the
``interflow-densify`` command, the embedded ``interflow/<name>`` weights (every
``weights/<name>/`` folder shipped in the package) and the ``interflow`` fitter of
``degsdk fit``."""

from __future__ import annotations

from pathlib import Path

from degsdk import ContractCase, Register, hookimpl
from degsdk.hub import register_embedded_weights

from .densify import densify_command
from .fitter import interflow_fitter
from .model import InterFlow
from .train import interflow_trainer

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@hookimpl
def degsdk_register_degraders(register: Register) -> None:
    register(InterFlow.name, InterFlow,
             contract=ContractCase({"weights": "interflow/camera24"}))


@hookimpl
def degsdk_register_trainers(register: Register) -> None:
    register("interflow", interflow_trainer())


@hookimpl
def degsdk_register_commands(register: Register) -> None:
    register("interflow-densify", densify_command)


@hookimpl
def degsdk_register_weights(register: Register) -> None:
    register_embedded_weights(register, "interflow", WEIGHTS_DIR)


@hookimpl
def degsdk_register_fitters(register: Register) -> None:
    register("interflow", interflow_fitter())

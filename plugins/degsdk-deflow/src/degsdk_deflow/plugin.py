"""The plugin's hooks: the ``deflow`` degrader, the ``deflow`` trainer, the embedded
``deflow/<name>`` weights (every ``weights/<name>/`` folder shipped in the package) and the
``deflow`` fitter of ``degsdk fit``."""

from __future__ import annotations

from pathlib import Path

from degsdk import ContractCase, Register, hookimpl
from degsdk.hub import register_embedded_weights

from .fitter import deflow_fitter
from .model import DeFlow
from .train import deflow_trainer

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@hookimpl
def degsdk_register_degraders(register: Register) -> None:
    register(DeFlow.name, DeFlow, contract=ContractCase({"weights": "deflow/realsrset"}))


@hookimpl
def degsdk_register_trainers(register: Register) -> None:
    register("deflow", deflow_trainer())


@hookimpl
def degsdk_register_weights(register: Register) -> None:
    register_embedded_weights(register, "deflow", WEIGHTS_DIR)


@hookimpl
def degsdk_register_fitters(register: Register) -> None:
    register("deflow", deflow_fitter())

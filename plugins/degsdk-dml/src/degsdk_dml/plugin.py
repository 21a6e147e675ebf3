"""The plugin's hooks: the ``dml`` degrader, the ``dml`` trainer, the embedded ``dml/city100``
weights and the ``dml`` fitter of ``degsdk fit``."""

from __future__ import annotations

from pathlib import Path

from degsdk import ContractCase, Register, hookimpl
from degsdk.hub import register_embedded_weights

from .fitter import dml_fitter
from .model import DML
from .train import dml_trainer

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@hookimpl
def degsdk_register_degraders(register: Register) -> None:
    register(DML.name, DML, contract=ContractCase({"weights": "dml/city100"}, size=48))


@hookimpl
def degsdk_register_trainers(register: Register) -> None:
    register("dml", dml_trainer())


@hookimpl
def degsdk_register_weights(register: Register) -> None:
    register_embedded_weights(register, "dml", WEIGHTS_DIR)


@hookimpl
def degsdk_register_fitters(register: Register) -> None:
    register("dml", dml_fitter())

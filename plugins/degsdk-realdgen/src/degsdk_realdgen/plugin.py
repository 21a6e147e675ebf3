"""The plugin's hooks: the ``realdgen`` degrader, the ``realdgen_degradation`` and
``realdgen_content`` extractors, the ``realdgen`` trainer, the embedded ``realdgen/<name>``
weights (every ``weights/<name>/`` folder shipped in the package) and the ``realdgen`` fitter
of ``degsdk fit``."""

from __future__ import annotations

from pathlib import Path

from degsdk import ContractCase, Register, hookimpl
from degsdk.hub import register_embedded_weights

from .extractors import RealDGenContent, RealDGenDegradation
from .fitter import realdgen_fitter
from .model import RealDGen
from .train import realdgen_trainer

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@hookimpl
def degsdk_register_degraders(register: Register) -> None:
    register(RealDGen.name, RealDGen, contract=ContractCase(
        {"weights": "realdgen/x4", "sampler": "ddim", "ddim_steps": 3, "candidates": 2},
        size=32))


@hookimpl
def degsdk_register_trainers(register: Register) -> None:
    register("realdgen", realdgen_trainer())


@hookimpl
def degsdk_register_extractors(register: Register) -> None:
    register(RealDGenDegradation.name, RealDGenDegradation, contract=ContractCase(size=24))
    register(RealDGenContent.name, RealDGenContent, contract=ContractCase(size=24))


@hookimpl
def degsdk_register_weights(register: Register) -> None:
    register_embedded_weights(register, "realdgen", WEIGHTS_DIR)


@hookimpl
def degsdk_register_fitters(register: Register) -> None:
    register("realdgen", realdgen_fitter())

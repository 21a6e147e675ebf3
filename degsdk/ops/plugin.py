"""The built-in plugin: containers and basic ops, registered through the same hooks as any
third-party plugin (entry point ``builtin`` of the ``degsdk`` distribution)."""

from __future__ import annotations

from ..compose import OneOf, RandomApply, Sequential, Shuffle
from ..extractors import DegradationStats, ModuleExtractor, RandomAlexNet
from ..hookspecs import Register, hookimpl
from ..sr import Bicubic, SRResNetSmall, sr_trainer
from .bicubic import BicubicDown
from .blur import GaussianBlur, KernelBlur
from .bsrgan import BSRGAN, BSRGANPlus
from .camera import Camera
from .jpeg import JPEG
from .noise import CameraNoise, GaussianNoise, PoissonNoise
from .realesrgan import RealESRGAN
from .resize import RandomResize, Resize
from .sharpen import USMSharpen

DEGRADERS = (
    # containers
    Sequential, OneOf, RandomApply, Shuffle,
    # ops
    GaussianBlur, KernelBlur, Resize, BicubicDown, RandomResize, GaussianNoise, PoissonNoise,
    CameraNoise, JPEG, USMSharpen,
    # pipelines and cameras
    RealESRGAN, BSRGAN, BSRGANPlus, Camera,
)


@hookimpl
def degsdk_register_degraders(register: Register) -> None:
    for cls in DEGRADERS:
        register(cls.name, cls)


EXTRACTORS = (DegradationStats, RandomAlexNet, ModuleExtractor)


@hookimpl
def degsdk_register_extractors(register: Register) -> None:
    for cls in EXTRACTORS:
        register(cls.name, cls)


@hookimpl
def degsdk_register_sr_models(register: Register) -> None:
    register(Bicubic.name, Bicubic)
    register(SRResNetSmall.name, SRResNetSmall)


@hookimpl
def degsdk_register_trainers(register: Register) -> None:
    register("sr", sr_trainer())

"""The built-in plugin: containers, classic ops and pipelines, offline extractors, baseline SR
models, the ``sr`` trainer and the fitters of the classic pipelines. It imports only degsdk's
public API, like any third-party plugin, and arrives through the entry point ``builtin`` of the
``degsdk`` distribution."""

from __future__ import annotations

import torch

from degsdk import ContractCase, OneOf, RandomApply, Register, Sequential, Shuffle, hookimpl
from degsdk.extractors import DegradationStats, ModuleExtractor, RandomAlexNet
from degsdk.fit import classic_fitter
from degsdk.ops import (
    BSRGAN,
    DPID,
    JPEG,
    BicubicDown,
    BoxBlur,
    BSRGANPlus,
    CalibratedCamera,
    Camera,
    CameraNoise,
    ChannelShift,
    ChromaSubsample,
    Dither,
    GaussianBlur,
    GaussianNoise,
    KernelBlur,
    LensBlur,
    MedianBlur,
    MotionBlur,
    Pixelate,
    PoissonNoise,
    RandomResize,
    RealESRGAN,
    Resample,
    Resize,
    Unsharp,
    USMSharpen,
    Video,
    WebP,
)
from degsdk.sr import Bicubic, SRResNetSmall, sr_trainer

DEGRADERS = (
    # containers
    Sequential, OneOf, RandomApply, Shuffle,
    # ops
    GaussianBlur, KernelBlur, Resize, BicubicDown, RandomResize, GaussianNoise, PoissonNoise,
    CameraNoise, JPEG, USMSharpen,
    # the community's ops (wtp_dataset_destroyer and others)
    WebP, Video, ChromaSubsample, ChannelShift, Pixelate, Resample, DPID, Dither, Unsharp,
    MotionBlur, LensBlur, BoxBlur, MedianBlur,
    # pipelines and cameras
    RealESRGAN, BSRGAN, BSRGANPlus, Camera, CalibratedCamera,
)
EXTRACTORS = (DegradationStats, RandomAlexNet, ModuleExtractor)
SR_MODELS = (Bicubic, SRResNetSmall)

_BLUR = {"name": "gaussian_blur", "params": {"sigma": [0.5, 2]}}
_NOISE = {"name": "gaussian_noise", "params": {"sigma": [1, 10]}}
_HALF = {"name": "resize", "params": {"factor": 0.5}}
# What the registry-wide contract test makes the built-ins that need parameters (or a larger
# input) with.
CONTRACT = {
    "sequential": ContractCase({"ops": [_BLUR, _HALF, {"name": "jpeg",
                                                      "params": {"quality": [40, 90]}}]}),
    "one_of": ContractCase({"ops": [_BLUR, _NOISE], "probs": [1, 2]}),
    "random_apply": ContractCase({"op": _NOISE, "p": 0.5}),
    "shuffle": ContractCase({"ops": [_BLUR, _NOISE, _HALF]}),
    "camera": ContractCase({"scale": 2}),
    "realesrgan": ContractCase(size=148),
    "module": ContractCase(lambda: {"module": torch.nn.Conv2d(3, 4, 3), "dim": 4}),
}


@hookimpl
def degsdk_register_degraders(register: Register) -> None:
    for cls in DEGRADERS:
        register(cls.name, cls, contract=CONTRACT.get(cls.name))


@hookimpl
def degsdk_register_extractors(register: Register) -> None:
    for cls in EXTRACTORS:
        register(cls.name, cls, contract=CONTRACT.get(cls.name))


@hookimpl
def degsdk_register_sr_models(register: Register) -> None:
    for cls in SR_MODELS:
        register(cls.name, cls)


@hookimpl
def degsdk_register_trainers(register: Register) -> None:
    register("sr", sr_trainer())


@hookimpl
def degsdk_register_fitters(register: Register) -> None:
    for name in ("bicubic", "camera"):
        register(name, classic_fitter(name))

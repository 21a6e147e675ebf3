"""The built-in plugin: containers and basic ops, registered through the same hooks as any
third-party plugin (entry point ``builtin`` of the ``degsdk`` distribution)."""

from __future__ import annotations

from ..compose import OneOf, RandomApply, Sequential, Shuffle
from ..hookspecs import Register, hookimpl
from .blur import GaussianBlur
from .jpeg import JPEG
from .noise import GaussianNoise
from .resize import Resize

DEGRADERS = (Sequential, OneOf, RandomApply, Shuffle, GaussianBlur, Resize, GaussianNoise, JPEG)


@hookimpl
def degsdk_register_degraders(register: Register) -> None:
    for cls in DEGRADERS:
        register(cls.name, cls)

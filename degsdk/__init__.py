"""degsdk — realistic image degradations for super-resolution.

Tensors are float32 N×3×H×W RGB in [0, 1] on any device. Noise levels are on the 0–255 scale;
a degrader's ``scale`` is input size / output size; a resize op's ``factor`` is output / input.
"""

from ._component_config import ComponentConfig
from ._components import (
    components,
    create,
    create_extractor,
    create_sr_model,
    get_command,
    get_fitter,
    get_trainer,
    list_commands,
    list_degraders,
    list_extractors,
    list_fitters,
    list_sr_models,
    list_trainers,
    list_weights,
    resolve_weights_name,
)
from ._compose import OneOf, RandomApply, Sequential, Shuffle
from ._config import from_config, load_config, load_degrader, save_config
from ._contract_case import ContractCase
from ._errors import (
    ConfigError,
    DegsdkError,
    ImageReadError,
    ImageWriteError,
    InputError,
    PairingError,
    PluginError,
    TrainingError,
    UnknownComponentError,
    WeightsError,
    WriteError,
)
from ._fitter import DataMinimum, FitContext, FitData, FitResult, Fitter
from ._hookspecs import Register, hookimpl
from ._interfaces import (
    CHILD_DEGRADER,
    Degrader,
    DegraderConfig,
    DegradeResult,
    Extractor,
    SampleParams,
    SRModel,
    check_images,
)
from ._options import Options, ZoomLevels
from ._plugins import PluginLoadWarning, register_plugin, reload_plugins, unregister_plugin
from ._ranges import FloatRange, IntRange, within
from ._registry import Component
from ._trainer import Command, Trainer, TrainerOption
from ._version import __version__
from ._warn import warn_user
from .hub import PretrainedMixin, load, resolve
from .io import find_pairs, list_images, read_image, write_image
from .recipes import Recipe
from .seeding import derive_seed, draw_float, draw_int, make_generators, spawn

__all__ = [
    "CHILD_DEGRADER",
    "Command",
    "Component",
    "ComponentConfig",
    "ConfigError",
    "ContractCase",
    "DataMinimum",
    "DegradeResult",
    "Degrader",
    "DegraderConfig",
    "DegsdkError",
    "Extractor",
    "FitContext",
    "FitData",
    "FitResult",
    "Fitter",
    "FloatRange",
    "ImageReadError",
    "ImageWriteError",
    "InputError",
    "IntRange",
    "OneOf",
    "Options",
    "PairingError",
    "PluginError",
    "PluginLoadWarning",
    "PretrainedMixin",
    "RandomApply",
    "Recipe",
    "Register",
    "SRModel",
    "SampleParams",
    "Sequential",
    "Shuffle",
    "Trainer",
    "TrainerOption",
    "TrainingError",
    "UnknownComponentError",
    "WeightsError",
    "WriteError",
    "ZoomLevels",
    "__version__",
    "check_images",
    "components",
    "create",
    "create_extractor",
    "create_sr_model",
    "derive_seed",
    "draw_float",
    "draw_int",
    "find_pairs",
    "from_config",
    "get_command",
    "get_fitter",
    "get_trainer",
    "hookimpl",
    "list_commands",
    "list_degraders",
    "list_extractors",
    "list_fitters",
    "list_images",
    "list_sr_models",
    "list_trainers",
    "list_weights",
    "load",
    "load_config",
    "load_degrader",
    "make_generators",
    "read_image",
    "register_plugin",
    "reload_plugins",
    "resolve",
    "resolve_weights_name",
    "save_config",
    "spawn",
    "unregister_plugin",
    "warn_user",
    "within",
    "write_image",
]

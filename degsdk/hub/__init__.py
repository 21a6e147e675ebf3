"""Weights: model folders, refs, the Hub (through ``huggingface_hub``), strict loading."""

from ._embedded import register_embedded_weights
from ._load import load
from ._model_folder import (
    FORMAT_VERSION,
    WEIGHTS_NAME,
    ModelConfig,
    load_state_strict,
    read_config,
)
from ._pretrained import PretrainedMixin
from ._push import push_folder
from ._refs import WeightsRef, WeightsRefOption, parse_ref
from ._resolve import ResolvedWeights, resolve

__all__ = [
    "FORMAT_VERSION",
    "WEIGHTS_NAME",
    "ModelConfig",
    "PretrainedMixin",
    "ResolvedWeights",
    "WeightsRef",
    "WeightsRefOption",
    "load",
    "load_state_strict",
    "parse_ref",
    "push_folder",
    "read_config",
    "register_embedded_weights",
    "resolve",
]

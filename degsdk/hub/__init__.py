"""Weights: model folders, refs, the Hub (through ``huggingface_hub``), strict loading."""

from .embedded import register_embedded_weights
from .load import load
from .model_folder import FORMAT_VERSION, ModelConfig, load_state_strict, read_config
from .pretrained import PretrainedMixin
from .push import push_folder
from .refs import WeightsRef, parse_ref
from .resolve import ResolvedWeights, resolve

__all__ = [
    "FORMAT_VERSION",
    "ModelConfig",
    "PretrainedMixin",
    "ResolvedWeights",
    "WeightsRef",
    "load",
    "load_state_strict",
    "parse_ref",
    "push_folder",
    "read_config",
    "register_embedded_weights",
    "resolve",
]

"""Feature extractors that work offline (registered by the built-in plugin)."""

from .module_adapter import ModuleExtractor
from .random_alexnet import RandomAlexNet
from .stats import DegradationStats

__all__ = ["DegradationStats", "ModuleExtractor", "RandomAlexNet"]

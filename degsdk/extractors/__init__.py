"""Feature extractors that work offline (registered by the built-in plugin)."""

from ._module_adapter import ModuleExtractor
from ._random_alexnet import RandomAlexNet
from ._stats import DegradationStats

__all__ = ["DegradationStats", "ModuleExtractor", "RandomAlexNet"]

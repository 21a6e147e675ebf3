"""degsdk-crafting: craft a training degradation distribution from a few reference images
(binned degradation space + Fréchet distance; Zhang et al., ICML 2023) as a degsdk plugin."""

from .command import craft_folders
from .craft import CraftResult, bin_features, craft, random_crops, reference_patches
from .distribution import BinnedDistribution
from .eq4 import bin_weights_from_distances, normalize_distances
from .heatmap import heatmap_image, save_heatmap, top_bins_table
from .space import Axis, DegradationSpace, default_space

__all__ = [
    "Axis", "BinnedDistribution", "CraftResult", "DegradationSpace", "bin_features",
    "bin_weights_from_distances", "craft", "craft_folders", "default_space", "heatmap_image",
    "normalize_distances", "random_crops", "reference_patches", "save_heatmap",
    "top_bins_table",
]

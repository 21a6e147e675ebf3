"""degsdk-interflow: InterFlow (Park et al., ICML 2023), real degradations at any zoom level
learned from aligned multi-level pairs with a constrained conditional flow, as a degsdk
plugin."""

from .calibrate import calibrate, kl_curve
from .data import MultiLevelSet, from_folders, from_level_pairs, from_realsr
from .densify import densify
from .level_map import blend_weight
from .losses import information_bottleneck, lr_consistency, training_losses
from .model import PRESETS, InterFlow
from .priors import LevelPriors
from .train import train_interflow

__all__ = ["PRESETS", "InterFlow", "LevelPriors", "MultiLevelSet", "blend_weight", "calibrate",
           "densify", "from_folders", "from_level_pairs", "from_realsr",
           "information_bottleneck", "kl_curve", "lr_consistency", "train_interflow",
           "training_losses"]

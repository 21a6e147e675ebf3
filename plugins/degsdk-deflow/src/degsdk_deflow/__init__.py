"""degsdk-deflow: DeFlow (Wolf et al., CVPR 2021), stochastic degradations learned from
unpaired clean and degraded images, as a degsdk plugin."""

from .condition import domain_invariant_condition
from .latent_shift import LatentShift
from .model import PRESETS, DeFlow
from .train import train_deflow
from .visualize import save_temperature_strip, temperature_strip

__all__ = ["PRESETS", "DeFlow", "LatentShift", "domain_invariant_condition",
           "save_temperature_strip", "temperature_strip", "train_deflow"]

"""degsdk-realdgen: RealDGen (Peng et al., ICLR 2025), realistic LR images from unpaired real LR
and HR images with a content/degradation-decoupled diffusion model, as a degsdk plugin."""

from .model import PRESETS, RealDGen

__all__ = ["PRESETS", "RealDGen"]

"""degsdk-dml: Degradation Model Learning (Xiao, Yong & Zhang, ACCV 2020) as a degsdk plugin.

A learned spatially varying blur: M basis kernels combined per pixel by weights that a
network predicts from the HR image, then sampling and optional AWGN."""

from .basis_blur import basis_blur, basis_blur_unfold
from .model import DML, DMLConfig
from .train import train_dml
from .visualize import kernels_image, save_visuals, weight_maps_image
from .weight_net import WeightNet

__version__ = "0.1.0"

__all__ = ["DML", "DMLConfig", "WeightNet", "basis_blur", "basis_blur_unfold",
           "kernels_image", "save_visuals", "train_dml", "weight_maps_image"]

"""Metrics: fidelity (PSNR, SSIM), distribution distances (Fréchet, high-frequency KL)."""

from ._fidelity import psnr, ssim
from ._frechet import frechet_distance
from ._hf_kl import hf_kl, residual_histograms

__all__ = ["frechet_distance", "hf_kl", "psnr", "residual_histograms", "ssim"]

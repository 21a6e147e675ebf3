"""Metrics: fidelity (PSNR, SSIM), distribution distances (Fréchet, high-frequency KL)."""

from .fidelity import psnr, ssim
from .frechet import frechet_distance
from .hf_kl import hf_kl, residual_histograms

__all__ = ["frechet_distance", "hf_kl", "psnr", "residual_histograms", "ssim"]

"""Baseline SR models and their trainer."""

from .models import Bicubic, SRResNetSmall
from .train import fit_sr, sr_trainer, train_sr

__all__ = ["Bicubic", "SRResNetSmall", "fit_sr", "sr_trainer", "train_sr"]

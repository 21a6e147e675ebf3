"""Baseline SR models and their trainer."""

from .models import Bicubic, SRResNetSmall
from .train import sr_trainer, train_sr

__all__ = ["Bicubic", "SRResNetSmall", "sr_trainer", "train_sr"]

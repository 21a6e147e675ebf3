"""Baseline SR models and their trainer."""

from ._models import Bicubic, SRResNetSmall
from ._settings import SRSettings
from ._train import SRTrainOptions, fit_sr, sr_trainer, train_sr, train_sr_on_tensors

__all__ = ["Bicubic", "SRResNetSmall", "SRSettings", "SRTrainOptions", "fit_sr", "sr_trainer",
           "train_sr", "train_sr_on_tensors"]

"""RealDGen's extractors as registered degsdk Extractors, so the Fréchet distance, ``degsdk
eval`` and crafting can use a learned degradation representation:

- ``realdgen_degradation``: E_deg, LR images (any size) → (N, deg_dim) degradation vectors;
- ``realdgen_content``: E_cont on LR images upsampled ×scale to HR size (the plugin's
  convention, :func:`~degsdk_realdgen.content.to_hr_grid`) → (N, cont_channels, h, w) content
  maps on the input's grid.

``weights``: a realdgen model folder or ref (default: the shipped ``realdgen/x4``); a model
from ``--stage extractors`` alone works too.
"""

from __future__ import annotations

import warnings

from torch import Tensor

import degsdk
from degsdk import ConfigError, Extractor

from .content import to_hr_grid
from .model import RealDGen

DEFAULT_WEIGHTS = "realdgen/x4"


def load_model(weights: str) -> RealDGen:
    """The realdgen model at ``weights`` (its DDPM may be untrained)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "realdgen: this model's DDPM is untrained")
        model = degsdk.load(weights)
    if not isinstance(model, RealDGen):
        raise ConfigError(f"{weights}: holds a {type(model).__name__}, not a realdgen model")
    if "extractors" not in model.cfg.trained_stages:
        raise ConfigError(f"{weights}: its extractors are untrained")
    return model.eval()


class RealDGenDegradation(Extractor):
    """E_deg of a realdgen model: N×3×h×w LR → (N, deg_dim)."""

    name = "realdgen_degradation"

    def __init__(self, weights: str = DEFAULT_WEIGHTS) -> None:
        super().__init__()
        self.weights = weights
        self.net = load_model(weights).e_deg
        self.dim = self.net.mapping[-1].out_channels

    def forward(self, images: Tensor) -> Tensor:
        return self.net(images)


class RealDGenContent(Extractor):
    """E_cont of a realdgen model on ×scale-upsampled LR: N×3×h×w → (N, C, h, w)."""

    name = "realdgen_content"

    def __init__(self, weights: str = DEFAULT_WEIGHTS) -> None:
        super().__init__()
        self.weights = weights
        model = load_model(weights)
        self.scale = model.cfg.scale
        self.net = model.e_cont
        self.dim = model.cfg.cont_channels

    def forward(self, images: Tensor) -> Tensor:
        return self.net(to_hr_grid(images, self.scale))

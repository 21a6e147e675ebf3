"""``module``: wrap any ``torch.nn.Module`` as an extractor (e.g. a pretrained VGG/AlexNet
from timm or torchvision that a user has locally).

``create_extractor("module", module=net, dim=4096)``: images are optionally resized
(``size``) and ImageNet-normalised (``normalize``), passed through ``module`` in eval mode
without gradients; a feature map (N, C, h, w) is averaged to (N, C).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._errors import ConfigError
from .._interfaces import Extractor
from ._random_alexnet import _MEAN, _STD


class ModuleExtractor(Extractor):
    name = "module"

    def __init__(self, module: nn.Module, dim: int, normalize: bool = True,
                 size: int | None = None) -> None:
        super().__init__()
        if not isinstance(module, nn.Module):
            raise ConfigError(f"module: expected a torch.nn.Module, got {type(module).__name__}")
        if dim < 1:
            raise ConfigError(f"module: dim must be ≥ 1, got {dim}")
        self.module = module.eval()
        self.dim = int(dim)
        self.normalize = normalize
        self.size = size
        self.register_buffer("mean", torch.tensor(_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(_STD).view(1, 3, 1, 1))

    def forward(self, images: Tensor) -> Tensor:
        x = images
        if self.size is not None:
            x = nn.functional.interpolate(x, size=(self.size, self.size), mode="bilinear",
                                          align_corners=False, antialias=True)
        if self.normalize:
            x = (x - self.mean) / self.std
        with torch.no_grad():
            y = self.module(x)
        if y.ndim == 4:
            y = y.mean(dim=(2, 3))
        y = y.flatten(1)
        if y.shape[1] != self.dim:
            raise ConfigError(f"module: the wrapped module gives {y.shape[1]} features, "
                              f"declared dim is {self.dim}")
        return y

"""Built-in degradation ops: functional tensor code and the degraders over it."""

from .blur import GaussianBlur, filter_separable, gaussian_blur2d, gaussian_kernel1d
from .jpeg import JPEG, jpeg_compress
from .noise import GaussianNoise, gaussian_noise
from .resize import Resize, resize

__all__ = [
    "JPEG",
    "GaussianBlur",
    "GaussianNoise",
    "Resize",
    "filter_separable",
    "gaussian_blur2d",
    "gaussian_kernel1d",
    "gaussian_noise",
    "jpeg_compress",
    "resize",
]

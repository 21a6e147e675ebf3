"""Built-in degradation ops: functional tensor code and the degraders over it.

Import this module for the classes and the functional forms; the degraders themselves are
registered through the ``builtin`` plugin and created by name with ``degsdk.create``.
"""

from ..filtering import filter2d, filter_separable, gaussian_kernel1d, mirror_pad
from .blur import GaussianBlur, KernelBlur, blur_with, gaussian_blur2d
from .bsrgan import BSRGAN, BSRGANPlus
from .camera import Camera, chromatic_aberration, depth_proxy, spatially_varying_blur
from .jpeg import JPEG, jpeg_compress
from .kernels import (
    MixedKernels,
    gaussian_kernel,
    generalized_gaussian_kernel,
    kernel_from_params,
    plateau_kernel,
    pulse_kernel,
    sinc_kernel,
)
from .noise import (
    CameraNoise,
    GaussianNoise,
    PoissonNoise,
    gaussian_noise,
    poisson_gaussian_noise,
    poisson_noise,
)
from .realesrgan import RealESRGAN
from .resize import RandomResize, Resize, resize
from .sharpen import USMSharpen, usm_sharpen

__all__ = [
    "BSRGAN",
    "JPEG",
    "BSRGANPlus",
    "Camera",
    "CameraNoise",
    "GaussianBlur",
    "GaussianNoise",
    "KernelBlur",
    "MixedKernels",
    "PoissonNoise",
    "RandomResize",
    "RealESRGAN",
    "Resize",
    "USMSharpen",
    "blur_with",
    "chromatic_aberration",
    "depth_proxy",
    "filter2d",
    "filter_separable",
    "gaussian_blur2d",
    "gaussian_kernel",
    "gaussian_kernel1d",
    "gaussian_noise",
    "generalized_gaussian_kernel",
    "jpeg_compress",
    "kernel_from_params",
    "mirror_pad",
    "plateau_kernel",
    "poisson_gaussian_noise",
    "poisson_noise",
    "pulse_kernel",
    "resize",
    "sinc_kernel",
    "spatially_varying_blur",
    "usm_sharpen",
]

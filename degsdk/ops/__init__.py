"""Classic degradation ops (public API): the functional tensor code and the degraders over it.

Functional forms (``resize``, ``gaussian_blur2d``, ``jpeg_compress``, ``mirror_pad``, …) take
float32 N×3×H×W in [0, 1] and per-sample parameters; plugins may use them. The degrader classes
are registered by the default ``builtin`` plugin and created by name with ``degsdk.create``.
"""

from .._filtering import filter2d, filter_separable, gaussian_kernel1d, mirror_pad
from .._luma import LUMA_WEIGHTS, luma
from ._bicubic import BicubicDown
from ._blur import GaussianBlur, KernelBlur, auto_kernel_size, blur_with, gaussian_blur2d
from ._box_blur import BoxBlur, box_kernel
from ._bsrgan import BSRGAN, BSRGANPlus
from ._calibrated_camera import CalibratedCamera
from ._camera import Camera, chromatic_aberration, depth_proxy, spatially_varying_blur
from ._channel_shift import ChannelShift, channel_shift
from ._chroma import ChromaSubsample, chroma_subsample
from ._colour import colour_transform, linear_to_srgb, srgb_slope, srgb_to_linear
from ._dither import DITHER_METHODS, Dither, bayer_matrix, dither
from ._dpid import DPID, dpid
from ._jpeg import JPEG, SUBSAMPLINGS, jpeg_compress
from ._kernels import (
    MixedKernels,
    gaussian_kernel,
    generalized_gaussian_kernel,
    kernel_from_params,
    plateau_kernel,
    pulse_kernel,
    sinc_kernel,
)
from ._lens_blur import LensBlur, disk_kernel
from ._median_blur import MedianBlur, median_filter
from ._mosaic import bayer_mosaic, demosaic
from ._motion_blur import MotionBlur, motion_kernel
from ._noise import (
    CameraNoise,
    GaussianNoise,
    PoissonNoise,
    gaussian_noise,
    poisson_gaussian_noise,
    poisson_noise,
    signal_dependent_noise,
)
from ._pixelate import Pixelate, pixelate
from ._realesrgan import RealESRGAN
from ._resample import FILTERS, Resample, resample
from ._resize import RandomResize, Resize, resize
from ._sharpen import USMSharpen, unsharp_mask, usm_sharpen
from ._unsharp import Unsharp
from ._video import VIDEO_CODECS, Video, video_compress
from ._webp import WebP, webp_compress

__all__ = [
    "BSRGAN",
    "DITHER_METHODS",
    "DPID",
    "FILTERS",
    "JPEG",
    "LUMA_WEIGHTS",
    "SUBSAMPLINGS",
    "VIDEO_CODECS",
    "BSRGANPlus",
    "BicubicDown",
    "BoxBlur",
    "CalibratedCamera",
    "Camera",
    "CameraNoise",
    "ChannelShift",
    "ChromaSubsample",
    "Dither",
    "GaussianBlur",
    "GaussianNoise",
    "KernelBlur",
    "LensBlur",
    "MedianBlur",
    "MixedKernels",
    "MotionBlur",
    "Pixelate",
    "PoissonNoise",
    "RandomResize",
    "RealESRGAN",
    "Resample",
    "Resize",
    "USMSharpen",
    "Unsharp",
    "Video",
    "WebP",
    "auto_kernel_size",
    "bayer_matrix",
    "bayer_mosaic",
    "blur_with",
    "box_kernel",
    "channel_shift",
    "chroma_subsample",
    "chromatic_aberration",
    "colour_transform",
    "demosaic",
    "depth_proxy",
    "disk_kernel",
    "dither",
    "dpid",
    "filter2d",
    "filter_separable",
    "gaussian_blur2d",
    "gaussian_kernel",
    "gaussian_kernel1d",
    "gaussian_noise",
    "generalized_gaussian_kernel",
    "jpeg_compress",
    "kernel_from_params",
    "linear_to_srgb",
    "luma",
    "median_filter",
    "mirror_pad",
    "motion_kernel",
    "pixelate",
    "plateau_kernel",
    "poisson_gaussian_noise",
    "poisson_noise",
    "pulse_kernel",
    "resample",
    "resize",
    "signal_dependent_noise",
    "sinc_kernel",
    "spatially_varying_blur",
    "srgb_slope",
    "srgb_to_linear",
    "unsharp_mask",
    "usm_sharpen",
    "video_compress",
    "webp_compress",
]

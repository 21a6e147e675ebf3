"""Camera calibration: measure a real camera's optics, colour, sensor noise and codec, and hand
it back as a ``calibrated_camera`` degrader (``degsdk calibrate``, and the ``camera`` fitter of
``degsdk fit``). The pieces are public for fitters that model part of a camera themselves: the
noise-level function (``measure_nlf``), the noise fit by analysis by synthesis
(``fit_noise``), the pairs' least-squares optics (``fit_optics``), edge widths and the
unpaired PSF fit, and the codec read from JPEG files."""

from ._calibrate import Calibration, calibrate, fit_sensor, sensor_config
from ._data import centre_crop, load_images, load_pairs, pair_scale
from ._edges import EdgeWidths, edge_widths
from ._jpeg_files import JPEGFiles, file_jpeg_settings, read_jpeg_settings
from ._nlf import NLF, measure_nlf, robust_std
from ._noise_fit import NoiseFit, fit_noise, model_std
from ._optics_pairs import OpticsFit, fit_optics, gaussian_psf
from ._optics_unpaired import EdgeFit, fit_psf_from_edges
from ._options import CalibrateOptions, run_calibration
from ._report import write_calibration

__all__ = [
    "NLF",
    "CalibrateOptions",
    "Calibration",
    "EdgeFit",
    "EdgeWidths",
    "JPEGFiles",
    "NoiseFit",
    "OpticsFit",
    "calibrate",
    "centre_crop",
    "edge_widths",
    "file_jpeg_settings",
    "fit_noise",
    "fit_optics",
    "fit_psf_from_edges",
    "fit_sensor",
    "gaussian_psf",
    "load_images",
    "load_pairs",
    "measure_nlf",
    "model_std",
    "pair_scale",
    "read_jpeg_settings",
    "robust_std",
    "run_calibration",
    "sensor_config",
    "write_calibration",
]

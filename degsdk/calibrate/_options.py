"""``CalibrateOptions`` and ``run_calibration``: what ``degsdk calibrate`` takes and does."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pydantic

from .._options import Options
from .._threads import use_threads
from ._calibrate import Calibration, calibrate
from ._data import MAX_IMAGES, MAX_SIDE
from ._report import write_calibration


class CalibrateOptions(Options):
    """Options of ``degsdk calibrate``."""

    out: Path = pydantic.Field(description="output folder (camera.yaml, calibration.json, "
                               "nlf.png, report.md)")
    pairs: Path | None = pydantic.Field(None, description="aligned HR/LR pairs of the camera "
                                        "(hr/ + lr/): PSF, colour, sharpening, noise, JPEG")
    real_lr: Path | None = pydantic.Field(None, description="the camera's photos alone: PSF, "
                                          "noise and JPEG (needs --clean-hr and --scale)")
    clean_hr: Path | None = pydantic.Field(None, description="clean HR of similar scenes, "
                                           "degraded by the model to compare with --real-lr")
    scale: int | None = pydantic.Field(None, ge=1, le=8, description="HR size / LR size "
                                       "(default with --pairs: theirs)")
    sensor_space: Literal["auto", "linear", "srgb"] = pydantic.Field(
        "auto", description="where the noise acts: linear light, sRGB values, or fit both "
        "and keep the better")
    sharpen: bool = pydantic.Field(True, description="try the ISP's sharpening (pairs)")
    max_images: int = pydantic.Field(MAX_IMAGES, ge=1, le=1000, description="images measured")
    side: int = pydantic.Field(MAX_SIDE, ge=32, le=4096, description="LR pixels a side of "
                               "the centre crop measured per image")
    seed: int = pydantic.Field(0, ge=0, description="seed of the noise simulated to check the "
                               "fitted camera")
    progress: bool = pydantic.Field(True, description="show a progress bar")
    threads: int | None = pydantic.Field(None, ge=1, description="torch CPU threads")


def run_calibration(options: CalibrateOptions | None = None, /, **fields: Any
                    ) -> Calibration:
    """Calibrate (``calibrate``) and write the results into ``out``."""
    o = CalibrateOptions.of(options, **fields)
    with use_threads(o.threads):
        cal = calibrate(o.pairs, o.real_lr, o.clean_hr, o.scale, sensor_space=o.sensor_space,
                        sharpen=o.sharpen, max_images=o.max_images, side=o.side, seed=o.seed,
                        progress=o.progress)
    write_calibration(cal, Path(o.out))
    return cal

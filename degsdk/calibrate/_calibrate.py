"""``calibrate``: measure a real camera and hand it back as a ``calibrated_camera``.

From **aligned pairs** (the HR and the camera's LR of the same scenes):

1. the codec — JPEG quality and chroma subsampling — read from the LR files;
2. PSF, resampler, colour response and sharpening by least squares on the pairs
   (:mod:`._optics_pairs`), with a nuisance sub-pixel shift;
3. the sensor noise (Poisson–Gaussian per channel) by matching the noise-level functions (fine
   and coarse) of the real LR's residual against the noise-free model output with those of
   simulated LR — the model's output with the noise, sharpening and the same JPEG — measured
   the same way (:mod:`._noise_fit`); in linear light and in sRGB values, the better kept;
4. the PSF corrected for what noise and the codec do to its least-squares fit (a JPEG's loss of
   fine detail reads as blur): the camera so far makes LR from the same HR, the PSF is fitted to
   them as to the real LR, and the difference is taken off; the noise is then refitted.

From **real LR alone** (with clean HR of similar scenes, for the model to degrade): the codec
from the files; the PSF by matching the edge widths per orientation of LR made from the clean
HR to the real LR's (:mod:`._optics_unpaired`), and the noise — one law for all channels — by
matching their noise-level functions, alternately, twice. Colour and sharpening cannot be told
from unpaired images and are left out.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor
from tqdm import tqdm

from .._errors import ConfigError
from ..io import list_images
from ..metrics import hf_kl
from ..ops import CalibratedCamera, colour_transform, filter2d, resize, unsharp_mask
from ..seeding import Stream, derive_seed
from ._data import MAX_IMAGES, MAX_SIDE, load_images, load_pairs, pair_scale
from ._edges import EdgeWidths, edge_widths
from ._jpeg_files import JPEGFiles, read_jpeg_settings
from ._nlf import NLF, measure_nlf
from ._noise_fit import NoiseFit, SensorSpace, fit_noise
from ._optics_pairs import OpticsFit, fit_optics, gaussian_psf
from ._optics_unpaired import EdgeFit, fit_psf_from_edges

SpaceChoice = Literal["auto", "linear", "srgb"]
PSF_CORRECTION_MIN = 0.01  # a relative PSF correction below this does not refit the noise
MIN_SIDE = 32  # LR pixels: smaller images leave too few flat places to measure noise in


@dataclass
class Calibration:
    """A calibrated camera: ``params`` of ``calibrated_camera`` and how they were measured.

    ``mode``: ``pairs`` or ``real_lr``; ``optics`` (pairs) or ``edges`` (real LR) — the PSF
    fit; ``noise``: the kept noise fit, ``noise_fits`` every sensor space tried; ``jpeg``: the
    codec read from the files (None: not JPEGs); ``hf_kl``: KL divergence of the residual
    histograms of the real LR and of LR the camera makes from the same (pairs) or the clean
    (real LR) HR; ``seconds`` per stage."""

    params: dict[str, Any]
    mode: str
    scale: int
    images: int
    jpeg: JPEGFiles | None
    noise: NoiseFit
    noise_fits: dict[str, NoiseFit]
    optics: OpticsFit | None = None
    edges: EdgeFit | None = None
    psf_correction: dict[str, float] = field(default_factory=dict)
    hf_kl: float | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def config(self) -> dict[str, Any]:
        """The degrader config, ``{name: calibrated_camera, params}``."""
        return {"name": CalibratedCamera.name, "params": self.params}

    def degrader(self) -> CalibratedCamera:
        return CalibratedCamera(**self.params)

    def summary(self) -> dict[str, Any]:
        """The fitted values, JSON-ready (what the report and ``degsdk fit`` show)."""
        psf = self.params.get("psf") or {}
        out: dict[str, Any] = {
            "mode": self.mode, "scale": self.scale, "images": self.images,
            "psf": {k: psf.get(k) for k in ("sigma_x", "sigma_y", "theta")} if psf else None,
            "downsample": self.params.get("downsample"),
            "colour": self.params.get("colour"), "sharpen": self.params.get("sharpen"),
            "noise": {"space": self.noise.space,
                      "shot": [round(v, 7) for v in self.noise.shot],
                      "read": [round(v, 4) for v in self.noise.read],
                      "nlf_error": round(self.noise.error, 4),
                      "nlf_score": round(self.noise.score, 4),
                      "channel_response": [round(v, 3) for v in self.noise.response],
                      "coarse_nlf_used": self.noise.measures > 1},
            "noise_spaces": {s: {"nlf_error": round(f.error, 4), "nlf_score": round(f.score, 4)}
                             for s, f in self.noise_fits.items()},
            "jpeg": None if self.jpeg is None else {
                "quality": self.jpeg.quality, "subsampling": self.jpeg.subsampling,
                "files": self.jpeg.files, "of": self.jpeg.total,
                "standard_tables": self.jpeg.exact},
            "hf_kl": None if self.hf_kl is None else round(self.hf_kl, 5),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }
        if self.optics is not None:
            out["pairs_fit"] = {"mse_255": round(self.optics.mse * 255**2, 4),
                                "shift_hr_px": [round(v, 3) for v in self.optics.shift],
                                "psf_correction": self.psf_correction,
                                "tried": {k: round(v * 255**2, 4)
                                          for k, v in self.optics.tried.items()}}
        if self.edges is not None:
            out["edges"] = {"real": self.edges.real.to_dict(),
                            "simulated": self.edges.simulated.to_dict(),
                            "isotropic": self.edges.isotropic,
                            "chi2": round(self.edges.chi2, 3),
                            "sigma_se": round(self.edges.sigma_se, 3)}
        return out


class _Stages:
    """Progress over the named stages of one calibration, with the time each took."""

    def __init__(self, names: Sequence[str], progress: bool) -> None:
        self.bar = tqdm(total=len(names), desc="calibrate", unit="stage",
                        disable=None if progress else True)
        self.seconds: dict[str, float] = {}
        self._t = time.perf_counter()
        self._total = self._t

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = now - self._t
        self._t = now
        self.bar.set_postfix_str(name)
        self.bar.update()

    def close(self) -> None:
        self.seconds["total"] = time.perf_counter() - self._total
        self.bar.close()


def _spaces(choice: SpaceChoice) -> tuple[SensorSpace, ...]:
    return ("linear", "srgb") if choice == "auto" else (choice,)


def _codec_params(jpeg: JPEGFiles | None) -> dict[str, Any]:
    if jpeg is None:
        return {"jpeg": None}
    return {"jpeg": {"quality": jpeg.quality, "subsampling": jpeg.subsampling}}


def _sensor_camera(space: SensorSpace, shot: Sequence[float], read: Sequence[float],
                   sharpen: dict[str, Any] | None, jpeg: JPEGFiles | None) -> CalibratedCamera:
    """The camera's stages after the optics (sensor, sharpening, codec)."""
    return CalibratedCamera(sensor_space=space, noise={"shot": list(shot), "read": list(read)},
                            sharpen=sharpen, **_codec_params(jpeg))


def _finish(cam: CalibratedCamera, pre: Sequence[Tensor], seed: int) -> list[Tensor]:
    """Sensor, sharpening and codec of ``cam`` on each noise-free LR (one seed per image,
    the same at every call: the fits compare like with like)."""
    c = cam.cfg
    out = []
    for i, x in enumerate(pre):
        p = {"seed": derive_seed(seed, i),
             "sharpen": c.sharpen.amount[0] if c.sharpen is not None else None,
             "jpeg": c.jpeg.quality[0] if c.jpeg is not None else None}
        out.append(cam.isp(cam.sensor(x[None], [p["seed"]]), [p])[0])
    return out


def _nlfs(images: Sequence[Tensor], refs: Sequence[Tensor] | None) -> list[NLF]:
    """The NLFs fitted to: fine and coarse with references, fine alone without."""
    fine = measure_nlf(images, refs)
    return [fine, measure_nlf(images, refs, scale="coarse")] if refs is not None else [fine]


def _fit_spaces(real: list[NLF], pre: Sequence[Tensor], refs: Sequence[Tensor] | None,
                sharpen: dict[str, Any] | None, jpeg: JPEGFiles | None,
                spaces: Sequence[SensorSpace], seed: int) -> dict[str, NoiseFit]:
    fits = {}
    for space in spaces:
        def simulate(shot: list[float], read: list[float], space: SensorSpace = space
                     ) -> list[NLF]:
            cam = _sensor_camera(space, shot, read, sharpen, jpeg)
            return _nlfs(_finish(cam, pre, seed), refs)
        # without pairs one noise law for all channels: the clean HR's colours differ from the
        # real scenes', and per channel that difference would be read as noise
        fits[space] = fit_noise(real, simulate, space, per_channel=refs is not None)
    return fits


def fit_sensor(pre: Sequence[Tensor], real: Sequence[Tensor], *, paired: bool,
               jpeg: JPEGFiles | None, sensor_space: SpaceChoice = "auto", seed: int = 0
               ) -> tuple[NoiseFit, dict[str, NoiseFit]]:
    """The sensor noise of a camera whose noise-free LR a model predicts, for a method that
    models the rest itself (DML's learned blur, a bicubic level): ``pre`` are the model's
    noise-free LR (3×h×w), ``real`` the camera's LR — the same scenes aligned when
    ``paired`` (each ``pre[i]`` is the noise-free ``real[i]``), else any scenes — and ``jpeg``
    the codec read from the camera's files. Returns the kept fit and the fit of every sensor
    space tried; :func:`sensor_config` makes the stage to append to the model."""
    refs = list(pre) if paired else None
    fits = _fit_spaces(_nlfs(real, refs), pre, refs, None, jpeg, _spaces(sensor_space), seed)
    return min(fits.values(), key=lambda f: f.score), fits


def sensor_config(noise: NoiseFit, jpeg: JPEGFiles | None) -> dict[str, Any]:
    """A ``calibrated_camera`` config of the sensor and codec alone (scale 1, no optics): the
    noise ``noise`` fitted, then the JPEG read from the files (or 8-bit rounding)."""
    return {"name": CalibratedCamera.name, "params": {
        "sensor_space": noise.space, "noise": {"shot": [round(v, 7) for v in noise.shot],
                                               "read": [round(v, 4) for v in noise.read]},
        **_codec_params(jpeg)}}


def _render(hrs: Sequence[Tensor], fit: OpticsFit, scale: int, sigma: tuple[float, float],
            sharpen: bool) -> list[Tensor]:
    """The noise-free LR of the fitted optics (nuisance shift included) for each HR; before
    the ISP's sharpening unless ``sharpen``."""
    sx, sy = sigma
    size = 2 * math.ceil(3 * max(sx, sy) + max(map(abs, fit.shift))) + 1
    kernel = gaussian_psf(size, torch.tensor(sx, dtype=torch.float64),
                          torch.tensor(sy, dtype=torch.float64),
                          torch.tensor(fit.theta, dtype=torch.float64), *fit.shift).float()
    out = []
    for hr in hrs:
        x = filter2d(hr[None], kernel)
        if scale > 1:
            x = resize(x, (hr.shape[-2] // scale, hr.shape[-1] // scale), fit.downsample)
        x = colour_transform(x, fit.matrix, fit.offset)
        if sharpen and fit.sharpen is not None:
            x = unsharp_mask(x, torch.tensor([fit.sharpen[0]]), fit.sharpen[1]).clamp(0, 1)
        out.append(x[0])
    return out


def _check_sizes(images: Sequence[Tensor], files: Sequence[Path], what: str) -> None:
    small = [f.name for x, f in zip(images, files, strict=True) if min(x.shape[-2:]) < MIN_SIDE]
    if small:
        raise ConfigError(f"{what}: images smaller than {MIN_SIDE} LR pixels a side cannot be "
                          f"calibrated on (too few flat places to measure noise): "
                          f"{', '.join(small[:5])}")


def _from_pairs(pairs: Path, real_lr: Path | None, spaces: Sequence[SensorSpace],
                sharpen: bool, max_images: int, side: int, seed: int, progress: bool
                ) -> Calibration:
    stages = _Stages(["codec", "optics", "noise", "psf correction", "noise again"], progress)
    hrs, lrs, files, k = load_pairs(pairs, max_images, side)
    _check_sizes(lrs, files, "--pairs")
    extra = list_images([real_lr]) if real_lr is not None else []
    jpeg = read_jpeg_settings(list(files) + extra)
    stages.done("codec")
    optics = fit_optics(hrs, lrs, k, sharpen=sharpen)
    stages.done("optics")
    sharp = None if optics.sharpen is None else {
        "amount": round(optics.sharpen[0], 4), "sigma": round(optics.sharpen[1], 4)}

    def noise_for(sigma: tuple[float, float]) -> tuple[dict[str, NoiseFit], list[Tensor]]:
        pre = _render(hrs, optics, k, sigma, sharpen=False)
        refs = _render(hrs, optics, k, sigma, sharpen=True) if sharp else pre
        return _fit_spaces(_nlfs(lrs, refs), pre, refs, sharp, jpeg, spaces, seed), pre

    sigma = (optics.sigma_x, optics.sigma_y)
    fits, pre = noise_for(sigma)
    best = min(fits.values(), key=lambda f: f.score)
    stages.done("noise")
    # what noise and the codec do to a least-squares PSF, measured on the camera so far
    cam = _sensor_camera(best.space, best.shot, best.read, sharp, jpeg)
    simulated = _finish(cam, pre, derive_seed(seed, 0, Stream.CALIBRATE_SIMULATION))
    again = fit_optics(hrs, simulated, k, sharpen=False, start=optics)
    corrected = tuple(max(0.15, 2 * s - a) for s, a in
                      zip(sigma, (again.sigma_x, again.sigma_y), strict=True))
    correction = {"sigma_x": round(corrected[0] - sigma[0], 4),
                  "sigma_y": round(corrected[1] - sigma[1], 4)}
    stages.done("psf correction")
    if max(abs(c - s) / s for c, s in zip(corrected, sigma, strict=True)) \
            > PSF_CORRECTION_MIN:
        fits, pre = noise_for((corrected[0], corrected[1]))
        best = min(fits.values(), key=lambda f: f.score)
    stages.done("noise again")
    params: dict[str, Any] = {"scale": k, **optics.camera_params(), "sensor_space": best.space,
                              "noise": {"shot": [round(v, 7) for v in best.shot],
                                        "read": [round(v, 4) for v in best.read]},
                              **_codec_params(jpeg)}
    params["psf"]["sigma_x"], params["psf"]["sigma_y"] = (round(v, 4) for v in corrected)
    cam = CalibratedCamera(**{**params, "psf": {**params["psf"]}})
    made = [cam(h[None], seed=seed, indices=[i]).lr[0] for i, h in enumerate(hrs)]
    stages.close()
    return Calibration(params, "pairs", k, len(hrs), jpeg, best, fits, optics=optics,
                       psf_correction=correction, hf_kl=hf_kl(lrs, made),
                       seconds=stages.seconds)


def _from_real_lr(real_lr: Path, clean_hr: Path, k: int, spaces: Sequence[SensorSpace],
                  max_images: int, side: int, seed: int, progress: bool) -> Calibration:
    stages = _Stages(["codec", "psf", "noise", "psf again", "noise again"], progress)
    real, files = load_images(real_lr, max_images, side)
    _check_sizes(real, files, "--real-lr")
    clean, clean_files = load_images(clean_hr, max_images, side * k, multiple=k)
    _check_sizes([x[:, ::k, ::k] for x in clean], clean_files, f"--clean-hr (÷ scale {k})")
    # each clean HR also turned by 90°: the simulated edges then have no preferred direction
    clean = clean + [x.transpose(-1, -2).flip(-1) for x in clean]
    jpeg = read_jpeg_settings(files)
    stages.done("codec")
    real_nlf = _nlfs(real, None)
    real_edges = edge_widths(real)

    def optics(psf: tuple[float, float, float]) -> list[Tensor]:
        cam = CalibratedCamera(scale=k, psf={"sigma_x": psf[0], "sigma_y": psf[1],
                                             "theta": psf[2]})
        params = [{"psf": list(psf), "sharpen": None, "seed": None, "jpeg": None}]
        return [cam.optics(x[None], params)[0] for x in clean]

    def edges_with(noise: NoiseFit | None) -> Callable[[float, float, float], EdgeWidths]:
        def simulate(sx: float, sy: float, th: float) -> EdgeWidths:
            pre = optics((sx, sy, th))
            if noise is None:
                cam = CalibratedCamera(**_codec_params(jpeg))
            else:
                cam = _sensor_camera(noise.space, noise.shot, noise.read, None, jpeg)
            return edge_widths(_finish(cam, pre, seed))
        return simulate

    edges = fit_psf_from_edges(real_edges, edges_with(None), k, start_sigma=0.5 * k)
    stages.done("psf")
    fits = _fit_spaces(real_nlf, optics((edges.sigma_x, edges.sigma_y, edges.theta)), None,
                       None, jpeg, spaces, seed)
    best = min(fits.values(), key=lambda f: f.score)
    stages.done("noise")
    edges = fit_psf_from_edges(real_edges, edges_with(best), k,
                               start_sigma=math.sqrt(edges.sigma_x * edges.sigma_y))
    stages.done("psf again")
    pre = optics((edges.sigma_x, edges.sigma_y, edges.theta))
    fits = _fit_spaces(real_nlf, pre, None, None, jpeg, spaces, seed)
    best = min(fits.values(), key=lambda f: f.score)
    stages.done("noise again")
    params: dict[str, Any] = {
        "scale": k, "downsample": "bicubic",
        "psf": {"type": "gaussian", "sigma_x": round(edges.sigma_x, 4),
                "sigma_y": round(edges.sigma_y, 4), "theta": round(edges.theta, 4)},
        "sensor_space": best.space,
        "noise": {"shot": [round(v, 7) for v in best.shot],
                  "read": [round(v, 4) for v in best.read]},
        **_codec_params(jpeg)}
    made = _finish(_sensor_camera(best.space, best.shot, best.read, None, jpeg), pre, seed)
    stages.close()
    return Calibration(params, "real_lr", k, len(real), jpeg, best, fits, edges=edges,
                       hf_kl=hf_kl(real, made), seconds=stages.seconds)


def calibrate(pairs: str | os.PathLike[str] | None = None,
              real_lr: str | os.PathLike[str] | None = None,
              clean_hr: str | os.PathLike[str] | None = None, scale: int | None = None, *,
              sensor_space: SpaceChoice = "auto", sharpen: bool = True,
              max_images: int = MAX_IMAGES, side: int = MAX_SIDE, seed: int = 0,
              progress: bool = False) -> Calibration:
    """Measure a camera (module doc): from aligned ``pairs`` (a folder with ``hr/`` and
    ``lr/``), else from ``real_lr`` with ``clean_hr`` and ``scale``. ``sensor_space``: where
    the noise acts (``auto`` fits linear light and sRGB and keeps the better); ``sharpen``:
    try the ISP's sharpening (pairs); at most ``max_images`` images, centre crops of at most
    ``side`` LR pixels a side."""
    spaces = _spaces(sensor_space)
    if pairs is not None:
        k = pair_scale(pairs)
        if scale is not None and scale != k:
            raise ConfigError(f"--pairs {pairs}: the pairs are ×{k}, but --scale is {scale}; "
                              "calibrate from pairs at the scale you want, or from --real-lr")
        return _from_pairs(Path(pairs), Path(real_lr) if real_lr else None, spaces, sharpen,
                           max_images, side, seed, progress)
    if real_lr is None or clean_hr is None:
        raise ConfigError("calibrate: give --pairs (aligned HR/LR of the camera), or --real-lr "
                          "with --clean-hr and --scale")
    if scale is None:
        raise ConfigError("calibrate: --scale is needed with --real-lr (HR size / LR size of "
                          "the pairs the camera should make)")
    return _from_real_lr(Path(real_lr), Path(clean_hr), scale, spaces, max_images, side, seed,
                         progress)

"""The downstream evaluation protocol behind ``degsdk eval``.

For each degrader, with the same seed and budget:

1. **train pairs** — every clean HR image is degraded ``copies`` times (sample indices
   ``i·copies + c``, seed ``seed``), LR rounded to 8 bits as if written to PNG;
2. **SR** — ``srresnet_small`` is trained on those pairs (``train_sr_on_tensors``: the same
   initialisation and patch positions for every degrader) and run on the real test LR;
   PSNR/SSIM against the real test HR (Y channel and a border of ``scale`` pixels by default);
3. **realism** — the degrader is applied to the test HR (seed
   ``derive_seed(seed, 0, Stream.EVAL_TEST)``), and the generated LR is compared with the
   reference LR (``--real-lr`` if given, else the test LR): the squared Fréchet distance of patch
   features for each extractor, HF-KL, and,
   when the test set is aligned, PSNR/SSIM between generated and real test LR.

Bicubic interpolation of the real test LR (no training) is reported as the baseline.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic
import torch
from torch import Tensor

from .._components import create_extractor, create_sr_model
from .._errors import ConfigError, PairingError
from .._interfaces import Degrader, SRModel
from ..io import find_pairs, list_images, read_image
from ..metrics import frechet_distance, hf_kl, psnr, ssim
from ..seeding import Stream, derive_seed
from ..sr import SRSettings, train_sr_on_tensors
from ._degrader_spec import DegraderEntry, parse_degrader_spec
from ._patch_features import patch_features


class EvalSettings(SRSettings):
    """Options of the protocol (``degsdk eval`` flags of the same names): the SR settings
    (``degsdk.sr.SRSettings``: steps, batch size, patch, lr, channels, blocks) and the rest;
    ``EvalSettings.of`` raises a ``ConfigError`` naming the bad flag."""

    seed: int = pydantic.Field(default=0, ge=0, description="seed of the degraders' draws, the SR "
                              "model's initialisation and its training crops")
    copies: int = pydantic.Field(default=2, ge=1, description="degraded copies per clean HR")
    max_seconds: float | None = pydantic.Field(default=None, gt=0,
                                               description="time limit per SR model")
    extractors: list[str] = pydantic.Field(
        default_factory=lambda: ["degradation_stats", "alexnet_random"],
        description="feature extractor for the Fréchet distance (repeatable)",
        json_schema_extra={"deprecated_flags": ["--extractor"]})
    feature_patch: int = pydantic.Field(default=64, ge=16, description="LR feature patch side")
    y_channel: bool = pydantic.Field(default=True, description="PSNR/SSIM on the Y channel "
                                     "(else RGB)",
                                     json_schema_extra={"deprecated_flags": ["--rgb"],
                                                        "off_help": "PSNR/SSIM on RGB instead "
                                                        "of the Y channel"})
    crop_border: int | None = pydantic.Field(default=None, ge=0, description="border cropped "
                                             "for PSNR/SSIM (default: the scale)")
    aligned: bool = pydantic.Field(default=True, description="the test LR is registered to "
                                   "its HR (else PSNR/SSIM between generated and real LR are "
                                   "skipped)",
                                   json_schema_extra={"deprecated_flags": ["--unaligned"],
                                                      "off_help": "the test LR is not "
                                                      "registered to its HR: skip PSNR/SSIM "
                                                      "between generated and real LR"})
    crop_size: int = pydantic.Field(default=128, ge=8,
                                    description="HR side of the crops in crops.png")
    save_models: bool = pydantic.Field(default=True, description="save the SR models",
                                       json_schema_extra={"deprecated_flags": ["--no-models"]})
    threads: int | None = pydantic.Field(default=None, ge=1, description="torch CPU threads "
                                         "(default: the cores not busy now, or "
                                         "$DEGSDK_THREADS)")


class EvalOptions(EvalSettings):
    """What ``degsdk eval`` takes: the degraders, the data, the report folder and the
    protocol's settings (one flag per field)."""

    degrader: list[str] = pydantic.Field(min_length=1, description="[LABEL=]SPEC: registered "
                                         "NAME[:KEY=VALUE...], recipe or config file, or "
                                         "weights ref; repeat for each degrader")
    clean_hr: Path = pydantic.Field(
        description="folder of clean HR images to make the training pairs from (the same "
        "flag as degsdk fit's)", json_schema_extra={"deprecated_names": ["train_hr"]})
    test: Path = pydantic.Field(description="real pairs folder (hr/ + lr/)")
    real_lr: Path | None = pydantic.Field(None, description="reference real LR folder for "
                                          "Fréchet/HF-KL (default: the test lr/)")
    out: Path = pydantic.Field(description="report folder")
    overwrite: bool = pydantic.Field(False, description="replace the report in a non-empty "
                                     "--out (default: refuse it)")

    def settings(self) -> EvalSettings:
        """The protocol's settings alone."""
        return EvalSettings.of(**self.model_dump(include=set(EvalSettings.model_fields)))


def _quantize8(x: Tensor) -> Tensor:
    return (x.clamp(0, 1) * 255).round() / 255


def _crop_to(x: Tensor, m: int) -> Tensor:
    h, w = x.shape[-2:]
    return x[..., : h - h % m, : w - w % m]


def folder_name(label: str) -> str:
    """A file-system-safe folder name for a label."""
    return re.sub(r"[^\w.+-]", "_", label)


class _Data:
    """The test pairs, clean HR and reference LR, cropped to what the SR model needs."""

    def __init__(self, clean_hr: Path | None, test: Path, real_lr: Path | None,
                 settings: EvalSettings) -> None:
        try:
            pairs = find_pairs(test)
        except PairingError as exc:
            raise PairingError(f"--test {exc}") from None
        first_hr, first_lr = read_image(pairs[0].hr), read_image(pairs[0].lr)
        self.scale = first_hr.shape[-1] // first_lr.shape[-1]
        # scale 1 works at half resolution (pixel-unshuffle): LR sides must be even
        lr_m = 2 if self.scale == 1 else 1
        self.names = [p.name for p in pairs]
        self.test_lr = [_crop_to(read_image(p.lr), lr_m) for p in pairs]
        self.test_hr = [read_image(p.hr)[:, : x.shape[-2] * self.scale,
                                         : x.shape[-1] * self.scale]
                        for p, x in zip(pairs, self.test_lr, strict=True)]
        self.lr_multiple = lr_m
        files = list_images([clean_hr]) if clean_hr is not None else []
        self.clean_hr = [_crop_to(read_image(f), lr_m * self.scale) for f in files]
        need = settings.patch * self.scale
        small = [f.name for f, x in zip(files, self.clean_hr, strict=True)
                 if min(x.shape[-2:]) < need]
        if small:
            raise ConfigError(f"--clean-hr {clean_hr}: images smaller than the training patch "
                              f"({settings.patch} LR px = {need} HR px): {', '.join(small)}")
        self.ref_lr = ([read_image(f) for f in list_images([real_lr])]
                       if real_lr is not None else self.test_lr)
        smallest = min(min(x.shape[-2:]) for x in self.ref_lr + self.test_lr)
        self.feature_patch = min(settings.feature_patch, smallest)


def _degrade_all(deg: Degrader, images: Sequence[Tensor], seed: int, copies: int = 1
                 ) -> list[Tensor]:
    return [_quantize8(deg(hr[None], seed=seed, indices=[i * copies + c]).lr[0])
            for i, hr in enumerate(images) for c in range(copies)]


def _fidelity(outs: Sequence[Tensor], refs: Sequence[Tensor], border: int, y: bool
              ) -> tuple[float, float, list[float], list[float]]:
    p = [float(psnr(o, r, crop_border=border, y_channel=y)) for o, r in zip(outs, refs,
                                                                          strict=True)]
    s = [float(ssim(o, r, crop_border=border, y_channel=y)) for o, r in zip(outs, refs,
                                                                          strict=True)]
    return sum(p) / len(p), sum(s) / len(s), p, s


def _sharpest_crop(hr: Tensor, lr: Tensor, scale: int, size: int) -> tuple[int, int, int]:
    """(top, left, size) in LR pixels of the crop with the most HR gradient energy."""
    size = min(size, *lr.shape[-2:])
    y = hr.mean(0)
    energy = (y[:, 1:] - y[:, :-1]).abs()[:-1] + (y[1:] - y[:-1]).abs()[:, :-1]
    e = torch.nn.functional.avg_pool2d(energy[None, None], scale)[0, 0]
    best, where = -1.0, (0, 0)
    step = max(1, size // 2)
    for t in range(0, lr.shape[-2] - size + 1, step):
        for s in range(0, lr.shape[-1] - size + 1, step):
            v = float(e[t : t + size, s : s + size].sum())
            if v > best:
                best, where = v, (t, s)
    return where[0], where[1], size


def _train_and_test(train_hr: Sequence[Tensor], train_lr: Sequence[Tensor], data: _Data,
                    cfg: EvalSettings, progress: bool, desc: str
                    ) -> tuple[SRModel, int, list[Tensor]]:
    """Train the protocol's SR model on (``train_hr``, ``train_lr``) pairs; returns it, the
    steps it ran and its SR of every test LR."""
    model, done = train_sr_on_tensors(
        train_hr, train_lr, scale=data.scale, steps=cfg.steps, batch_size=cfg.batch_size,
        patch=cfg.patch, lr=cfg.lr, seed=cfg.seed, channels=cfg.channels, blocks=cfg.blocks,
        max_seconds=cfg.max_seconds, progress=progress, desc=desc)
    with torch.no_grad():
        sr = [model(x[None])[0].clamp(0, 1) for x in data.test_lr]
    return model, done, sr


def evaluate(degraders: Sequence[str | DegraderEntry], clean_hr: str | Path,
             test: str | Path, real_lr: str | Path | None = None,
             settings: EvalSettings | None = None, models_dir: Path | None = None,
             progress: bool = True, test_lr_metrics: bool = True) -> dict[str, Any]:
    """Run the protocol (module doc) and return the report as a JSON-ready dict; the
    report's pictures' tensors are under the key ``"_crops"`` (dropped by ``write_report``).
    Trained SR models are saved to ``models_dir/<label>`` when given. ``test_lr_metrics``
    False skips degrading the test HR (LR fidelity, Fréchet and HF-KL are then None; the
    crop picture's generated LR comes from the crop alone): the SR scores at less cost."""
    cfg = settings or EvalSettings()
    t_start = time.perf_counter()
    data = _Data(Path(clean_hr), Path(test), Path(real_lr) if real_lr else None, cfg)
    k = data.scale
    entries = [d if isinstance(d, DegraderEntry) else parse_degrader_spec(d, k)
               for d in degraders]
    if not entries:
        raise ConfigError("eval: give at least one --degrader")
    labels = [e.label for e in entries]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise ConfigError(f"eval: degrader labels must differ; repeated: {', '.join(dup)} "
                          "(name them with LABEL=SPEC)")
    extractors = {name: create_extractor(name) for name in cfg.extractors}
    border = k if cfg.crop_border is None else cfg.crop_border
    y = cfg.y_channel
    ref_feats = {n: patch_features(e, data.ref_lr, data.feature_patch)
                 for n, e in extractors.items()}

    bicubic = create_sr_model("bicubic", scale=k)
    with torch.no_grad():
        base_sr = [bicubic(x[None])[0] for x in data.test_lr]
    bp, bs, bpi, bsi = _fidelity(base_sr, data.test_hr, border, y)
    ct, cl, cs = _sharpest_crop(data.test_hr[0], data.test_lr[0], k,
                                max(4, cfg.crop_size // k))

    def crop_lr(x: Tensor) -> Tensor:
        return x[:, ct : ct + cs, cl : cl + cs]

    def crop_hr(x: Tensor) -> Tensor:
        return x[:, ct * k : (ct + cs) * k, cl * k : (cl + cs) * k]

    crops: dict[str, Any] = {"hr": crop_hr(data.test_hr[0]),
                             "real_lr": crop_lr(data.test_lr[0]),
                             "baseline_sr": crop_hr(base_sr[0]), "degraders": {}}
    test_seed = derive_seed(cfg.seed, 0, Stream.EVAL_TEST)
    results = []
    for entry in entries:
        deg = entry.degrader
        t0 = time.perf_counter()
        train_lr = _degrade_all(deg, data.clean_hr, cfg.seed, cfg.copies)
        pairs_hr = [hr for hr in data.clean_hr for _ in range(cfg.copies)]
        t_gen = time.perf_counter() - t0
        model, done, sr = _train_and_test(pairs_hr, train_lr, data, cfg, progress,
                                          f"train sr [{entry.label}]")
        t_train = time.perf_counter() - t0 - t_gen
        sp, ss, spi, ssi = _fidelity(sr, data.test_hr, border, y)
        lr_fid, frechet, kl = None, None, None
        if test_lr_metrics:
            gen = _degrade_all(deg, data.test_hr, test_seed)
            if cfg.aligned:
                lp, ls, _, _ = _fidelity(gen, data.test_lr, math.ceil(border / k), y)
                lr_fid = {"psnr": lp, "ssim": ls}
            frechet = {n: frechet_distance(ref_feats[n], patch_features(e, gen,
                                                                        data.feature_patch))
                       for n, e in extractors.items()}
            kl = hf_kl(data.ref_lr, gen)
            gen_crop = crop_lr(gen[0])
        else:
            gen_crop = _degrade_all(deg, [crop_hr(data.test_hr[0])], test_seed)[0]
        if models_dir is not None and cfg.save_models:
            model.save_pretrained(
                models_dir / folder_name(entry.label),
                provenance={"trainer": "degsdk eval", "degrader": deg.to_config(),
                            "steps": done, "seed": cfg.seed, "clean_hr": str(clean_hr)})
        crops["degraders"][entry.label] = {"gen_lr": gen_crop, "sr": crop_hr(sr[0])}
        results.append({
            "label": entry.label, "source": entry.source, "config": deg.to_config(),
            "sr": {"psnr": sp, "ssim": ss, "gain_db": sp - bp,
                   "per_image": {n: {"psnr": a, "ssim": b}
                                 for n, a, b in zip(data.names, spi, ssi, strict=True)}},
            "lr": lr_fid, "frechet": frechet, "hf_kl": kl,
            "train": {"steps": done, "pairs": len(train_lr),
                      "seconds_generate": round(t_gen, 2), "seconds_train": round(t_train, 2)},
        })
    return {
        "settings": cfg.model_dump(),
        "test": {"path": str(test), "pairs": len(data.names), "scale": k,
                 "names": data.names, "aligned": cfg.aligned, "crop_border": border,
                 "y_channel": y},
        "reference_lr": {"path": str(real_lr) if real_lr else f"{test} (lr/)",
                         "images": len(data.ref_lr), "feature_patch": data.feature_patch,
                         "patches": {n: int(f.shape[0]) for n, f in ref_feats.items()}},
        "clean_hr": {"path": str(clean_hr), "images": len(data.clean_hr)},
        "baseline": {"label": "bicubic interpolation" if k > 1 else "real LR as is",
                     "sr": {"psnr": bp, "ssim": bs,
                            "per_image": {n: {"psnr": a, "ssim": b}
                                          for n, a, b in zip(data.names, bpi, bsi,
                                                             strict=True)}}},
        "degraders": results,
        "ranking": rankings(results),
        "crop": {"image": data.names[0], "top": ct, "left": cl, "size": cs},
        "seconds": round(time.perf_counter() - t_start, 1),
        "_crops": crops,
    }


def sr_from_real_pairs(pairs: str | Path, test: str | Path,
                       settings: EvalSettings | None = None, progress: bool = True
                       ) -> dict[str, Any]:
    """SR trained on real aligned pairs themselves (``pairs``: ``hr/`` + ``lr/`` at the test
    pairs' scale) with the protocol's settings and seed, scored on the ``test`` pairs as
    :func:`evaluate` scores a degrader: the bar a synthetic degradation is chasing. Returns
    ``{"psnr", "ssim", "steps", "pairs"}``."""
    cfg = settings or EvalSettings()
    found = find_pairs(Path(pairs))
    data = _Data(None, Path(test), None, cfg)
    k = data.scale
    train_lr, train_hr = [], []
    for p in found:
        lr = _crop_to(read_image(p.lr), data.lr_multiple)
        hr = read_image(p.hr)
        if round(hr.shape[-1] / lr.shape[-1]) != k:
            raise ConfigError(f"--pairs {pairs}: pair {p.name} is not at the test pairs' "
                              f"scale ×{k}")
        train_lr.append(lr)
        train_hr.append(hr[:, : lr.shape[-2] * k, : lr.shape[-1] * k])
    _, done, sr = _train_and_test(train_hr, train_lr, data, cfg, progress,
                                  "train sr [your real pairs]")
    border = k if cfg.crop_border is None else cfg.crop_border
    sp, ss, _, _ = _fidelity(sr, data.test_hr, border, cfg.y_channel)
    return {"psnr": sp, "ssim": ss, "steps": done, "pairs": len(found)}


def rankings(results: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Labels best first for every metric in the results."""
    keys: list[tuple[str, Any, bool]] = [
        ("sr_psnr", lambda r: r["sr"]["psnr"], True),
        ("sr_ssim", lambda r: r["sr"]["ssim"], True),
    ]
    if results and results[0]["hf_kl"] is not None:
        keys.append(("hf_kl", lambda r: r["hf_kl"], False))
    if results and results[0]["lr"] is not None:
        keys += [("lr_psnr", lambda r: r["lr"]["psnr"], True),
                 ("lr_ssim", lambda r: r["lr"]["ssim"], True)]
    for name in (results[0]["frechet"] or {}) if results else []:
        keys.append((f"frechet_{name}", lambda r, n=name: r["frechet"][n], False))
    return {key: [r["label"] for r in sorted(results, key=get, reverse=higher)]
            for key, get, higher in keys}

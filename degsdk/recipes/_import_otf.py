"""Real-ESRGAN-style on-the-fly (OTF) options → a ``realesrgan`` recipe: traiNNer-redux's YAML
(``high_order_degradation: true``; degradation keys at the top level, kernel keys under
``datasets.train``), neosr's TOML (``[degradations]``) and BasicSR/Real-ESRGAN's own options.

Every key is mapped to the same distribution in degsdk's ``realesrgan`` (its variant options:
first-blur and JPEG probabilities, resize mode lists) or listed as not carried, with why. A key
the file leaves out takes the source tool's default (traiNNer-redux's schema; Real-ESRGAN's
for neosr and BasicSR, whose code reads every key), noted as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import ConfigError
from ._import_result import ImportResult

REDUX = "traiNNer-redux"
NEOSR = "neosr"
BASICSR = "BasicSR/Real-ESRGAN"

# Real-ESRGAN's x4plus values: the default for a key a neosr/BasicSR file leaves out.
_REALESRGAN: dict[str, Any] = {
    "resize_prob": [0.2, 0.7, 0.1], "resize_range": [0.15, 1.5], "gaussian_noise_prob": 0.5,
    "noise_range": [1, 30], "poisson_scale_range": [0.05, 3], "gray_noise_prob": 0.4,
    "jpeg_range": [30, 95], "second_blur_prob": 0.8, "resize_prob2": [0.3, 0.4, 0.3],
    "resize_range2": [0.3, 1.2], "gaussian_noise_prob2": 0.5, "noise_range2": [1, 25],
    "poisson_scale_range2": [0.05, 2.5], "gray_noise_prob2": 0.4, "jpeg_range2": [30, 95],
    "kernel_list": ["iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso",
                    "plateau_aniso"],
    "kernel_prob": [0.45, 0.25, 0.12, 0.03, 0.12, 0.03], "sinc_prob": 0.1,
    "blur_sigma": [0.2, 3], "betag_range": [0.5, 4], "betap_range": [1, 2],
    "sinc_prob2": 0.1, "blur_sigma2": [0.2, 1.5], "betag_range2": [0.5, 4],
    "betap_range2": [1, 2], "final_sinc_prob": 0.8,
}
_REALESRGAN["kernel_list2"] = _REALESRGAN["kernel_list"]
_REALESRGAN["kernel_prob2"] = _REALESRGAN["kernel_prob"]
# traiNNer-redux's schema defaults (schemas/redux-config.schema.json), where it has them.
_REDUX = {**_REALESRGAN, "blur_prob": 0.0, "resize_range": [0.4, 1.5],
          "gaussian_noise_prob": 0.0, "noise_range": [0, 0], "poisson_scale_range": [0, 0],
          "gray_noise_prob": 0.0, "jpeg_prob": 1.0, "jpeg_range": [75, 95], "blur_prob2": 0.0,
          "resize_range2": [0.6, 1.2], "gaussian_noise_prob2": 0.0, "noise_range2": [0, 0],
          "poisson_scale_range2": [0, 0], "gray_noise_prob2": 0.0, "jpeg_prob2": 1.0,
          "sinc_prob": 0.0, "blur_sigma": [0.2, 2], "sinc_prob2": 0.0, "blur_sigma2": [0.2, 1],
          "final_sinc_prob": 0.0, "kernel_range": [5, 17], "kernel_range2": [5, 17],
          "final_kernel_range": [5, 17], "lq_usm": False, "lq_usm_radius_range": [1, 25],
          "dataroot_lq_prob": 0.0}
_REALESRGAN_SIZES = list(range(7, 22, 2))

# Keys that configure training, not degradations: not part of a recipe, summarised once.
_TRAINING = {"name", "model_type", "num_gpu", "use_amp", "amp_bf16", "bfloat16", "fast_matmul",
             "compile", "manual_seed", "deterministic", "network_g", "network_d", "path",
             "train", "val", "logger", "dist_params", "queue_size", "use_channels_last",
             "use_compile", "detect_anomaly", "high_order_degradation",
             "high_order_degradations_debug", "high_order_degradations_debug_limit", "onnx",
             "find_unused_parameters", "datasets", "degradations", "scale", "gt_size",
             "use_hflip", "use_rot", "type", "dataroot_gt", "io_backend", "meta_info",
             "num_worker_per_gpu", "batch_size_per_gpu", "batch_size", "dataset_enlarge_ratio",
             "prefetch_mode", "patch_size", "lq_size", "augmentation", "aug_prob",
             "accumulate", "accum_iter", "pin_memory", "persistent_workers", "filename_tmpl",
             "color", "phase", "mean", "std", "num_prefetch_queue", "prefetch_factor",
             "clip_size", "dataroot_lq", "resume", "auto_resume", "is_train", "root_path",
             "dist", "launcher", "rank", "world_size"}
_RESIZE_MODES = {"bilinear", "bicubic", "area", "nearest-exact", "lanczos"}
_KERNEL_TYPES = {"iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso",
                 "plateau_aniso"}


def _odd_sizes(rng: Any, key: str) -> list[int]:
    lo, hi = (int(v) for v in rng)
    sizes = [v for v in range(lo, hi + 1) if v % 2 == 1]
    if not sizes:
        raise ConfigError(f"{key}: {list(rng)} holds no odd kernel size")
    return sizes


def degradation_keys(data: Mapping[str, Any], tool: str) -> dict[str, Any]:
    """The degradation options of a file, wherever the tool keeps them."""
    if tool == NEOSR:
        section = data.get("degradations")
        if not isinstance(section, Mapping):
            raise ConfigError("neosr options: no [degradations] table (is this an OTF config? "
                              "model_type = \"otf\" keeps its options there)")
        return dict(section)
    out = {k: v for k, v in data.items() if k not in ("datasets",)}
    train = (data.get("datasets") or {}).get("train") or {}
    if isinstance(train, Mapping):
        out.update({k: v for k, v in train.items() if k not in out})
    return out


def from_otf_options(data: Mapping[str, Any], tool: str, name: str) -> ImportResult:
    """A recipe with the same degradation distributions as traiNNer-redux / neosr / BasicSR
    OTF options ``data``."""
    if tool == REDUX and data.get("high_order_degradation") is False:
        raise ConfigError("traiNNer-redux options: high_order_degradation is false — this "
                          "config trains on paired data, there is no on-the-fly degradation "
                          "to import")
    res = ImportResult(tool=tool)
    opts = degradation_keys(data, tool)
    defaults = _REDUX if tool == REDUX else _REALESRGAN
    used: set[str] = set()
    defaulted: list[str] = []

    def get(key: str, *aliases: str) -> Any:
        for k in (key, *aliases):
            if k in opts:
                used.add(k)
                return opts[k]
        value = defaults.get(key)
        if value is None:
            raise ConfigError(f"{tool} options: {key} is missing and has no default")
        defaulted.append(f"{key} {value!r}")
        return value

    def stage(n: str) -> dict[str, Any]:
        suffix = "" if n == "1" else "2"
        out: dict[str, Any] = {"probs": [float(v) for v in get(f"resize_prob{suffix}")],
                               "range": [float(v) for v in get(f"resize_range{suffix}")]}
        modes = opts.get(f"resize_mode_list{suffix}")
        if modes is not None:
            used.add(f"resize_mode_list{suffix}")
            out["modes"] = _modes(modes, f"resize_mode_list{suffix}")
            probs = opts.get(f"resize_mode_prob{suffix}")
            if probs is not None:
                used.add(f"resize_mode_prob{suffix}")
                out["mode_probs"] = [float(v) for v in probs]
        return out

    def noise(suffix: str) -> dict[str, Any]:
        return {"gaussian_prob": float(get(f"gaussian_noise_prob{suffix}")),
                "gaussian_sigma": [float(v) for v in get(f"noise_range{suffix}")],
                "poisson_scale": [float(v) for v in get(f"poisson_scale_range{suffix}")],
                "gray_prob": float(get(f"gray_noise_prob{suffix}"))}

    def kernels(suffix: str) -> dict[str, Any]:
        types = get(f"kernel_list{suffix}")
        bad = [t for t in types if t not in _KERNEL_TYPES]
        if bad:
            raise ConfigError(f"kernel_list{suffix}: unknown kernel types {bad}")
        out = {"types": list(types), "probs": [float(v) for v in get(f"kernel_prob{suffix}")],
               "sinc_prob": float(get(f"sinc_prob{suffix}")),
               "sigma": [float(v) for v in get(f"blur_sigma{suffix}")],
               "beta_g": [float(v) for v in get(f"betag_range{suffix}")],
               "beta_p": [float(v) for v in get(f"betap_range{suffix}")]}
        if tool == REDUX:
            out["sizes"] = _odd_sizes(get(f"kernel_range{suffix}"), f"kernel_range{suffix}")
        else:
            out["sizes"] = _REALESRGAN_SIZES
        if f"blur_kernel_size{suffix}" in opts:
            used.add(f"blur_kernel_size{suffix}")
            res.note(f"blur_kernel_size{suffix} = {opts[f'blur_kernel_size{suffix}']}: the "
                     f"source's kernel code draws sizes from {out['sizes'][0]}–"
                     f"{out['sizes'][-1]} and only pads to this; degsdk draws the same sizes")
        return out

    scale = int(data.get("scale", 4))
    params: dict[str, Any] = {
        "version": "1", "scale": scale,
        "kernel1": kernels(""), "resize1": stage("1"), "noise1": noise(""),
        "jpeg1": _quality(get("jpeg_range"), "jpeg_range", res),
        "second_blur_prob": float(get("second_blur_prob", "blur_prob2")),
        "kernel2": kernels("2"), "resize2": stage("2"), "noise2": noise("2"),
        "jpeg2": _quality(get("jpeg_range2"), "jpeg_range2", res),
        "final_sinc_prob": float(get("final_sinc_prob")),
    }
    if tool == REDUX:
        params["first_blur_prob"] = float(get("blur_prob"))
        params["jpeg1_prob"] = float(get("jpeg_prob"))
        params["jpeg2_prob"] = float(get("jpeg_prob2"))
        params["final_sinc_sizes"] = _odd_sizes(get("final_kernel_range"), "final_kernel_range")
        modes = opts.get("resize_mode_list3")
        if modes is not None:
            used.add("resize_mode_list3")
            params["final_modes"] = _modes(modes, "resize_mode_list3")
            if opts.get("resize_mode_prob3") is not None:
                used.add("resize_mode_prob3")
                params["final_mode_probs"] = [float(v) for v in opts["resize_mode_prob3"]]
    else:
        for key in ("blur_prob", "jpeg_prob", "jpeg_prob2"):
            if key in opts:
                used.add(key)
                params[{"blur_prob": "first_blur_prob", "jpeg_prob": "jpeg1_prob",
                        "jpeg_prob2": "jpeg2_prob"}[key]] = float(opts[key])
    degrader: dict[str, Any] = {"name": "realesrgan", "params": params}

    lq_usm = bool(get("lq_usm")) if tool == REDUX or "lq_usm" in opts else False
    if lq_usm:
        radius = [int(v) for v in get("lq_usm_radius_range")]
        degrader = {"name": "sequential", "params": {"ops": [
            {"name": "unsharp", "params": {"weight": 0.5, "radius": radius, "threshold": 10}},
            degrader]}}
        res.note("lq_usm: unsharp mask (weight 0.5, threshold 10, as USMSharp) on the image "
                 f"before the degradations, radius {radius}")
    elif tool == REDUX:
        used.add("lq_usm_radius_range")
    mix = float(opts.get("dataroot_lq_prob", 0) or 0)
    used.add("dataroot_lq_prob")
    if mix > 0:
        res.skip("dataroot_lq_prob", mix, "mixes real LR images with generated ones during "
                 "training; a recipe makes every LR from its HR (pair the real LR set "
                 "separately)")
    if data.get("gt_usm") or opts.get("gt_usm"):
        used.add("gt_usm")
        res.hr_transform = {"name": "usm", "params": {}}
    for key in sorted(set(opts) - used - _TRAINING):
        res.skip(key, opts[key], "not a degradation option degsdk knows")
    training = sorted(k for k in set(data) & _TRAINING if k not in ("scale", "datasets",
                                                                    "degradations"))
    if training:
        res.ignored = training

    train = (data.get("datasets") or {}).get("train") or {}
    gt = train.get("gt_size") or data.get("gt_size")
    lq = train.get("lq_size") or train.get("patch_size")
    size = int(gt) if gt else int(lq) * scale if lq else 256
    if not gt and lq and tool == NEOSR:
        res.note(f"crop: patch_size {lq} is the LR side in neosr; HR crops of {size}")
    roots = train.get("dataroot_gt") or "hr"
    root = roots[0] if isinstance(roots, list) else str(roots).split(",")[0]
    res.recipe = {
        "version": 1, "name": name, "seed": int(data.get("manual_seed") or 0),
        "inputs": [{"path": root.strip(), "recursive": True}],
        "crop": {"mode": "random", "size": size, "per_image": 1},
        "hr_transform": res.hr_transform,
        "degrader": degrader,
        "output": {"dir": f"{name}-pairs"},
    }
    if defaulted:
        res.note(f"not in the file, {tool}'s defaults used: " + "; ".join(defaulted))
    res.note("realesrgan draws every choice per sample (the source draws resize, noise type "
             "and JPEG quality once per batch) and codes JPEG with libjpeg at integer quality "
             "(the source: DiffJPEG)")
    return res


def _modes(modes: Any, key: str) -> list[str]:
    bad = [m for m in modes if m not in _RESIZE_MODES]
    if bad:
        raise ConfigError(f"{key}: unknown resize modes {bad}; expected some of "
                          f"{sorted(_RESIZE_MODES)}")
    return list(modes)


def _quality(rng: Any, key: str, res: ImportResult) -> list[int]:
    lo, hi = (float(v) for v in rng)
    q = [max(1, round(lo)), min(100, round(hi))]
    if (lo, hi) != tuple(float(v) for v in q):
        res.note(f"{key}: {[lo, hi]} → integer qualities {q}")
    return q

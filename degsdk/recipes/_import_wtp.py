"""wtp_dataset_destroyer configs (JSON / HCL: a ``process`` list of steps, each with a
``probability``) → a degsdk recipe: a ``sequential`` of the steps, each step with
``probability`` < 1 inside ``random_apply``, each list of algorithms a ``one_of`` with equal
chances (wtp picks one per image uniformly).

JSON configs hold a ``process`` list; HCL configs (python-hcl2) repeated ``degradation``
blocks. Carried: compress (jpeg, webp, h264, hevc, mpeg2, vp9), blur (box, gauss, median, lens,
motion), resize (filters by name, dpid), subsampling, pixelate, halo (unsharp_mask), dithering
(floydsteinberg, order, quantize), shift (rgb, in pixels). Everything else — other steps,
algorithms degsdk lacks, options whose meaning differs — is listed as not carried, and the
mappings that are approximations are noted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._errors import ConfigError
from ._import_result import ImportResult

WTP = "wtp_dataset_destroyer"
Op = dict[str, Any]

_FILTERS = {"box": "box", "linear": "linear", "cubic_catrom": "catmull_rom",
            "cubic_mitchell": "mitchell", "cubic_bspline": "bspline", "lanczos": "lanczos",
            "gauss": "gauss", "nearest": "nearest", "area": "area"}
_CHROMA = {"4:4:4", "4:4:0", "4:2:2", "4:2:0", "4:1:1", "4:1:0"}
_VIDEO = {"h264": "h264", "hevc": "hevc", "mpeg2": "mpeg2", "vp9": "vp9"}
_TOP_LEVEL_WHY = {
    "laplace_filter": "drops tiles whose Laplacian variance is low (a dataset filter, not a "
                      "degradation)",
    "size": "caps the number of images (use inputs and crop instead)",
    "shuffle_dataset": "file order only", "num_workers": "use run.workers",
    "map_type": "use run.workers", "debug": "tool option", "only_lq": "a recipe writes both",
    "real_name": "degsdk names pairs by index and source", "out_clear": "tool option",
    "tile": "tiling of the input (use crop instead)",
    "gray": "converts some inputs to grayscale (not a degradation op in degsdk)",
}


def _one(ops: list[Op]) -> Op | None:
    if not ops:
        return None
    return ops[0] if len(ops) == 1 else {"name": "one_of", "params": {"ops": ops}}


def _range(v: Any, key: str) -> list[float]:
    if isinstance(v, int | float):
        return [float(v), float(v)]
    if isinstance(v, list) and len(v) >= 2 and all(isinstance(x, int | float) for x in v[:2]):
        return [float(v[0]), float(v[1])]
    raise ConfigError(f"{key}: expected [low, high], got {v!r}")


class _Step:
    """One ``process`` entry being converted: reads keys (marking them used)."""

    def __init__(self, proc: Mapping[str, Any], where: str, res: ImportResult) -> None:
        self.proc, self.where, self.res = proc, where, res
        self.used = {"type", "probability"}

    def get(self, key: str, default: Any = None) -> Any:
        self.used.add(key)
        return self.proc.get(key, default)

    def skip(self, key: str, value: Any, why: str) -> None:
        self.used.add(key)
        self.res.skip(f"{self.where}.{key}", value, why)

    def note(self, text: str) -> None:
        self.res.note(f"{self.where}: {text}")

    def drop(self, names: list[str], known: Mapping[str, Any] | set[str], what: str) -> list[str]:
        kept = [n for n in names if n in known]
        gone = [n for n in names if n not in known]
        if gone:
            self.res.skip(f"{self.where}.{what}", gone, "degsdk has no op for these; the "
                          "others share their chance")
        return kept


def _compress(s: _Step) -> Op | None:
    algorithms = s.drop(list(s.get("algorithm", ["jpeg"])), {"jpeg", "webp", *_VIDEO},
                        "algorithm")
    target = s.get("target_compress") or {}
    default = s.get("comp", s.get("compress", [40, 100]))  # JSON: comp; HCL: compress
    samplings = s.get("jpeg_sampling")
    ops: list[Op] = []
    for a in algorithms:
        lo, hi = (round(v) for v in _range(target.get(a, default), f"{s.where}.{a}"))
        if a == "jpeg":
            subs = [v for v in (samplings or ["4:2:0"]) if v in ("4:4:4", "4:2:2", "4:2:0")]
            if samplings and len(subs) < len(samplings):
                s.skip("jpeg_sampling", [v for v in samplings if v not in subs],
                       "the jpeg op codes 4:4:4, 4:2:2 and 4:2:0 only; the others share "
                       "their chance")
            ops.append(_one([{"name": "jpeg", "params": {"quality": [max(1, lo), hi],
                                                         "subsampling": v}} for v in subs])
                       or {"name": "jpeg", "params": {"quality": [max(1, lo), hi]}})
        elif a == "webp":
            ops.append({"name": "webp", "params": {"quality": [lo, hi]}})
        else:
            ops.append({"name": "video", "params": {"codec": _VIDEO[a],
                                                    "quantiser": [lo, hi]}})
    return _one(ops)


def _blur(s: _Step) -> Op | None:
    filters = s.drop(list(s.get("filter", [])), {"box", "gauss", "median", "lens", "motion"},
                     "filter")
    default = s.get("kernel", [0, 1])
    target = s.get("target_kernel") or {}
    ops: list[Op] = []
    for f in filters:
        if f == "motion":
            ops.append({"name": "motion_blur", "params": {
                "length": _range(s.get("motion_size", [0, 10]), "motion_size"),
                "angle": _range(s.get("motion_angle", [0, 0]), "motion_angle")}})
            continue
        lo, hi = _range(target.get(f, default), f"{s.where}.{f}")
        if f == "gauss":
            ops.append({"name": "gaussian_blur", "params": {"sigma": [max(lo, 0.01), hi]}})
            if lo <= 0:
                s.note("gauss kernel 0 (no blur) → σ 0.01")
        elif f == "lens":
            ops.append({"name": "lens_blur", "params": {"radius": [lo, hi]}})
        else:
            op = "box_blur" if f == "box" else "median_blur"
            ops.append({"name": op, "params": {"radius": [round(lo), round(hi)]}})
            s.note(f"{f} kernel k read as a (2k+1)² window (radius k)")
    return _one(ops)


def _resize(s: _Step) -> Op | None:
    scale = float(s.get("scale", 1))
    names = list(s.get("alg_lq", ["box"]))
    filters = [_FILTERS[n] for n in names if n in _FILTERS]
    dpid = "dpid" in names
    s.drop([n for n in names if n != "dpid"], set(_FILTERS), "alg_lq")
    for key, why in (("down_up", "up-then-down chains are not built"),
                     ("down_down", "stepwise downscaling is not built"),
                     ("spread", "varies the scale per image; a recipe's pairs have one scale"),
                     ("alg_hq", "the HR is not resized in a recipe (crop instead)"),
                     ("color_fix", "a chainner_ext workaround"),
                     ("gamma_correction", "chainner_ext option")):
        if key in s.proc:
            s.skip(key, s.proc[key], why)
    ops: list[Op] = []
    if filters:
        ops.append({"name": "resample", "params": {"factor": 1 / scale, "filters": filters}})
    if dpid:
        ops.append({"name": "dpid", "params": {"factor": 1 / scale}})
    if not ops:
        return None
    op = ops[0] if len(ops) == 1 else {"name": "one_of", "params": {
        "ops": ops, "probs": [len(filters), 1]}}
    return op


def _subsampling(s: _Step) -> Op | None:
    modes = s.drop(list(s.get("sampling", ["4:2:0"])), _CHROMA, "sampling")
    for key, why in (("down", "degsdk averages the chroma block (box)"),
                     ("up", "degsdk repeats the chroma block (nearest)"),
                     ("yuv", "degsdk uses JPEG's full-range BT.601"),
                     ("blur", "no chroma blur option")):
        if key in s.proc:
            s.skip(key, s.proc[key], why)
    return {"name": "chroma_subsample", "params": {"modes": modes}} if modes else None


def _pixelate(s: _Step) -> Op | None:
    lo, hi = _range(s.get("size", [1, 4]), f"{s.where}.size")
    return {"name": "pixelate", "params": {"size": [max(1, round(lo)), max(1, round(hi))]}}


def _halo(s: _Step) -> Op | None:
    kinds = s.drop(list(s.get("type_halo", ["unsharp_mask"])), {"unsharp_mask"}, "type_halo")
    if not kinds:
        return None
    k = _range(s.get("kernel", [0, 2]), "kernel")
    s.note("halo kernel k → unsharp radius 2k+1 (at least 3)")
    return {"name": "unsharp", "params": {
        "weight": _range(s.get("amount", [1, 1]), "amount"),
        "radius": [max(3, 2 * round(k[0]) + 1), max(3, 2 * round(k[1]) + 1)],
        "threshold": _range(s.get("threshold", [0, 0]), "threshold")}}


def _dithering(s: _Step) -> Op | None:
    kinds = s.drop(list(s.get("dithering_type", ["floydsteinberg"])),
                   {"floydsteinberg", "order", "quantize"}, "dithering_type")
    lo, hi = _range(s.get("color_ch", [2, 10]), "color_ch")
    levels = [max(2, round(lo)), min(256, round(hi))]
    ops: list[Op] = []
    probs: list[float] = []
    for kind in kinds:
        if kind == "order":
            sizes = [v for v in s.get("map_size", [4]) if v in (2, 4, 8)]
            gone = [v for v in s.get("map_size", [4]) if v not in (2, 4, 8)]
            if gone:
                s.skip("map_size", gone, "Bayer maps of 2, 4 and 8 only")
            for size in sizes:
                ops.append({"name": "dither", "params": {"levels": levels, "method": "ordered",
                                                         "bayer_size": size}})
                probs.append(1 / len(sizes))
        else:
            method = "floyd_steinberg" if kind == "floydsteinberg" else "none"
            ops.append({"name": "dither", "params": {"levels": levels, "method": method}})
            probs.append(1.0)
    for key in ("history", "ratio"):
        if key in s.proc:
            s.skip(key, s.proc[key], "riemersma only")
    if not ops:
        return None
    return ops[0] if len(ops) == 1 else {"name": "one_of", "params": {"ops": ops,
                                                                      "probs": probs}}


def _shift(s: _Step) -> Op | None:
    kinds = s.drop(list(s.get("shift_type", ["rgb"])), {"rgb"}, "shift_type")
    if s.get("percent", False):
        s.skip("percent", True, "shifts in percent of the image size; degsdk shifts pixels")
        return None
    for key in ("cmyk", "yuv", "not_target"):
        if key in s.proc:
            s.skip(key, s.proc[key], "only RGB channel shifts are built")
    if not kinds:
        return None
    rgb = s.get("rgb") or {}
    values = [v for ch in rgb.values() for axis in ch for v in _range(axis, "rgb")]
    if not values:
        return None
    lo, hi = round(min(values)), round(max(values))
    if any(_range(axis, "rgb") != [lo, hi] for ch in rgb.values() for axis in ch):
        s.note(f"per-channel shift ranges merged into one range [{lo}, {hi}]")
    return {"name": "channel_shift", "params": {"shift": [lo, hi]}}


_STEP_WHY = {
    "noise": "wtp's noise types (perlin, simplex, salt, uniform, gauss, …) and their alpha, "
             "normalize and y/uv options do not map onto degsdk's gaussian_noise, "
             "poisson_noise or camera_noise; add one by hand",
    "and": "nested and/or steps are not imported (write them as sequential / one_of)",
    "or": "nested and/or steps are not imported (write them as sequential / one_of)",
}

_STEPS: dict[str, Callable[[_Step], Op | None]] = {
    "compress": _compress, "blur": _blur, "resize": _resize, "subsampling": _subsampling,
    "pixelate": _pixelate, "halo": _halo, "dithering": _dithering, "shift": _shift,
}


def from_wtp(data: Mapping[str, Any], name: str) -> ImportResult:
    """A recipe from a wtp_dataset_destroyer config (parsed JSON/HCL)."""
    res = ImportResult(tool=WTP)
    key = "process" if "process" in data else "degradation"  # JSON list; HCL blocks
    process = data.get(key)
    if isinstance(process, Mapping):
        process = [process]
    if not isinstance(process, list):
        raise ConfigError("wtp config: expected a `process` list (JSON) or `degradation` "
                          "blocks (HCL)")
    ops: list[Op] = []
    scale = 1.0
    for i, proc in enumerate(process):
        if not isinstance(proc, Mapping) or "type" not in proc:
            raise ConfigError(f"process[{i}]: expected a step with a `type`")
        kind = str(proc["type"])
        where = f"{key}[{i}] ({kind})"
        convert = _STEPS.get(kind)
        if convert is None:
            res.skip(where, {k: v for k, v in proc.items() if k != "type"},
                     _STEP_WHY.get(kind, f"degsdk has no {kind} op"))
            continue
        step = _Step(proc, where, res)
        op = convert(step)
        for key in sorted(set(proc) - step.used):
            res.skip(f"{where}.{key}", proc[key], "option not known to degsdk's import")
        p = float(proc.get("probability", 1.0))
        if op is None:
            res.skip(where, kind, "nothing in this step that degsdk builds")
            continue
        if kind == "resize":
            scale = float(proc.get("scale", 1))
            if p < 1:
                res.note(f"{where}: probability {p} → always applied (a recipe's pairs "
                         f"have one scale, ×{scale:g})")
                p = 1.0
        ops.append(op if p >= 1 else {"name": "random_apply", "params": {"op": op, "p": p}})
    for k in sorted(set(data) - {key, "input", "output"}):
        res.skip(k, data[k], _TOP_LEVEL_WHY.get(k, "not a degradation option"))
    if not ops:
        raise ConfigError("wtp config: none of its steps can be carried (see the list)")
    degrader = ops[0] if len(ops) == 1 else {"name": "sequential", "params": {"ops": ops}}
    res.recipe = {
        "version": 1, "name": name, "seed": 0,
        "inputs": [{"path": str(data.get("input") or "hr"), "recursive": True}],
        "crop": {"mode": "none"},
        "degrader": degrader,
        "output": {"dir": str(data.get("output") or f"{name}-pairs")},
    }
    res.note(f"every draw is seeded (wtp reseeds each image from an unseeded RNG); scale "
             f"×{scale:g}")
    return res

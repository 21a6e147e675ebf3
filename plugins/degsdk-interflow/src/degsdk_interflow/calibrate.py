"""Calibrating the level → blend-weight map on a held-out captured level (paper §4.2, Fig. 6:
the weight whose generated images are closest to the real ones, by the KL divergence of their
high-frequency residual histograms).

For a held-out level s_c inside the trained bracket [s_i, s_{i+1}], images are generated from
the HR alone at blend weights w ∈ {0.05, 0.10, …, 0.95} (the prior mode the degrader uses) and
compared with the real level-s_c LR by :func:`degsdk.metrics.hf_kl`; the best w becomes the
point (s_c, w) of the model's ``calibration``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from torch import Tensor

from degsdk.metrics import hf_kl
from degsdk.seeding import derive_seed, generator_from_seed

from .level_map import bracket
from .model import InterFlow, InterFlowConfig

BLEND_WEIGHTS = tuple(round(0.05 * k, 2) for k in range(1, 20))
"""The blend weights w tried between two trained levels (not model weights)."""


def crop_to_multiple(x: Tensor, m: int, limit: int = 256) -> Tensor:
    """The top-left crop of ``x`` (…×H×W) whose sides are multiples of ``m`` and ≤ ``limit``."""
    h = min(x.shape[-2], limit) // m * m
    w = min(x.shape[-1], limit) // m * m
    return x[..., :h, :w]


def generate_at_blend_weight(model: InterFlow, hrs: Sequence[Tensor], lower: int, weight: float,
                       seed: int = 0, temperature: float | None = None) -> list[Tensor]:
    """Each HR (3×H×W, sides multiples of ``size_multiple``) generated from the prior blended
    at ``weight`` between trained levels ``lower`` and ``lower + 1``; seeds from (seed, i)."""
    tau = model.cfg.temperature if temperature is None else temperature
    with torch.no_grad():
        return [model.decode_prior(hr[None], [(lower, weight)], [tau],
                                   [generator_from_seed(derive_seed(seed, i))])[0]
                for i, hr in enumerate(hrs)]


def kl_curve(model: InterFlow, hrs: Sequence[Tensor], real: Sequence[Tensor], level: float,
             blend_weights: Sequence[float] = BLEND_WEIGHTS, seed: int = 0, *,
             weights: Sequence[float] | None = None) -> dict[float, float]:
    """HF-KL(real ‖ generated) at each blend weight, in the bracket holding ``level``
    (``weights``: the old name of ``blend_weights``, warns)."""
    blend_weights = _old_name(weights, blend_weights)
    lower = bracket(level, model.cfg.trained_levels)
    return {float(w): hf_kl(list(real), generate_at_blend_weight(model, hrs, lower, w, seed))
            for w in blend_weights}


def calibrate(model: InterFlow, hrs: Sequence[Tensor], real: Sequence[Tensor], level: float,
              blend_weights: Sequence[float] = BLEND_WEIGHTS, seed: int = 0, *,
              weights: Sequence[float] | None = None) -> tuple[float, dict[float, float]]:
    """Fit the blend weight of ``level`` from held-out HR/real-LR pairs (module doc), store the
    point in the model's config (replacing one at the same level) and return (w, the KL
    curve). ``weights``: the old name of ``blend_weights`` (warns)."""
    blend_weights = _old_name(weights, blend_weights)
    trained = model.cfg.trained_levels
    if not trained[0] < level < trained[-1] or level in trained:
        raise ValueError(f"calibrate: level {level:g} must lie strictly between trained levels "
                         f"{trained}")
    m = model.size_multiple
    hrs = [crop_to_multiple(x, m) for x in hrs]
    real = [crop_to_multiple(x, m) for x in real]
    curve = kl_curve(model, hrs, real, level, blend_weights, seed)
    best = min(curve, key=lambda w: curve[w])
    points = [p for p in model.cfg.calibration if p[0] != level] + [(float(level), best)]
    model.config = InterFlowConfig.model_validate(
        {**model.cfg.model_dump(), "calibration": sorted(points)})
    model.cfg = model.config  # type: ignore[assignment]
    return best, curve


def _old_name(weights: Sequence[float] | None, blend_weights: Sequence[float]
              ) -> Sequence[float]:
    if weights is None:
        return blend_weights
    warnings.warn("interflow calibrate/kl_curve: weights= is now blend_weights= (they are "
                  "blend weights between levels, not model weights)", DeprecationWarning,
                  stacklevel=3)
    return weights


_RENAMED = {"WEIGHTS": "BLEND_WEIGHTS", "generate_at_weight": "generate_at_blend_weight"}


def __getattr__(name: str) -> object:
    """The old names of ``BLEND_WEIGHTS`` and ``generate_at_blend_weight`` (warn)."""
    if name in _RENAMED:
        warnings.warn(f"degsdk_interflow.calibrate.{name} is now {_RENAMED[name]}",
                      DeprecationWarning, stacklevel=2)
        return globals()[_RENAMED[name]]
    raise AttributeError(name)

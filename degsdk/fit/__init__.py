"""``degsdk fit``: fit every method the data allows to a user's camera, rank them on held-out
real data, and hand back the winner as a recipe; plus the estimators fitters share (noise σ,
JPEG quality, one-parameter searches) and the classic pipelines' fitters."""

from .._fitter import (
    DATA_KINDS,
    UNDER_BUDGET,
    DataMinimum,
    FitContext,
    FitData,
    FitResult,
    Fitter,
)
from ._budget import parse_budget, parse_levels, plan_training, split_budget
from ._classic import classic_fitter, fit_classic
from ._estimate import (
    best_by_realism,
    best_on_pairs,
    estimate_noise_sigma,
    geometric_grid,
    jpeg_quality,
    jpeg_quality_of,
    noise_beyond,
    realism_distance,
    reference_features,
)
from ._fit_report import CandidateScores, FitReport, MethodTime, Spread
from ._run import FitOptions, fit
from ._split import held_out_count, split_data

__all__ = [
    "DATA_KINDS",
    "UNDER_BUDGET",
    "CandidateScores",
    "DataMinimum",
    "FitContext",
    "FitData",
    "FitOptions",
    "FitReport",
    "FitResult",
    "Fitter",
    "MethodTime",
    "Spread",
    "best_by_realism",
    "best_on_pairs",
    "classic_fitter",
    "estimate_noise_sigma",
    "fit",
    "fit_classic",
    "geometric_grid",
    "held_out_count",
    "jpeg_quality",
    "jpeg_quality_of",
    "noise_beyond",
    "parse_budget",
    "parse_levels",
    "plan_training",
    "realism_distance",
    "reference_features",
    "split_budget",
    "split_data",
]

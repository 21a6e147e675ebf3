"""The evaluation harness: train an SR model on each degrader's pairs, test it on real pairs,
and measure how close each degrader's LR is to real LR (``degsdk eval``)."""

from ._degrader_spec import DegraderEntry, parse_degrader_spec
from ._patch_features import patch_features, patch_grid
from ._protocol import EvalOptions, EvalSettings, evaluate, sr_from_real_pairs
from ._report import render_markdown, run_eval, write_report

__all__ = ["DegraderEntry", "EvalOptions", "EvalSettings", "evaluate", "parse_degrader_spec",
           "patch_features", "patch_grid", "render_markdown", "run_eval", "sr_from_real_pairs",
           "write_report"]

"""The evaluation harness: train an SR model on each degrader's pairs, test it on real pairs,
and measure how close each degrader's LR is to real LR (``degsdk eval``)."""

from .degrader_spec import DegraderEntry, parse_degrader_spec
from .protocol import EvalSettings, evaluate
from .report import render_markdown, run_eval, write_report

__all__ = ["DegraderEntry", "EvalSettings", "evaluate", "parse_degrader_spec",
           "render_markdown", "run_eval", "write_report"]

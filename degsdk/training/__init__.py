"""Helpers for plugin trainers: the shared step loop (``run_training``), exact-resume
checkpoints of the optimiser and RNG state, and saving the finished model with its metrics."""

from .._threads import choose_threads, free_cores, use_threads
from ._loop import LoopResult, StepFn, run_training
from ._save import save_trained
from ._trainer_state import STATE_NAME, load_trainer_state, save_trainer_state

__all__ = ["STATE_NAME", "LoopResult", "StepFn", "choose_threads", "free_cores",
           "load_trainer_state", "run_training", "save_trained", "save_trainer_state",
           "use_threads"]

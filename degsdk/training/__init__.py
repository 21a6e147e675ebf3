"""Helpers for plugin trainers: exact-resume checkpoints of the optimiser and RNG state."""

from .trainer_state import STATE_NAME, load_trainer_state, save_trainer_state

__all__ = ["STATE_NAME", "load_trainer_state", "save_trainer_state"]

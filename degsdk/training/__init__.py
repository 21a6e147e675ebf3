"""The run layer every trainer is written on: :class:`RunOptions` (the run-control options a
trainer's options extend), :class:`Run` (the seeded generator, the step loop with resume,
progress, the non-finite guard, checkpoints and the time limit, metrics, provenance and
saving), :func:`random_crops` (the one patch sampler), :func:`steps_within` (how many steps fit
a time budget), :func:`warm_start` (fine-tuning from shipped weights), exact-resume trainer
state and CPU threads."""

from .._threads import choose_threads, free_cores, use_threads
from ._loop import LoopResult, StepFn, run_training
from ._random_crops import Flips, dihedral, random_crops
from ._run import CHECKPOINT, Run
from ._run_options import RunOptions
from ._save import save_trained
from ._steps_within import StepPlan, steps_within
from ._trainer_state import STATE_NAME, load_trainer_state, save_trainer_state
from ._warm_start import warm_start

__all__ = ["CHECKPOINT", "STATE_NAME", "Flips", "LoopResult", "Run", "RunOptions", "StepFn",
           "StepPlan", "choose_threads", "dihedral", "free_cores", "load_trainer_state",
           "random_crops", "run_training", "save_trained", "save_trainer_state",
           "steps_within", "use_threads", "warm_start"]

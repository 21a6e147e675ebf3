"""``RunOptions``: the run-control options every trainer shares. A trainer's options extend it
with their own fields (data, architecture, loss weights) and may redeclare one of these to
change its default (``steps: int = Field(1000, ge=1, …)``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from .._options import Options


class RunOptions(Options):
    """Where a run writes, how long it runs, its seed and learning rate, checkpoints, resume,
    the time limit, the data note for the model card, the progress bar and CPU threads."""

    out: Path = Field(description="output model folder")
    steps: int = Field(2000, ge=0, description="training steps")
    seed: int = Field(0, ge=0, description="seed (initialisation and every random draw)")
    lr: float = Field(1e-4, gt=0, description="Adam learning rate")
    checkpoint_every: int = Field(500, ge=0, description="save out/checkpoint every N steps "
                                  "(0: never)")
    resume: bool = Field(False, description="continue from out/checkpoint")
    max_seconds: float | None = Field(None, ge=0, description="stop after this many seconds")
    data: str | None = Field(None, description="description of the training data for the "
                             "model card")
    progress: bool = Field(True, description="show a progress bar")
    threads: int | None = Field(None, ge=1, description="torch CPU threads (default: the "
                                "cores not busy now; $DEGSDK_THREADS sets it too)")

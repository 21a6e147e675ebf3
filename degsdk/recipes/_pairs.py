"""On-the-fly training pairs: ``DegradedPairs``, a ``torch.utils.data.Dataset`` yielding
``(lr, hr, params)`` from a recipe (or a degrader and a list of images).

Sample *i* of epoch *e* is drawn from ``(seed_e, i)``: epoch 0 uses the recipe's seed, so it
yields exactly what ``degsdk run`` writes; ``set_epoch(e)`` switches to
``derive_seed(seed, e, Stream.EPOCH)`` so each epoch sees new degradations, reproducibly, with
any number of DataLoader workers (call it before creating each epoch's iterator, as with
``DistributedSampler``; with ``persistent_workers=True`` the workers keep their copy).

The HR is exactly the written ``hr/`` file; the LR is the float tensor before it is written, so
it differs from the ``lr/`` file by at most half a level (0.5/255 at 8 bits) — round it to the
output bit depth to match the file.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.utils.data import Dataset

from .._config import from_config
from ..io._image import read_image
from ..seeding import Stream, derive_seed
from ._plan import Sample, plan
from ._recipe import Recipe
from ._schema import RecipeSpec
from ._worker import prepare_hr


class DegradedPairs(Dataset[tuple[Tensor, Tensor, dict[str, Any]]]):
    """``(lr 3×h×w, hr 3×H×W, params)`` per sample of a recipe's plan.

    ``lr`` and ``hr`` are float32 in [0, 1]; ``params`` holds the degrader's draws (and the
    ``hr_transform``'s under ``"hr_transform"``). Use ``collate_pairs`` as ``collate_fn``.
    """

    def __init__(self, recipe: Recipe | RecipeSpec, limit: int | None = None) -> None:
        spec = recipe.spec if isinstance(recipe, Recipe) else recipe
        self.spec = spec
        self.degrader = from_config(spec.degrader, where="degrader")
        self.hr_transform = (from_config(spec.hr_transform, where="hr_transform")
                             if spec.hr_transform else None)
        self.samples: list[Sample] = list(plan(spec, round(self.degrader.scale), limit))
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Use epoch ``epoch``'s seeds (0: the recipe's own, as ``degsdk run``)."""
        self.epoch = int(epoch)

    def seed(self) -> int:
        if self.epoch == 0:
            return self.spec.seed
        return derive_seed(self.spec.seed, self.epoch, Stream.EPOCH)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor, dict[str, Any]]:
        s = self.samples[i]
        t, left, h, w = s.box
        hr = read_image(s.source)[None, :, t : t + h, left : left + w].contiguous()
        seed = self.seed()
        hr, hr_params = prepare_hr(hr, self.hr_transform, seed, [s.index],
                                   self.spec.output.bit_depth)
        res = self.degrader(hr, seed=seed, indices=[s.index])
        return res.lr[0], hr[0], {**res.params[0], "hr_transform": hr_params[0],
                                  "index": s.index}


def collate_pairs(batch: list[tuple[Tensor, Tensor, dict[str, Any]]]
                  ) -> tuple[Tensor, Tensor, list[dict[str, Any]]]:
    """Stack LR and HR (same-size crops), keep params as a list."""
    lr, hr, params = zip(*batch, strict=True)
    return torch.stack(lr), torch.stack(hr), list(params)

"""Box blur: the mean over a (2r+1)×(2r+1) square, reflecting at the border. ``box_kernel``
and the ``box_blur`` degrader with a per-sample radius (wtp_dataset_destroyer's ``blur`` with
``filter = "box"``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import pydantic
import torch
from torch import Tensor

from .._filtering import filter_each
from .._interfaces import Degrader, DegraderConfig, SampleParams
from .._ranges import IntRange, within
from ..seeding import draw_int


def box_kernel(radius: int) -> Tensor:
    """The (2r+1)×(2r+1) uniform kernel, float64, summing to 1 (r = 0: the identity)."""
    k = 2 * int(radius) + 1
    return torch.full((k, k), 1.0 / (k * k), dtype=torch.float64)


class BoxBlurConfig(DegraderConfig):
    radius: Annotated[IntRange, within(0, 32, name="radius")] = pydantic.Field(
        default=(1, 2), description="half-width r of the (2r+1)² square, or [low, high]")


class BoxBlur(Degrader):
    """Box blur at a per-sample radius. Params: ``{"radius": int}``."""

    name = "box_blur"
    Config = BoxBlurConfig

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.radius = self.config.radius  # type: ignore[attr-defined]

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        return [{"radius": draw_int(g, self.radius)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        return filter_each(hr, [box_kernel(int(p["radius"])) for p in params])

"""``random_crops``: the one patch sampler of every trainer — aligned random crops of one or
more images of a scene (at their scales), with an optional random flip rule, drawn from the
run's generator in a fixed order so a seed gives the same batches everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from torch import Tensor

Flips = Literal["none", "h", "hv", "dihedral"]
"""``none``; ``h``: a left-right flip with probability ½ (one draw); ``hv``: left-right and
up-down flips, each with probability ½ (two draws, both always made); ``dihedral``: one of
the 8 flips/transposes (one draw, :func:`dihedral`)."""


def dihedral(x: Tensor, k: int) -> Tensor:
    """Transform ``k`` (0…7) of the 8 flips/transposes of the last two dims: transpose if
    bit 2 is set, then flip up-down if bit 1, then left-right if bit 0."""
    if k & 4:
        x = x.transpose(-1, -2)
    if k & 2:
        x = x.flip(-2)
    if k & 1:
        x = x.flip(-1)
    return x


def random_crops(scenes: Sequence[Sequence[Tensor]], n: int, size: int, g: torch.Generator, *,
                 scales: Sequence[int] | None = None, flips: Flips = "none") -> list[Tensor]:
    """``n`` random aligned crops: each picks a scene (``scenes[i]``, a tuple of C×H×W images
    of one scene; image j is ``scales[j]`` × the grid, default all 1), a position on the
    grid of image 0 (its size over ``scales[0]``) where a ``size``² crop fits, and a flip
    (``flips``) applied to every image of the crop alike. Returns one tensor per image of a
    scene, n×C×(size·scales[j])².

    Draw order per crop (from ``g``): scene, top, left, then the flip draws."""
    if not scenes:
        raise ValueError("random_crops: no scenes")
    m = len(scenes[0])
    sc = list(scales) if scales is not None else [1] * m
    if len(sc) != m:
        raise ValueError(f"random_crops: {len(sc)} scales for scenes of {m} images")
    out: list[list[Tensor]] = [[] for _ in range(m)]
    for _ in range(n):
        scene = scenes[int(torch.randint(len(scenes), (1,), generator=g))]
        h, w = (d // sc[0] for d in scene[0].shape[-2:])
        t = int(torch.randint(h - size + 1, (1,), generator=g))
        s = int(torch.randint(w - size + 1, (1,), generator=g))
        crops = [x[..., t * f : (t + size) * f, s * f : (s + size) * f]
                 for x, f in zip(scene, sc, strict=True)]
        if flips == "h":
            if bool(torch.rand((), generator=g) < 0.5):
                crops = [c.flip(-1) for c in crops]
        elif flips == "hv":
            dims = [d for d, f in ((-1, torch.rand((), generator=g) < 0.5),
                                   (-2, torch.rand((), generator=g) < 0.5)) if f]
            if dims:
                crops = [c.flip(dims) for c in crops]
        elif flips == "dihedral":
            k = int(torch.randint(8, (1,), generator=g))
            crops = [dihedral(c, k) for c in crops]
        for j, c in enumerate(crops):
            out[j].append(c)
    return [torch.stack(c) for c in out]

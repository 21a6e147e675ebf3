"""What scoring one candidate costs in ``degsdk fit``, measured before it is planned, and the
size its scoring is cut to when the time left does not allow the full protocol.

One (candidate, seed) score degrades every clean HR image ``copies`` times and the realism HR
(up to 8 crops of 512 px) once, then trains the scoring SR model. The degrading is timed by a
**probe**: the candidate degrades two centre crops of one clean HR image (the one of median
pixel count), which gives its time per image as a power of the pixels, summed over the images a
seed degrades. The SR
training is timed once per run (:func:`degsdk.fit.seconds_per_sr_step`, or the baselines'
measured training). A candidate whose seeds do not fit the time it is given is scored on centre
crops of the clean HR and realism HR (the same crop side for every image), then on fewer of
them, and skipped when even two minimum crops do not fit."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from .._config import from_config
from ..calibrate import centre_crop
from ..io import image_size, list_images, read_image, write_image

SCORING_OVERHEAD_S = 2.0  # per (candidate, seed) until measured: realism features, SR inference


@dataclass(frozen=True)
class DegradeTiming:
    """Seconds a degrader takes on an image: ``seconds`` at ``megapixels``, growing as
    (pixels)^``exponent`` (1 for a convolutional net; up to 2 with attention)."""

    seconds: float
    megapixels: float
    exponent: float = 1.0

    def seconds_for(self, mpx: float) -> float:
        """Seconds on an image of ``mpx`` megapixels."""
        return self.seconds * (mpx / self.megapixels) ** self.exponent if mpx > 0 else 0.0


def probe_degrading(config: Mapping[str, Any], image: torch.Tensor, seed: int = 0,
                    sides: tuple[int, int] = (96, 192)) -> DegradeTiming:
    """Time the degrader built from ``config`` on two centre crops of ``image`` (3×H×W in
    [0, 1]; ``sides`` px, after a warm-up call) and fit how its time grows with the pixels,
    so that a large image is not degraded in full to learn what it costs. Building the
    degrader (loading weights) is not counted."""
    deg = from_config(dict(config))
    runs = []
    with torch.no_grad():
        deg(centre_crop(image, sides[0], 4)[None], seed=seed, indices=[0])  # warm-up
        for side in sides:
            x = centre_crop(image, side, 4)
            t0 = time.perf_counter()
            deg(x[None], seed=seed, indices=[0])
            runs.append((time.perf_counter() - t0, x.shape[-2] * x.shape[-1] / 1e6))
    (t1, m1), (t2, m2) = runs
    exponent = 1.0
    if m2 > m1 * 1.5 and t1 > 0 and t2 > 0:
        exponent = min(2.0, max(1.0, math.log(t2 / t1) / math.log(m2 / m1)))
    return DegradeTiming(max(t2, 1e-6), m2, exponent)


@dataclass(frozen=True)
class ScoringSize:
    """The clean HR a candidate's SR pairs are made from, and the realism HR it degrades: all
    at full size (``side`` and ``images`` None), centre crops of ``side`` px, and/or the first
    ``images`` of them (of the realism HR at least 2)."""

    side: int | None = None
    images: int | None = None

    @property
    def full(self) -> bool:
        """Whether this is the whole protocol."""
        return self.side is None and self.images is None

    def cut(self, sizes: Sequence[tuple[int, int]], at_least: int = 1
            ) -> list[tuple[int, int]]:
        """``sizes`` (h, w) as this size cuts them: the first ``images`` (not fewer than
        ``at_least``), at most ``side`` px a side."""
        n = max(at_least, self.images) if self.images else len(sizes)
        side = self.side or max((max(s) for s in sizes), default=0)
        return [(min(h, side), min(w, side)) for h, w in sizes[:n]]

    def describe(self, total: int) -> str:
        """One line for the report."""
        if self.full:
            return f"all {total} clean HR at full size"
        n = self.images or total
        crop = f"{self.side} px centre crops" if self.side else "full size"
        return f"{n} of {total} clean HR, {crop}"

    def folder(self, clean_hr: Path, root: Path, multiple: int = 1) -> Path:
        """``clean_hr`` itself when full; else a folder under ``root`` holding the crops
        (sides a multiple of ``multiple``)."""
        if self.full:
            return clean_hr
        dest = root / f"side{self.side or 0}_n{self.images or 0}"
        files = list_images([clean_hr])[: self.images or None]
        if dest.is_dir() and len(list(dest.iterdir())) == len(files):
            return dest
        for f in files:
            x = read_image(f)
            if self.side:
                x = centre_crop(x, self.side, multiple)
            write_image(dest / f"{f.stem}.png", x)
        return dest


@dataclass(frozen=True)
class ScoringCost:
    """Seconds one (candidate, seed) score takes: ``sr_s`` (SR training), degrading (each of
    ``sizes``, the clean HR (h, w), ``copies`` times, and the realism HR ``realism_sizes``
    once, at the ``timings``' weighted mean: one timing, or a mixture's) and ``overhead_s``."""

    sr_s: float
    timings: tuple[tuple[float, DegradeTiming], ...]
    sizes: tuple[tuple[int, int], ...]
    copies: int
    realism_sizes: tuple[tuple[int, int], ...] = ()
    overhead_s: float = SCORING_OVERHEAD_S
    realism_min_side: int = 0  # realism crops keep enough tiles for a Fréchet distance

    def _image_s(self, mpx: float) -> float:
        return sum(w * t.seconds_for(mpx) for w, t in self.timings)

    def degrade_s(self, size: ScoringSize = ScoringSize()) -> float:
        """Seconds degrading takes per seed at ``size``."""
        return (self.copies * sum(self._image_s(h * w / 1e6) for h, w in size.cut(self.sizes))
                + sum(self._image_s(h * w / 1e6) for h, w in self.realism_cut(size)
                      .cut(self.realism_sizes, at_least=2)))

    def realism_cut(self, size: ScoringSize) -> ScoringSize:
        """How ``size`` cuts the realism HR: crops not below ``realism_min_side``."""
        if not size.side:
            return size
        return ScoringSize(max(size.side, self.realism_min_side), size.images)

    def per_seed(self, size: ScoringSize = ScoringSize()) -> float:
        """Seconds one seed takes at ``size``."""
        return self.sr_s + self.degrade_s(size) + self.overhead_s

    def fit_within(self, seconds: float, repeats: int, min_side: int
                   ) -> ScoringSize | None:
        """The largest scoring size whose ``repeats`` seeds fit ``seconds``: full size, else
        one crop side for every image (not below ``min_side``), else fewer images of
        ``min_side`` (at least 2); None when not even that fits."""
        per_seed = seconds / repeats
        if self.per_seed() <= per_seed:
            return ScoringSize()
        lo, hi = min_side, max(max(s) for s in self.sizes)
        if self.per_seed(ScoringSize(side=lo)) <= per_seed:
            while hi - lo > 8:  # the largest crop side that fits, to 8 px
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if self.per_seed(ScoringSize(side=mid)) <= per_seed \
                    else (lo, mid)
            return ScoringSize(side=lo)
        for n in range(len(self.sizes) - 1, 1, -1):
            size = ScoringSize(side=min_side, images=n)
            if self.per_seed(size) <= per_seed:
                return size
        return None


def mean_cost(costs: Sequence[ScoringCost]) -> ScoringCost:
    """A candidate that degrades like each of ``costs`` equally often (what a mixture of
    candidates not known yet is planned to cost)."""
    n = len(costs)
    return dataclasses.replace(costs[0], timings=tuple(
        (w / n, t) for c in costs for w, t in c.timings))


def allowance(left: float, mine: float, others: Sequence[float]) -> float:
    """The seconds of ``left`` a candidate whose full scoring costs ``mine`` may use while
    ``others`` are still to come. When everything fits, its part of ``left`` in proportion to
    the costs (a share of the slack); else water-filling: every candidate gets its full cost up
    to one level, set so that the costs given add up to ``left`` — the cheap ones are scored in
    full and the dear ones share what is left."""
    costs = sorted([mine, *others])
    total = sum(costs)
    if total <= left:
        return max(0.0, left) * mine / total if total > 0 else max(0.0, left)
    remaining = max(0.0, left)
    for i, c in enumerate(costs):
        if c * (len(costs) - i) > remaining:
            return min(mine, remaining / (len(costs) - i))
        remaining -= c
    return mine


def planned_scoring(full: Sequence[float], least: Sequence[float], total: float,
                    share: float = 0.5) -> list[float]:
    """The scoring time to plan for each candidate before fitting: its ``full`` cost, capped at
    an equal part of ``share`` of the budget ``total`` but not below its ``least`` (the
    smallest scoring it may be cut to)."""
    fair = share * total / max(1, len(full))
    return [min(f, max(lo, fair)) for f, lo in zip(full, least, strict=True)]


def clean_hr_sizes(clean_hr: Path, crop_multiple: int) -> tuple[tuple[int, int], ...]:
    """(h, w) of every clean HR image as the protocol reads it (sides cut to
    ``crop_multiple``)."""
    out = []
    for f in list_images([clean_hr]):
        h, w = image_size(f)
        out.append((h - h % crop_multiple, w - w % crop_multiple))
    return tuple(out)


def median_image(clean_hr: Path) -> torch.Tensor:
    """The clean HR image of median pixel count (the probe's image)."""
    files = list_images([clean_hr])
    by_size = sorted(files, key=lambda f: math.prod(image_size(f)))
    return read_image(by_size[len(by_size) // 2])

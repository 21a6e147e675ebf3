"""Per-sample randomness (public API): generators derived from ``(seed, index)``, the draw
primitives, and the named seed streams.

degsdk never touches the global RNG. A batch of N samples gets N independent CPU
``torch.Generator`` objects; sample *i*'s stream depends only on ``(seed, indices[i])``, so its
result is the same whatever the batch size, worker count or order.

A degrader's ``sample`` draws every value with these primitives, from that sample's generator:
``uniform``, ``randint``, ``normal``, ``bernoulli``, ``choice``, ``permutation``, and
``draw_float``/``draw_int`` for ``FloatRange``/``IntRange`` parameters. A noise field (a tensor
of random values) is not stored: ``sample`` records ``draw_seed(g)`` and ``apply`` recreates
the field from ``generator_from_seed(seed)``. Composite draws (a kernel's parameters, a
pipeline stage) are plain functions or methods built on these primitives. A container gives
each child its own stream with ``spawn``. Anything else that needs randomness (crop positions,
an epoch's seed) derives its seed from a named :class:`Stream`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ._errors import InputError

_MAX_SEED = 2**63 - 1


class Stream:
    """The named seed streams: ``derive_seed(seed, index, Stream.NAME)``. Each subsystem that
    needs randomness besides the per-sample degrader generators (``derive_seed(seed, index)``,
    no stream) draws from its own stream, so none shifts another's draws. The numbers are part
    of every recorded dataset's identity: never renumber one."""

    CROP = 1
    """Recipe crop positions; index = the input image's number."""
    HR_TRANSFORM = 2
    """A recipe's ``hr_transform`` seed; index 0, then per-sample generators from it."""
    EPOCH = 3
    """``DegradedPairs`` epoch *e* > 0: the degrader seed; index = e."""
    EVAL_TEST = 4
    """The seed for degrading the test HR in ``degsdk eval`` and ``degsdk fit``'s scoring;
    index 0 (it shared 1 with ``CROP`` until the streams were made distinct)."""
    FIT_REALISM = 5
    """The degrader seed of ``degsdk.fit.realism_distance`` (a fitter's search by realism);
    index 0."""
    CALIBRATE_SIMULATION = 6
    """``degsdk calibrate``: the sensor noise simulated to correct the PSF for what noise
    and the codec do to its fit; index 0."""


def streams() -> dict[str, int]:
    """Every named stream: name → number (distinct, tested)."""
    return {k: v for k, v in vars(Stream).items() if k.isupper() and isinstance(v, int)}


def derive_seed(seed: int, index: int, *path: int) -> int:
    """A 63-bit seed mixed from ``seed``, ``index`` and an optional path of ints.

    Uses numpy's ``SeedSequence`` (a well-tested hash), so nearby inputs give unrelated seeds.
    """
    if seed < 0 or index < 0 or any(p < 0 for p in path):
        raise InputError(f"seed and indices must be non-negative integers, got seed={seed}, "
                         f"index={index}, path={path}")
    state = np.random.SeedSequence([int(seed), int(index), *map(int, path)]).generate_state(
        2, dtype=np.uint32
    )
    return int((int(state[0]) << 31) ^ int(state[1])) & _MAX_SEED


def generator_from_seed(seed: int) -> torch.Generator:
    """A fresh CPU generator seeded with ``seed``."""
    g = torch.Generator(device="cpu")
    g.manual_seed(int(seed))
    return g


def make_generators(seed: int, indices: Sequence[int]) -> list[torch.Generator]:
    """One CPU generator per sample, from ``(seed, indices[i])``."""
    return [generator_from_seed(derive_seed(seed, int(i))) for i in indices]


def draw_seed(generator: torch.Generator) -> int:
    """Draw a 63-bit integer seed from ``generator`` (one draw, fixed cost)."""
    return int(torch.randint(0, _MAX_SEED, (1,), generator=generator, dtype=torch.int64))


def spawn(generators: Sequence[torch.Generator], n: int) -> list[list[torch.Generator]]:
    """Child streams for ``n`` sub-components: ``result[k][i]`` is child *k*'s generator for
    sample *i*. Each parent generator advances by exactly ``n`` draws, so what a child does with
    its stream never shifts the draws of its siblings."""
    seeds = [[draw_seed(g) for _ in range(n)] for g in generators]
    return [[generator_from_seed(seeds[i][k]) for i in range(len(generators))] for k in range(n)]


def uniform(generator: torch.Generator, low: float, high: float) -> float:
    """One float drawn uniformly from ``[low, high)`` (``low`` if they are equal)."""
    u = float(torch.rand((), generator=generator, dtype=torch.float64))
    return low + (high - low) * u


def randint(generator: torch.Generator, low: int, high: int) -> int:
    """One integer drawn uniformly from ``[low, high]`` (both ends included)."""
    return int(torch.randint(int(low), int(high) + 1, (1,), generator=generator))


def normal(generator: torch.Generator, n: int) -> list[float]:
    """``n`` standard normal floats (float64)."""
    return [float(v) for v in torch.randn(n, generator=generator, dtype=torch.float64)]


def bernoulli(generator: torch.Generator, p: float) -> bool:
    """True with probability ``p``."""
    return float(torch.rand((), generator=generator, dtype=torch.float64)) < p


def choice(generator: torch.Generator, weights: Sequence[float]) -> int:
    """An index drawn with probability proportional to ``weights``."""
    w = torch.tensor(list(weights), dtype=torch.float64)
    return int(torch.multinomial(w, 1, generator=generator))


def permutation(generator: torch.Generator, n: int) -> list[int]:
    """A uniformly random permutation of ``range(n)``."""
    return [int(v) for v in torch.randperm(n, generator=generator)]


def draw_float(generator: torch.Generator, value: tuple[float, float]) -> float:
    """One value from a ``FloatRange`` (``(low, high)``, uniform)."""
    return uniform(generator, value[0], value[1])


def draw_int(generator: torch.Generator, value: tuple[int, int]) -> int:
    """One value from an ``IntRange`` (``(low, high)``, both included)."""
    return randint(generator, value[0], value[1])

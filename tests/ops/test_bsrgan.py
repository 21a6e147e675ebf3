"""``bsrgan`` and ``bsrgan_plus``: the released sampling rules, per-sample independence,
replay and golden outputs."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import torch

import degsdk
from degsdk.ops._bsrgan import BSRGAN_OPS, BSRGAN_PLUS_OPS, shifted_gaussian
from degsdk.seeding import make_generators
from tests.conftest import smooth_images
from tests.pipeline_helpers import expand_batch

N = 3000


def _close(p_hat: float, p: float, n: int) -> bool:
    return abs(p_hat - p) < 4.5 * math.sqrt(p * (1 - p) / n) + 1e-9


@pytest.fixture(scope="module")
def bsrgan_draws() -> list[dict]:
    return degsdk.create("bsrgan").sample(expand_batch(N, 64), make_generators(1, range(N)))


def test_bsrgan_order_keeps_downsample3_after_downsample2(bsrgan_draws: list[dict]) -> None:
    for d in bsrgan_draws:
        assert sorted(d["order"]) == sorted(BSRGAN_OPS)
        assert d["order"].index("downsample2") < d["order"].index("downsample3")
    firsts = Counter(d["order"][0] for d in bsrgan_draws)
    assert set(firsts) == set(BSRGAN_OPS) - {"downsample3"}  # every op but it can come first


@pytest.mark.parametrize(("name", "ops"), [("bsrgan", BSRGAN_OPS),
                                           ("bsrgan_plus", BSRGAN_PLUS_OPS)])
def test_version_2_names_the_ops_and_keeps_version_1_draws_and_output(
        name: str, ops: tuple[str, ...]) -> None:
    hr = smooth_images(3, 64, 64, seed=2)
    v1 = degsdk.create(name, version="1")(hr, seed=4)
    v2 = degsdk.create(name, version="2")(hr, seed=4)
    assert torch.equal(v1.lr, v2.lr)
    for p1, p2 in zip(v1.params, v2.params, strict=True):
        assert all(isinstance(i, int) for i in p1["order"])
        assert p2["order"] == [ops[i] for i in p1["order"]]
        assert {k: v for k, v in p1.items() if k not in ("order", "version")} == {
            k: v for k, v in p2.items() if k not in ("order", "version")}
    # a version-1 manifest still replays with today's code
    assert torch.equal(degsdk.create(name).apply(hr, v1.params), v1.lr)


def test_bsrgan_probabilities_and_ranges(bsrgan_draws: list[dict]) -> None:
    pre = [d["prehalve"] is not None for d in bsrgan_draws]
    assert _close(np.mean(pre), 0.25, N)
    assert all(d["sf"] == (2 if d["prehalve"] else 4) for d in bsrgan_draws)
    assert _close(np.mean([d["ds2"]["kind"] == "resize" for d in bsrgan_draws]), 0.75, N)
    for d in bsrgan_draws:
        if d["ds2"]["kind"] == "resize":
            assert 1 <= d["ds2"]["factor"] <= 2 * d["sf"]
        else:
            assert 0.1 <= d["ds2"]["sigma"] <= 0.6 * d["sf"]
    kinds = Counter(d["noise"]["kind"] for d in bsrgan_draws)
    for k, p in (("color", 0.4), ("gray", 0.4), ("correlated", 0.2)):
        assert _close(kinds[k] / N, p, N), k
    levels = [d["noise"]["level"] for d in bsrgan_draws]
    assert min(levels) == 2 and max(levels) == 25
    assert _close(np.mean([d["jpeg"] is not None for d in bsrgan_draws]), 0.9, N)
    blurs = [d["blur1"] for d in bsrgan_draws] + [d["blur2"] for d in bsrgan_draws]
    assert _close(np.mean([b["type"] == "aniso" for b in blurs]), 0.5, 2 * N)
    assert {b["size"] for b in blurs} == set(range(7, 26, 2))
    for b in blurs:  # wd2 = 4 + sf, wd = 2 + 0.2 sf, with the sample's sf
        assert ("var1" in b and 0 <= b["var1"] <= 8 and 0 <= b["theta"] <= math.pi) or (
            "sigma" in b and 0 <= b["sigma"] <= 2.8)


def test_bsrgan_plus_shuffle_rules() -> None:
    draws = degsdk.create("bsrgan_plus").sample(expand_batch(N, 64),
                                                make_generators(2, range(N)))
    full = [d for d in draws if d["shuffle"] == "full"]
    local = [d for d in draws if d["shuffle"] == "local"]
    assert _close(len(full) / N, 0.5, N)
    for d in local:  # blur/resize/JPEG stay in place; noise ops shuffle within their block
        o = [BSRGAN_PLUS_OPS.index(op) for op in d["order"]]
        assert [o[i] for i in (0, 1, 6, 7, 8)] == [0, 1, 6, 7, 8]
        assert sorted(o[2:6]) == [2, 3, 4, 5] and sorted(o[9:13]) == [9, 10, 11, 12]
    assert len({tuple(d["order"]) for d in full}) > 0.99 * len(full)
    for key in ("poisson_a", "speckle_b"):
        assert _close(np.mean([d[key] is not None for d in draws]), 0.1, N)
    ups = [d["resize_a"]["factor"] for d in draws]
    assert _close(np.mean([f > 1 for f in ups]), 0.2, N) and min(ups) >= 0.5 / 4
    assert _close(np.mean([f == 1.0 for f in ups]), 0.1, N)


def test_shifted_gaussian_moves_mass_up_left() -> None:
    k = shifted_gaussian(1.5, 4).double().numpy()
    ax = np.arange(25) - 12
    assert k.sum() == pytest.approx(1.0)
    cy, cx = (k.sum(1) * ax).sum(), (k.sum(0) * ax).sum()
    assert cy == pytest.approx(-1.5, abs=0.05) and cx == pytest.approx(-1.5, abs=0.05)


@pytest.mark.parametrize("name", ["bsrgan", "bsrgan_plus"])
def test_shapes_replay_and_batch_independence(name: str) -> None:
    hr = smooth_images(4, 96, 128, seed=8)
    deg = degsdk.create(name)
    res = deg(hr, seed=5)
    assert res.lr.shape == (4, 3, 24, 32) and res.lr.min() >= 0 and res.lr.max() <= 1
    assert torch.equal(deg.apply(hr, res.params), res.lr)
    assert torch.equal(deg(hr[1:2], seed=5, indices=[1]).lr[0], res.lr[1])
    with pytest.raises(degsdk.InputError, match="at least 64×64"):
        deg(torch.rand(1, 3, 32, 32), seed=0)
    with pytest.raises(degsdk.InputError, match="divisible by scale 4"):
        deg(torch.rand(1, 3, 66, 64), seed=0)

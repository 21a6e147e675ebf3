"""Containers: probabilities, structure of params, validation at construction."""

from __future__ import annotations

import pytest
import torch

import degsdk
from degsdk import OneOf, RandomApply, Sequential, Shuffle

N = 400


@pytest.fixture(scope="module")
def tiny() -> torch.Tensor:
    return torch.rand(N, 3, 4, 4)


def test_one_of_frequencies_follow_probs(tiny: torch.Tensor) -> None:
    deg = OneOf([{"name": "jpeg", "params": {"quality": 90}},
                 degsdk.create("gaussian_noise", sigma=1.0),
                 {"name": "resize", "params": {"factor": 1.0}}], probs=[2, 1, 1])
    res = deg(tiny, seed=0)
    counts = [sum(p["choice"] == k for p in res.params) for k in range(3)]
    # Binomial(400, 0.5) sd = 10; (400, 0.25) sd ≈ 8.7: 4-sd bounds.
    assert abs(counts[0] - 200) < 40 and abs(counts[1] - 100) < 35 and abs(counts[2] - 100) < 35


def test_random_apply_probability_and_passthrough(tiny: torch.Tensor) -> None:
    deg = RandomApply(degsdk.create("gaussian_noise", sigma=5.0), p=0.3)
    res = deg(tiny, seed=1)
    applied = [p["applied"] for p in res.params]
    assert abs(sum(applied) - 120) < 37  # Binomial(400, 0.3): sd ≈ 9.2
    for i, a in enumerate(applied):
        same = torch.equal(res.lr[i], tiny[i])
        assert same != a
        assert (res.params[i]["params"] is None) != a


def test_shuffle_draws_every_order(tiny: torch.Tensor) -> None:
    ops = [degsdk.create("gaussian_noise", sigma=1.0), degsdk.create("jpeg", quality=90),
           degsdk.create("resize", factor=1.0)]
    res = Shuffle(ops)(tiny, seed=0)
    orders = {tuple(p["order"]) for p in res.params}
    assert len(orders) == 6
    assert all(sorted(p["order"]) == [0, 1, 2] for p in res.params)


def test_shuffle_order_changes_the_result() -> None:
    x = torch.rand(64, 3, 16, 16)
    deg = Shuffle([degsdk.create("gaussian_noise", sigma=10.0),
                   degsdk.create("jpeg", quality=30)])
    res = deg(x, seed=0)
    # Replaying one sample with the order forced the other way gives another image.
    p = dict(res.params[0])
    flipped = {**p, "order": p["order"][::-1]}
    assert not torch.equal(deg.apply(x[:1], [flipped]), res.lr[:1])


def test_sequential_params_and_scale() -> None:
    deg = Sequential([degsdk.create("resize", factor=0.5),
                      {"name": "gaussian_blur", "params": {"sigma": 1.0}},
                      degsdk.create("resize", factor=0.5)])
    assert deg.scale == 4
    res = deg(torch.rand(2, 3, 32, 32), seed=0)
    assert res.lr.shape == (2, 3, 8, 8)
    assert [len(p["ops"]) for p in res.params] == [3, 3]
    assert res.params[0]["ops"][1]["sigma"] == 1.0


def test_children_get_independent_streams() -> None:
    """Changing what one child draws does not shift another child's draws."""
    x = torch.rand(4, 3, 16, 16)
    noise = {"name": "gaussian_noise", "params": {"sigma": [1, 20]}}
    a = Sequential([{"name": "gaussian_blur", "params": {"sigma": [0.5, 2]}}, noise])(x, seed=5)
    b = Sequential([{"name": "gaussian_blur", "params": {"sigma": 1.0}}, noise])(x, seed=5)
    assert [p["ops"][1] for p in a.params] == [p["ops"][1] for p in b.params]


def test_nested_containers_validate_at_construction() -> None:
    with pytest.raises(degsdk.ConfigError, match="same scale"):
        OneOf([degsdk.create("resize", factor=0.5), degsdk.create("jpeg")])
    with pytest.raises(degsdk.ConfigError, match="scale 2"):
        RandomApply(degsdk.create("resize", factor=0.5))
    with pytest.raises(degsdk.ConfigError, match="probs has 1 entries for 2 ops"):
        OneOf([degsdk.create("jpeg"), degsdk.create("jpeg")], probs=[1])
    with pytest.raises(degsdk.ConfigError, match="p"):
        RandomApply(degsdk.create("jpeg"), p=1.5)
    with pytest.raises(degsdk.ConfigError, match="ops"):
        Sequential([])
    with pytest.raises(degsdk.UnknownComponentError,
                       match=r"config.params.ops\[1\].*no degrader named 'blurr'.*gaussian_blur"):
        degsdk.from_config({"name": "sequential", "params": {"ops": [
            {"name": "jpeg"}, {"name": "blurr"}]}})


def test_shuffle_rejects_order_dependent_sizes() -> None:
    deg = Shuffle([degsdk.create("resize", factor=0.25), degsdk.create("resize", factor=2.0)])
    assert deg(torch.rand(1, 3, 16, 16), seed=0).lr.shape == (1, 3, 8, 8)
    with pytest.raises(degsdk.InputError, match="depends on the op order"):
        # 2 → ×0.25 fails, but 2 → ×2 → ×0.25 = 1 works: only some orders divide.
        deg(torch.rand(1, 3, 2, 2), seed=0)
    with pytest.raises(degsdk.InputError, match=r"smaller than the scale|not a whole number"):
        deg(torch.rand(1, 3, 3, 3), seed=0)  # no order divides


def test_one_of_old_weights_spelling_still_loads_with_a_warning(tiny: torch.Tensor) -> None:
    ops = [{"name": "jpeg", "params": {"quality": 90}}, {"name": "resize", "params": {"factor": 1}}]
    with pytest.warns(DeprecationWarning, match="`weights` is now `probs`"):
        old = degsdk.from_config({"name": "one_of", "params": {"ops": ops, "weights": [3, 1]}})
    new = degsdk.from_config({"name": "one_of", "params": {"ops": ops, "probs": [3, 1]}})
    assert old.to_config() == new.to_config() and old.to_config()["params"]["probs"] == [3, 1]
    assert torch.equal(old(tiny, seed=1).lr, new(tiny, seed=1).lr)
    with pytest.raises(degsdk.ConfigError, match="not also its old spelling"):
        degsdk.create("one_of", ops=ops, probs=[1, 1], weights=[1, 1])


@pytest.mark.parametrize(("name", "params", "message"), [
    ("gaussian_blur", {"sigma": float("nan")}, r"sigma: expected a finite number \(got nan\)$"),
    ("gaussian_noise", {"sigma": float("inf")}, r"sigma: expected a finite number \(got inf\)$"),
    ("gaussian_blur", {"sigma": "abc"},
     r"sigma: expected a number or \[low, high\] of them \(got 'abc'\)$"),
    ("jpeg", {"quality": 50.5},
     r"jpeg: invalid parameters:\n  quality: expected an integer or \[low, high\] of "
     r"integers \(got 50.5\)$"),
    ("gaussian_blur", {"sigma": [1, 2, 3]}, r"\(3 values given\)"),
])
def test_range_parameters_give_one_plain_error(name: str, params: dict, message: str) -> None:
    """Issue 16 rows 10 and 14: NaN/inf and non-numbers are parameter errors naming the field,
    once, in plain words."""
    with pytest.raises(degsdk.ConfigError, match=message):
        degsdk.create(name, **params)

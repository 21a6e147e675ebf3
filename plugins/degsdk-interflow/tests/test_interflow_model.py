"""The ``interflow`` degrader: hooks, the flow's invertibility and log-det, the level priors and
their blend, temperature 0, the Degrader contract, weights round trip."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch
from conftest import SMALL, small_model
from degsdk_interflow import InterFlow, LevelPriors, blend_weight

import degsdk
from degsdk.testing import check_degrader, example_images


def test_registered_through_the_hooks_alone() -> None:
    out = subprocess.run([sys.executable, "-m", "degsdk", "plugins", "--json"],
                         capture_output=True, text=True, check=True)
    info = {p["name"]: p for p in json.loads(out.stdout)}["interflow"]
    assert info["distribution"] == "degsdk-interflow" and not info["failures"]
    assert info["components"]["degrader"] == ["interflow"]
    assert info["components"]["trainer"] == ["interflow"]
    assert info["components"]["command"] == ["interflow-densify"]
    assert info["components"]["fitter"] == ["interflow"]


def test_latent_shape_follows_the_official_code() -> None:
    m = InterFlow(**SMALL)  # L = 2: one latent of 48 × H/4 × W/4, no split
    hr = torch.rand(1, 3, 32, 40)
    z, _ = m.encode(torch.rand(1, 3, 32, 40), m.conditions(hr))
    assert tuple(z.shape) == (1, 48, 8, 10)
    assert m.priors.means.shape == (2,)  # one scalar mean per level
    assert torch.allclose(m.priors.means, torch.tensor([-0.1, 0.1]))
    assert torch.equal(m.priors.factors[1], torch.eye(48) * 0.1)
    chan = InterFlow(**SMALL, prior_mean="channel", trained_levels=[2, 3, 4])
    assert chan.priors.means.shape == (3, 48)
    assert torch.allclose(chan.priors.means[:, 0], torch.tensor([-0.1, 0.0, 0.1]))


def test_flow_inverts_and_its_logdet_equals_autograd() -> None:
    m = small_model().double()
    g = torch.Generator().manual_seed(0)
    hr = torch.rand(1, 3, 8, 8, generator=g, dtype=torch.float64)
    lr = torch.rand(1, 3, 8, 8, generator=g, dtype=torch.float64)
    conds = m.conditions(hr)
    z, logdet = m.encode(lr, conds)
    torch.testing.assert_close(m.decode(z, conds), lr, rtol=0, atol=1e-10)
    jac = torch.autograd.functional.jacobian(
        lambda v: m.encode(v.view_as(lr), conds)[0].flatten(), lr.flatten())
    assert float(logdet[0].detach()) == pytest.approx(float(torch.linalg.slogdet(jac)[1]), abs=1e-8)


def test_prior_log_prob_matches_scipy() -> None:
    from scipy.stats import multivariate_normal

    p = LevelPriors([2.0, 4.0], 3, mean="channel")
    with torch.no_grad():
        p.means.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.0, 0.5, -0.5]]))
        p.factors.copy_(torch.tensor([[[1.0, 0, 0], [0.5, 0.8, 0], [0.1, 0.2, 0.6]],
                                      [[0.7, 0, 0], [0, 0.9, 0], [0.3, 0, 1.2]]]))
    z = torch.randn(2, 3, 2, 2, generator=torch.Generator().manual_seed(0))
    for t in range(2):
        cov = (p.factors[t] @ p.factors[t].T).double().detach().numpy()
        mean = p.means[t].double().detach().numpy()
        ref = [sum(multivariate_normal(mean, cov).logpdf(z[i, :, y, x].double().numpy())
                   for y in range(2) for x in range(2)) for i in range(2)]
        torch.testing.assert_close(p.log_prob(z, t).double(), torch.tensor(ref,
                                   dtype=torch.float64), rtol=1e-5, atol=1e-4)


def test_blend_at_zero_and_one_is_the_levels_own_prior() -> None:
    m = small_model(trained_levels=[2.0, 3.0, 4.0], prior_mean="channel")
    for lower in (0, 1):
        for w, own in ((0.0, lower), (1.0, lower + 1)):
            mean, factor = m.priors.blended(lower, w)
            assert torch.equal(mean, m.priors.mean_vector(own))
            assert torch.equal(factor, m.priors.factors[own])
    mean, factor = m.priors.blended(0, 0.25)
    torch.testing.assert_close(mean, 0.75 * m.priors.mean_vector(0)
                               + 0.25 * m.priors.mean_vector(1))
    torch.testing.assert_close(factor, 0.75 * m.priors.factors[0] + 0.25 * m.priors.factors[1])


def test_level_map_linear_calibrated_and_extrapolated() -> None:
    assert blend_weight(2.0, [2, 4]) == (0, 0.0)
    assert blend_weight(4.0, [2, 4]) == (0, 1.0)
    assert blend_weight(3.5, [2, 3, 4]) == (1, 0.5)
    assert blend_weight(1.0, [2, 4]) == (0, -0.5)
    assert blend_weight(5.0, [2, 4]) == (0, 1.5)
    # calibrated through (3, 0.3): 2.5 → 0.15, 3.5 → 0.65
    assert blend_weight(2.5, [2, 4], [(3.0, 0.3)])[1] == pytest.approx(0.15)
    assert blend_weight(3.5, [2, 4], [(3.0, 0.3)])[1] == pytest.approx(0.65)
    m = small_model(calibration=[(3.0, 0.3)])
    assert m.blend_weight(3.0) == (0, pytest.approx(0.3))
    assert small_model(calibration=[(3.0, 0.3)], mapping="linear").blend_weight(3.0)[1] == 0.5


def test_temperature_zero_decodes_the_mean() -> None:
    m = small_model()
    hr = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(2))
    g = [torch.Generator().manual_seed(k) for k in range(2)]
    out = m.generate(hr, [2.5, 2.5], [0.0, 0.0], g)
    mean, _ = m.priors.blended(0, 0.25)
    z = mean.view(1, -1, 1, 1).expand(2, -1, 4, 4)
    with torch.no_grad():
        expected = m.decode(z, m.conditions(hr)).clamp(0, 1)
    torch.testing.assert_close(out, expected)


def test_keeps_the_contract_with_a_level_range() -> None:
    m = small_model(level=[2.0, 4.0])
    x = torch.rand(3, 3, 16, 24, generator=torch.Generator().manual_seed(0))
    check_degrader(m, x)
    res = m(x, seed=5, indices=[0, 1, 2])
    levels = [p["level"] for p in res.params]
    assert all(2.0 <= v <= 4.0 for v in levels) and len(set(levels)) == 3
    assert float((res.lr - x).abs().mean()) > 0.01
    assert float((m(x, seed=6, indices=[0, 1, 2]).lr - res.lr).abs().mean()) > 1e-3


def test_odd_sizes_are_padded_and_cropped_back() -> None:
    m = small_model(level=3.0)
    for h, w in ((18, 23), (2, 3)):  # (pads larger than the image mirror again)
        x = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(0))
        assert m(x, seed=0).lr.shape == x.shape


def test_downscale_resizes_to_the_lr_grid_of_a_fixed_level() -> None:
    m = small_model(level=2.0, downscale=True)
    assert m.scale == 2.0
    x = torch.rand(2, 3, 16, 24, generator=torch.Generator().manual_seed(0))
    assert m(x, seed=0).lr.shape == (2, 3, 8, 12)
    with pytest.raises(degsdk.ConfigError, match="fixed level"):
        InterFlow(**SMALL, level=[2.0, 4.0], downscale=True)


def test_levels_outside_the_trained_range_extrapolate_with_a_warning() -> None:
    """One warning per level, pointing at the user's line (issue 28 row 8: two warnings that
    pointed into degsdk/hub/_pretrained.py and degsdk/_interfaces.py)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = InterFlow(**SMALL, level=5.0)
        m(torch.rand(1, 3, 16, 16), seed=0)  # the level it already warned of: no second one
    assert [str(w.message)[:33] for w in caught] == ["interflow: level 5 is outside the"]
    assert caught[0].filename == __file__
    ranged = InterFlow(**SMALL, level=[3.0, 6.0])
    with pytest.warns(UserWarning, match=r"levels? [\d.]+.* outside the trained levels 2–4 "
                      "and extrapolate") as again:
        ranged(torch.rand(2, 3, 16, 16), seed=1, indices=[0, 1])
    assert all(w.filename == __file__ for w in again)


def test_a_fixed_level_is_shown_as_a_number() -> None:
    """Row 9: "level [-1.0, -1.0] must be positive"."""
    with pytest.raises(degsdk.ConfigError, match=r"level -1 must be positive"):
        InterFlow(**SMALL, level=-1)


@pytest.mark.parametrize("bad", [{"trained_levels": [4.0, 2.0]}, {"trained_levels": [2.0]},
                                 {"calibration": [(5.0, 0.5)]}, {"level": 0.0}])
def test_bad_configs_are_clear_errors(bad: dict[str, object]) -> None:
    with pytest.raises(degsdk.ConfigError):
        InterFlow(**SMALL, **bad)


def test_save_load_round_trip(tmp_path: Path) -> None:
    m = small_model(calibration=[(3.0, 0.4)], level=[2.0, 4.0])
    m.save_pretrained(tmp_path / "m")
    back = degsdk.create("interflow", weights=str(tmp_path / "m"))
    assert back.cfg.calibration == [(3.0, 0.4)]
    x = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    assert torch.equal(back(x, seed=3).lr, m(x, seed=3).lr)
    assert torch.equal(degsdk.create("interflow", weights=str(tmp_path / "m"), level=3.0)(
        x, seed=3).lr, small_model(calibration=[(3.0, 0.4)], level=3.0)(x, seed=3).lr)
def test_shipped_weights_keep_the_contract() -> None:
    m = degsdk.create("interflow", weights="interflow/camera24")
    check_degrader(m, example_images(2))
    assert m.cfg.trained_levels == [2.0, 4.0] and m.cfg.calibration

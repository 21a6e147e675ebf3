"""The fitted local latent scale and τ factors (issue 30): the HR cell statistics against
numpy, the scale table against its closed form, the maximum-likelihood covariance of the
scaled deviations, the draw, the τ search, saving and training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import small_model
from degsdk_interflow import InterFlow, train_interflow
from degsdk_interflow.data import from_folders
from degsdk_interflow.prior_fit import (
    JITTER,
    TEMPERATURES,
    encoded_latents,
    fit_priors,
    fit_temperatures,
)
from degsdk_interflow.priors import LevelPriors
from degsdk_interflow.scale_map import (
    MIN_CELLS,
    cell_bins,
    cell_statistics,
    fit_scale_table,
    gradient_quantiles,
)

import degsdk
from degsdk import ConfigError
from degsdk.hub import read_config
from degsdk.seeding import generator_from_seed

TINY = {"architecture": {"flow_steps": 1, "hidden": 8, "nf": 4, "blocks": 1, "gc": 4},
        "patch": 16, "batch_size": 2, "checkpoint_every": 0, "progress": False}


def test_cell_statistics_match_numpy() -> None:
    hr = torch.rand(2, 3, 16, 12, generator=torch.Generator().manual_seed(0))
    brightness, gradient = cell_statistics(hr, 4)
    gray = hr.double().numpy().mean(axis=1)
    dx = np.zeros_like(gray)
    dy = np.zeros_like(gray)
    dx[..., :, :-1] = np.abs(np.diff(gray, axis=-1))
    dy[..., :-1, :] = np.abs(np.diff(gray, axis=-2))
    cells = lambda a: a.reshape(2, 4, 4, 3, 4).mean(axis=(2, 4))  # noqa: E731
    assert brightness.shape == gradient.shape == (2, 4, 3)
    np.testing.assert_allclose(brightness.numpy(), cells(gray), atol=1e-6)
    np.testing.assert_allclose(gradient.numpy(), cells(dx + dy), atol=1e-6)


def test_bins_follow_brightness_and_gradient() -> None:
    flat_dark = torch.full((1, 3, 4, 4), 0.1)
    flat_bright = torch.full((1, 3, 4, 4), 0.9)
    stripes = torch.zeros(1, 3, 4, 4)
    stripes[..., ::2] = 1.0
    hr = torch.cat([flat_dark, flat_bright, stripes], dim=-1)  # cells: dark, bright, busy
    edges = torch.tensor([0.1, 0.3])  # three gradient bins
    k = cell_bins(hr, 4, 4, edges)[0, 0]
    # gradients: dark 0.2 (its last column steps 0.8 up to the bright cell), bright 0.025,
    # stripes 0.75; brightness bins of 0.1, 0.9, 0.5: 0, 3, 2
    assert k.tolist() == [0 * 3 + 1, 3 * 3 + 0, 2 * 3 + 2]
    q = gradient_quantiles([hr[0]], 4, 2)
    assert q.shape == (1,) and float(q) == pytest.approx(float(
        cell_statistics(hr, 4)[1].median()), abs=1e-6)


def test_scale_table_is_the_binned_rms_ratio() -> None:
    # 2 bins; deviations of magnitude a_b about the mean in bin b: table_b = a_b / rms
    mean = torch.tensor([0.5, -1.0])
    bins = torch.tensor([[0, 0, 1, 1]] * 20)  # 40 cells per bin
    signs = torch.where(torch.arange(80).view(20, 4) % 3 == 0, 1.0, -1.0)
    mag = torch.tensor([0.1, 0.4])[bins]
    z = mean.view(2, 1, 1) + (signs * mag)[None].repeat(2, 1, 1)
    table = fit_scale_table([z], [bins], mean, 3)
    rms = float(np.sqrt((0.1 ** 2 + 0.4 ** 2) / 2))
    np.testing.assert_allclose(table[:2].numpy(), [0.1 / rms, 0.4 / rms], rtol=1e-5)
    assert float(table[2]) == 1.0  # an empty bin keeps 1
    few = fit_scale_table([z[..., :1, :]], [bins[:1]], mean, 2)  # 2 cells a bin < MIN_CELLS
    assert MIN_CELLS > 2 and few.tolist() == [1.0, 1.0]


def test_fitted_covariance_is_that_of_the_scaled_deviations(levels_dir: dict[str, Path]
                                                           ) -> None:
    model = small_model(trained_levels=[2.0, 4.0])
    data = from_folders(levels_dir["hr"], {2.0: levels_dir["2"], 4.0: levels_dir["4"]})
    fitted = fit_priors(model, data, scale_bins=(2, 2))
    assert fitted.cfg.scale_bins == [2, 2] and fitted.priors.scale_tables.shape == (2, 2, 2)
    assert not torch.equal(fitted.priors.scale_tables, torch.ones(2, 2, 2))
    edges = fitted.priors.gradient_edges
    for k in range(2):
        zs = encoded_latents(model, data.hr, [row[k] for row in data.lr])
        table = fitted.priors.scale_tables[k].flatten()
        pts, mu = [], fitted.priors.mean_vector(k).detach().double()
        for x, z in zip(data.hr, zs, strict=True):
            s = table[cell_bins(x[None, :, :z.shape[1] * 4, :z.shape[2] * 4], 4, 2, edges)[0]]
            pts.append(((z.double() - mu.view(-1, 1, 1)) / s).reshape(z.shape[0], -1))
        d = torch.cat(pts, dim=1).numpy()
        cov = d @ d.T / d.shape[1]
        f = fitted.priors.factors[k].detach().double()
        tol = 2 * JITTER * np.diag(cov).mean() + 1e-5
        assert np.abs((f @ f.T).numpy() - cov).max() <= tol
    # fitted without bins: no tables (the plain Gaussians)
    plain = fit_priors(model, data, scale_bins=())
    assert plain.cfg.scale_bins == [] and not hasattr(plain.priors, "scale_tables")


def test_draw_multiplies_the_spread_by_the_scale_map() -> None:
    mean, factor = torch.tensor([0.1, -0.2]), torch.tensor([[0.5, 0.0], [0.2, 0.3]])
    scale = torch.tensor([[1.0, 2.0], [0.5, 3.0]])
    plain = LevelPriors.draw(mean, factor, (2, 2), 0.7, generator_from_seed(3))
    scaled = LevelPriors.draw(mean, factor, (2, 2), 0.7, generator_from_seed(3), scale)
    torch.testing.assert_close(scaled - mean.view(2, 1, 1),
                               (plain - mean.view(2, 1, 1)) * scale)


def test_generation_uses_the_tables_and_level_temperatures() -> None:
    hr = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    model = small_model(trained_levels=[2.0, 4.0], scale_bins=[2, 2])
    base = model.decode_prior(hr, [(0, 0.0)], [1.0], [generator_from_seed(1)])
    with torch.no_grad():
        model.priors.scale_tables.fill_(0.0)  # no spread anywhere: the prior's mean
    mean = model.decode_prior(hr, [(0, 0.0)], [1.0], [generator_from_seed(1)])
    expected = model.decode_prior(hr, [(0, 0.0)], [0.0], [generator_from_seed(1)])
    torch.testing.assert_close(mean, expected)
    assert not torch.allclose(base, mean)
    warm = small_model(trained_levels=[2.0, 4.0], level_temperatures=[0.5, 2.0])
    assert warm.level_temperature(0, 0.25) == pytest.approx(0.875)
    cold = small_model(trained_levels=[2.0, 4.0])
    torch.testing.assert_close(
        warm.decode_prior(hr, [(0, 0.25)], [1.0], [generator_from_seed(2)]),
        cold.decode_prior(hr, [(0, 0.25)], [0.875], [generator_from_seed(2)]))


def test_config_rejects_malformed_fields() -> None:
    with pytest.raises(ConfigError, match="scale_bins"):
        InterFlow(scale_bins=[8])
    with pytest.raises(ConfigError, match="level_temperatures"):
        InterFlow(trained_levels=[2.0, 3.0, 4.0], level_temperatures=[1.0, 1.0])


def test_temperature_search_picks_the_closest(levels_dir: dict[str, Path],
                                             tmp_path: Path) -> None:
    model = small_model(trained_levels=[2.0, 4.0])
    data = from_folders(levels_dir["hr"], {2.0: levels_dir["2"], 4.0: levels_dir["4"]})
    fitted = fit_priors(model, data, scale_bins=(2, 2))
    curves = fit_temperatures(fitted, data, images=2, side=32)
    assert list(curves) == [2.0, 4.0]
    assert all(list(c) == list(TEMPERATURES) for c in curves.values())
    assert fitted.cfg.level_temperatures == [min(c, key=c.__getitem__)
                                             for c in curves.values()]
    # saved and loaded strictly with its tables and factors
    fitted.save_pretrained(tmp_path / "m")
    back = degsdk.create("interflow", weights=str(tmp_path / "m"))
    assert back.cfg.level_temperatures == fitted.cfg.level_temperatures
    torch.testing.assert_close(back.priors.scale_tables, fitted.priors.scale_tables)
    torch.testing.assert_close(back.priors.gradient_edges, fitted.priors.gradient_edges)


def test_training_fits_the_local_scale_unless_told_not_to(levels_dir: dict[str, Path],
                                                          tmp_path: Path) -> None:
    common = {**TINY, "hr": levels_dir["hr"],
              "level": [f"{s}={levels_dir[s]}" for s in ("2", "4")], "steps": 2}
    local = train_interflow(**common, out=tmp_path / "local")
    plain = train_interflow(**common, out=tmp_path / "plain", local_scale=False)
    assert local.cfg.scale_bins == [8, 4] and len(local.cfg.level_temperatures) == 2
    assert plain.cfg.scale_bins == [] and plain.cfg.level_temperatures == []
    prov = read_config(tmp_path / "local").provenance
    assert "local scale" in prov["priors"] and "local scale" not in read_config(
        tmp_path / "plain").provenance["priors"]
    assert set(prov["metrics"]["level_temperatures"]) == {"2", "4"}
    # a fine-tune from it keeps the tables' form and refits them
    tuned = train_interflow(**common, out=tmp_path / "tuned", init=str(tmp_path / "local"))
    assert tuned.cfg.scale_bins == [8, 4]

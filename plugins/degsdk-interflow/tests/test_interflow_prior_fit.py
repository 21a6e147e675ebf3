"""Fitted level priors (issue 30): each level's Gaussian is the maximum-likelihood fit of the
flow's latents of that level's LR — checked against a float64 numpy mean and covariance of
the same latents, and against the learned priors' likelihood; training fits them by default,
keeps the learned ones with ``fit_priors=False``, and a fine-tune keeps the init's form."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from conftest import small_model
from degsdk_interflow import train_interflow
from degsdk_interflow.data import from_folders
from degsdk_interflow.prior_fit import JITTER, fit_priors

import degsdk
from degsdk.hub import read_config

TINY = {"architecture": {"flow_steps": 1, "hidden": 8, "nf": 4, "blocks": 1, "gc": 4},
        "patch": 16, "batch_size": 2, "checkpoint_every": 0, "progress": False}


def _data(levels_dir: dict[str, Path]):  # type: ignore[no-untyped-def]
    return from_folders(levels_dir["hr"], {2.0: levels_dir["2"], 4.0: levels_dir["4"]})


def test_fitted_priors_are_the_latents_mean_and_covariance(levels_dir: dict[str, Path]
                                                           ) -> None:
    model = small_model(trained_levels=[2.0, 4.0])
    data = _data(levels_dir)
    fitted = fit_priors(model, data, scale_bins=())  # the plain Gaussians
    assert fitted.cfg.prior_mean == "channel" and model.cfg.prior_mean == "scalar"
    for k in range(2):
        pts = []
        with torch.no_grad():
            for hr, lrs in zip(data.hr, data.lr, strict=True):
                z, _ = model.encode(lrs[k][None], model.conditions(hr[None]))
                pts.append(z[0].reshape(z.shape[1], -1).T.double().numpy())
        p = np.concatenate(pts)
        mean, cov = p.mean(0), np.cov(p.T, bias=True)
        f = fitted.priors.factors[k].detach()
        got_cov = (f @ f.T).double().numpy()
        assert np.allclose(fitted.priors.mean_vector(k).detach().double().numpy(), mean,
                           atol=1e-5)
        tol = 2 * JITTER * np.diag(cov).mean() + 1e-5
        assert np.abs(got_cov - cov).max() <= tol
        # the maximum-likelihood Gaussian beats the learned one on the latents it was fitted to
        zs = torch.from_numpy(p).float().T.reshape(1, -1, p.shape[0], 1)
        assert float(fitted.priors.log_prob(zs, k)) > float(model.priors.log_prob(zs, k))
    # the flow is untouched
    for name, v in model.state_dict().items():
        if not name.startswith("priors."):
            assert torch.equal(v, fitted.state_dict()[name])


def test_training_fits_priors_by_default_and_keeps_the_papers_when_asked(
        levels_dir: dict[str, Path], tmp_path: Path) -> None:
    common = {**TINY, "hr": levels_dir["hr"],
              "level": [f"{s}={levels_dir[s]}" for s in ("2", "4")], "steps": 3}
    fitted = train_interflow(**common, out=tmp_path / "fitted")
    learned = train_interflow(**common, out=tmp_path / "learned", fit_priors=False)
    assert fitted.cfg.prior_mean == "channel" and learned.cfg.prior_mean == "scalar"
    assert "fitted" in read_config(tmp_path / "fitted").provenance["priors"]
    assert read_config(tmp_path / "learned").provenance["priors"] == "learned"
    # fine-tuning from fitted weights keeps their per-channel means (no architecture clash)
    tuned = train_interflow(**common, out=tmp_path / "tuned", init=str(tmp_path / "fitted"))
    assert tuned.cfg.prior_mean == "channel"
    out = degsdk.create("interflow", weights=str(tmp_path / "tuned"), level=3.0)(
        degsdk.read_image(next(levels_dir["hr"].iterdir()))[None], seed=0).lr
    assert torch.isfinite(out).all()

"""The ``dml`` degrader: the contract, noise as a runtime option, weights round trip."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from degsdk_dml import DML

import degsdk
from degsdk.testing import check_degrader, example_images

SMALL = {"num_kernels": 3, "kernel_size": 5, "width": 4, "levels": 1}


def test_registered_through_the_hooks_alone() -> None:
    out = subprocess.run([sys.executable, "-m", "degsdk", "plugins", "--json"],
                         capture_output=True, text=True, check=True)
    info = {p["name"]: p for p in json.loads(out.stdout)}
    assert info["dml"]["distribution"] == "degsdk-dml" and not info["dml"]["failures"]
    assert info["dml"]["components"]["degrader"] == ["dml"]
    assert info["dml"]["components"]["trainer"] == ["dml"]
    assert "dml" in degsdk.list_degraders() and "dml" in degsdk.list_trainers()


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("scale", [1, 2, 4])
def test_keeps_the_contract(scale: int, version: str) -> None:
    deg = degsdk.create("dml", scale=scale, version=version, **SMALL)
    hr = torch.rand(3, 3, 32, 48, generator=torch.Generator().manual_seed(0))
    check_degrader(deg, hr)  # batched (version 2) within its declared batch_tolerance
    res = deg(hr, seed=5)
    assert res.lr.shape == (3, 3, 32 // scale, 48 // scale) and set(res.params[0]) == {
        "noise_seed"}
    if version == "1":  # one sample at a time: bit-identical in any batch
        assert torch.equal(deg(hr[2:], seed=5, indices=[2]).lr[0], res.lr[2])


def test_shipped_weights_keep_the_contract() -> None:
    check_degrader(degsdk.create("dml", weights="dml/city100"), example_images(3, size=48))


def test_noise_sigma_is_awgn_and_zero_is_the_clean_prediction() -> None:
    deg = degsdk.create("dml", noise_sigma=0, **SMALL)
    hr = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1)) * 0.5 + 0.25
    clean = deg(hr, seed=0)
    assert clean.params == [{}]
    torch.testing.assert_close(clean.lr, deg.predict(hr).detach().clamp(0, 1))
    noisy = degsdk.create("dml", noise_sigma=5, **SMALL)
    noisy.load_state_dict(deg.state_dict())
    diff = noisy(hr, seed=0).lr - clean.lr
    assert abs(float(diff.std()) * 255 - 5) < 0.25 and abs(float(diff.mean())) < 0.01


def test_kernels_are_normalised_and_global_rng_untouched() -> None:
    torch.manual_seed(0)
    before = torch.rand(3)
    torch.manual_seed(0)
    deg = degsdk.create("dml", **SMALL)
    deg(torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(2)), seed=1)
    assert torch.equal(torch.rand(3), before)
    k = deg.kernels()
    assert (k >= 0).all()
    torch.testing.assert_close(k.sum(dim=(1, 2)), torch.ones(3))


def test_save_load_round_trip_and_noise_override(tmp_path: Path) -> None:
    deg = DML(scale=2, **SMALL)
    deg.reset_parameters(torch.Generator().manual_seed(7))
    deg.save_pretrained(tmp_path / "m")
    hr = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(3))
    for loaded in (degsdk.load(str(tmp_path / "m")),
                   degsdk.create("dml", weights=str(tmp_path / "m"))):
        assert isinstance(loaded, DML) and loaded.scale == 2
        torch.testing.assert_close(loaded(hr, seed=4).lr, deg(hr, seed=4).lr, rtol=0, atol=0)
    quiet = degsdk.load(str(tmp_path / "m"), noise_sigma=0)
    torch.testing.assert_close(quiet(hr, seed=4).lr, deg.predict(hr).detach().clamp(0, 1))
    # in a composition, through a config round trip
    pipe = degsdk.from_config({"name": "sequential", "params": {"ops": [
        quiet.to_config(), {"name": "jpeg", "params": {"quality": 90}}]}})
    assert pipe.to_config()["params"]["ops"][0]["params"] == {
        "weights": str(tmp_path / "m"), "noise_sigma": 0.0, "version": "2"}
    assert pipe(hr, seed=0).lr.shape == (2, 3, 16, 16)
    with pytest.raises(degsdk.ConfigError, match="architecture"):
        degsdk.load(str(tmp_path / "m"), width=8)

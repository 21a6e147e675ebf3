"""The ``deflow`` degrader: hooks, the Degrader contract, τ = 0, weights round trip, the
likelihood terms."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from degsdk_deflow import DeFlow

import degsdk
import degsdk.nn.flow
from degsdk.nn.flow import standard_normal_log_prob
from degsdk.testing import check_degrader, example_images

SMALL = {"levels": 2, "flow_steps": 1, "hidden": 8, "nf": 4, "blocks": 1, "gc": 4}


def _model(**kw: object) -> DeFlow:
    m = DeFlow(**{**SMALL, **kw})
    m.reset_parameters(torch.Generator().manual_seed(1))
    with torch.no_grad():  # move off the identity-like init so samples differ from inputs
        for s in m.shifts:
            s.mean.add_(0.3)
            s.factor.copy_(torch.eye(s.factor.shape[0]) * 0.5)
    return m.eval()


def test_registered_through_the_hooks_alone() -> None:
    out = subprocess.run([sys.executable, "-m", "degsdk", "plugins", "--json"],
                         capture_output=True, text=True, check=True)
    info = {p["name"]: p for p in json.loads(out.stdout)}
    assert info["deflow"]["distribution"] == "degsdk-deflow" and not info["deflow"]["failures"]
    assert info["deflow"]["components"]["degrader"] == ["deflow"]
    assert info["deflow"]["components"]["trainer"] == ["deflow"]


@pytest.mark.parametrize("version", ["1", "2"])
def test_keeps_the_contract(version: str) -> None:
    m = _model(version=version)
    x = torch.rand(3, 3, 16, 24, generator=torch.Generator().manual_seed(0))
    check_degrader(m, x)  # batched (version 2) within its declared batch_tolerance
    res = m(x, seed=5, indices=[0, 1, 2])
    assert set(res.params[0]) == {"seed", "temperature"}
    if version == "1":  # one sample at a time: bit-identical in any batch
        assert torch.equal(m(x[2:], seed=5, indices=[2]).lr[0], res.lr[2])
    assert float((res.lr - x).abs().mean()) > 0.01  # it does degrade
    other = m(x, seed=6, indices=[0, 1, 2]).lr
    assert float((other - res.lr).abs().mean()) > 1e-3  # stochastic: another draw of u


def test_shipped_weights_keep_the_contract() -> None:
    check_degrader(degsdk.create("deflow", weights="deflow/realsrset"), example_images(2))


@pytest.mark.parametrize("size", [(16, 16), (13, 22)])
def test_zero_temperature_returns_the_input(size: tuple[int, int]) -> None:
    m = _model(temperature=0.0)
    x = torch.rand(2, 3, *size, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(m(x, seed=0).lr, x, rtol=0, atol=1e-4)


def test_temperature_scales_the_change() -> None:
    m = _model()
    x = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        small = m.translate(x, [torch.Generator().manual_seed(0)], 0.2)
        big = m.translate(x, [torch.Generator().manual_seed(0)], 1.0)
    assert float((small - x).abs().mean()) < float((big - x).abs().mean())


def test_save_load_round_trip_and_overrides(tmp_path: Path) -> None:
    m = _model()
    m.save_pretrained(tmp_path / "m")
    x = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(3))
    for loaded in (degsdk.load(str(tmp_path / "m")),
                   degsdk.create("deflow", weights=str(tmp_path / "m"))):
        assert isinstance(loaded, DeFlow)
        torch.testing.assert_close(loaded(x, seed=1).lr, m(x, seed=1).lr, rtol=0, atol=0)
    cold = degsdk.load(str(tmp_path / "m"), temperature=0)
    torch.testing.assert_close(cold(x, seed=1).lr, x, rtol=0, atol=1e-4)
    with pytest.raises(degsdk.ConfigError, match="architecture"):
        degsdk.load(str(tmp_path / "m"), hidden=16)
    pipe = degsdk.from_config({"name": "sequential", "params": {"ops": [
        {"name": "resize", "params": {"factor": 0.5}}, cold.to_config()]}})
    assert pipe(x, seed=0).lr.shape == (2, 3, 8, 8)


def test_likelihood_terms_at_init() -> None:
    """At init (μ = 0, M = 0.01·I) the degraded prior differs from the clean one only by
    M·Mᵀ; the paired term is finite and gives M a gradient."""
    m = DeFlow(**SMALL).train()
    x = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(4))
    gens = lambda: [torch.Generator().manual_seed(i) for i in range(2)]  # noqa: E731
    ll_clean = m.log_likelihood(x, torch.tensor([False, False]), gens())
    ll_deg = m.log_likelihood(x, torch.tensor([True, True]), gens())
    # closed form of the prior difference for the same latents:
    # log N(z; 0, (1+s²)I) − log N(z; 0, I) = −½·D·ln(1+s²) + ½·(1 − 1/(1+s²))·Σz²
    g = gens()
    conds = m.conditions(x, g)
    xq, _ = degsdk.nn.flow.dequantize(x, 32, g)
    latents, _ = m.flow.encode(xq, conds)
    v = 1 + 0.01 ** 2
    expected = sum(-0.5 * z[0].numel() * math.log(v) + 0.5 * (1 - 1 / v) * z.pow(2).flatten(1)
                   .sum(1) for z in latents)
    torch.testing.assert_close(ll_deg - ll_clean, expected, rtol=1e-3, atol=1e-3)
    pll = m.paired_log_likelihood(x, (x + 0.05).clamp(0, 1), gens())
    assert bool(torch.isfinite(pll).all())
    pll.sum().backward()
    assert float(m.shifts[0].factor.grad.abs().sum()) > 0
    assert float(standard_normal_log_prob(torch.zeros(1, 2, 1, 1))[0]) < 0


def test_normalisation_maps_between_domain_statistics() -> None:
    m = _model(normalize=True)
    m.domain_mean.copy_(torch.tensor([[0.5, 0.5, 0.5], [0.4, 0.45, 0.5]]))
    m.domain_std.copy_(torch.tensor([[0.2, 0.2, 0.2], [0.1, 0.15, 0.2]]))
    y = 0.4 + 0.05 * torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(5))
    torch.testing.assert_close(m.to_degraded_stats(m.to_clean_stats(y)), y, atol=1e-6, rtol=0)
    assert not torch.allclose(m.to_clean_stats(y), y)

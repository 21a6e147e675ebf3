"""InterFlow's losses against hand computations on tiny cases."""

from __future__ import annotations

import math

import pytest
import torch
from conftest import small_model
from degsdk_interflow import information_bottleneck, lr_consistency, training_losses
from scipy.stats import multivariate_normal

from degsdk.nn.flow import dequantize


def test_information_bottleneck_by_hand() -> None:
    table = torch.tensor([[-10.0, -30.0], [-50.0, -20.0], [-8.0, -8.0]])
    target = torch.tensor([0, 1, 0])
    pixels = 10
    expected = 0.0
    for row, t in zip(table.tolist(), target.tolist(), strict=True):
        a = [v / pixels for v in row]
        expected += -(a[t] - math.log(sum(math.exp(v) for v in a)))
    expected /= 3
    assert float(information_bottleneck(table, target, pixels)) == pytest.approx(expected)


def test_lr_consistency_by_hand() -> None:
    # constant images stay constant under the antialiased bicubic ↓4, so the loss is the mean of
    # |d − ((1 − w)·a + w·b)| over samples (and pixels)
    vals = [(0.2, 0.1, 0.5, 0.25), (0.9, 0.6, 0.3, 0.5)]  # (decoded, low, high, w)
    dec = torch.stack([torch.full((3, 8, 8), d) for d, _, _, _ in vals])
    low = torch.stack([torch.full((3, 8, 8), a) for _, a, _, _ in vals])
    high = torch.stack([torch.full((3, 8, 8), b) for _, _, b, _ in vals])
    w = torch.tensor([v[3] for v in vals])
    expected = sum(abs(d - ((1 - ww) * a + ww * b)) for d, a, b, ww in vals) / 2
    assert float(lr_consistency(dec, low, high, w)) == pytest.approx(expected, abs=1e-6)
    # and it looks at low frequencies only: ±checkerboard detail averages away
    checker = (torch.arange(8).view(-1, 1) + torch.arange(8)) % 2 * 0.2 - 0.1
    assert float(lr_consistency(dec + checker, low, high, w)) == pytest.approx(expected,
                                                                              abs=2e-3)


def test_nll_is_the_flow_density_in_bits_per_dim() -> None:
    m = small_model()
    g = torch.Generator().manual_seed(0)
    hr = torch.rand(1, 3, 8, 8, generator=g)
    lrs = torch.rand(1, 2, 3, 8, 8, generator=g)
    terms = {k: v.detach() for k, v in training_losses(
        m, hr, lrs, [torch.Generator().manual_seed(7)], 0.0, 0.0).items()}
    # independently: the same dequantisation draws, the encode, and scipy's Gaussian
    g7 = torch.Generator().manual_seed(7)  # one scene's generator draws both levels in turn
    xq = torch.cat([dequantize(lrs[0, k : k + 1], 256, [g7])[0] for k in range(2)])
    with torch.no_grad():
        z, logdet = m.encode(xq, [c.expand(2, -1, -1, -1) for c in m.conditions(hr)])
    total = 0.0
    for k in range(2):
        cov = (m.priors.factors[k] @ m.priors.factors[k].T).double().detach().numpy()
        mean = m.priors.mean_vector(k).double().detach().numpy()
        zk = z[k].permute(1, 2, 0).reshape(-1, 48).double().numpy()
        logp = multivariate_normal(mean, cov).logpdf(zk).sum() + float(logdet[k])
        total += -(logp - 3 * 64 * math.log(256)) / (3 * 64 * math.log(2))
    assert float(terms["nll"]) == pytest.approx(total / 2, rel=1e-4)
    assert float(terms["cons"]) == 0.0 and float(terms["ib"]) == 0.0


def test_each_loss_can_be_switched_off() -> None:
    m = small_model()
    g = torch.Generator().manual_seed(0)
    hr, lrs = torch.rand(2, 3, 16, 16, generator=g), torch.rand(2, 2, 3, 16, 16, generator=g)

    def terms(cons: float, ib: float) -> dict[str, float]:
        gens = [torch.Generator().manual_seed(k) for k in range(2)]
        return {k: float(v.detach()) for k, v in
                training_losses(m, hr, lrs, gens, cons, ib).items()}

    full = terms(10.0, 1.0)
    assert full["cons"] > 0 and full["ib"] > 0
    assert full["total"] == pytest.approx(full["nll"] + 10 * full["cons"] + full["ib"],
                                          rel=1e-5)
    assert terms(0.0, 1.0)["cons"] == 0.0 and terms(10.0, 0.0)["ib"] == 0.0
    assert terms(0.0, 0.0)["total"] == pytest.approx(full["nll"], rel=1e-6)

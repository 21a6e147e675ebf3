"""Flow layers in ``degsdk.nn.flow``: exact inverses, log-determinants equal to autograd's
log|det J|, the init constants of the official parametrisation, and the latent densities."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import scipy.stats
import torch
from torch import Tensor, nn

from degsdk.nn.flow import (
    ActNorm,
    AffineInjector,
    ConditionalAffineCoupling,
    ConditionalFlow,
    FlowStep,
    InvertibleConv1x1,
    Split,
    Squeeze,
    bits_per_dim,
    dequantize,
    full_cov_gaussian_log_prob,
    squeeze2d,
    standard_normal_log_prob,
    unsqueeze2d,
)


def _perturb(module: nn.Module, seed: int = 0, scale: float = 0.2) -> nn.Module:
    """Move every parameter off its init so no layer is a disguised identity."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(scale * torch.randn(p.shape, generator=g, dtype=p.dtype))
        for name, b in module.named_buffers():
            if name.endswith("initialized"):
                b.fill_(1)
    return module


def _layers(dtype: torch.dtype) -> list[tuple[str, nn.Module, int | None]]:
    g = torch.Generator().manual_seed(1)
    made: list[tuple[str, nn.Module, int | None]] = [
        ("actnorm", ActNorm(4), None),
        ("invconv_lu", InvertibleConv1x1(4, lu=True, generator=g), None),
        ("invconv_plain", InvertibleConv1x1(4, lu=False, generator=g), None),
        ("coupling", ConditionalAffineCoupling(4, 3, hidden=8, generator=g), 3),
        ("coupling_srflow", ConditionalAffineCoupling(5, 3, hidden=8, mult_reverse=False,
                                                      generator=g), 3),
        ("injector", AffineInjector(4, 3, hidden=8, generator=g), 3),
        ("step", FlowStep(4, 3, hidden=8, generator=g), 3),
        ("step_unconditional", FlowStep(4, 0, generator=g), None),
        ("squeeze", Squeeze(), None),
    ]
    return [(n, _perturb(m).to(dtype).eval(), c) for n, m, c in made]


def _inputs(name: str, cond_ch: int | None, dtype: torch.dtype, n: int = 2, hw: int = 4,
            ) -> tuple[Tensor, Tensor | None]:
    g = torch.Generator().manual_seed(2)
    ch = 5 if name == "coupling_srflow" else 4
    x = torch.randn(n, ch, hw, hw, generator=g, dtype=torch.float64).to(dtype)
    cond = (None if cond_ch is None
            else torch.randn(n, cond_ch, hw, hw, generator=g, dtype=torch.float64).to(dtype))
    return x, cond


@pytest.mark.parametrize(("dtype", "tol"), [(torch.float32, 1e-5), (torch.float64, 1e-10)])
def test_every_layer_inverts(dtype: torch.dtype, tol: float) -> None:
    for name, layer, cond_ch in _layers(dtype):
        x, cond = _inputs(name, cond_ch, dtype, hw=8)
        with torch.no_grad():
            z, ld = layer.encode(x, cond)
            back, ld_back = layer.decode(z, cond)
        assert z.dtype == dtype
        torch.testing.assert_close(back, x, rtol=0, atol=tol, msg=name)
        torch.testing.assert_close(ld + ld_back, torch.zeros_like(ld), rtol=0,
                                   atol=tol * max(1.0, float(ld.abs().max())), msg=name)


def _autograd_logdet(fn: Callable[[Tensor], Tensor], x: Tensor) -> float:
    jac = torch.autograd.functional.jacobian(lambda v: fn(v.view_as(x)).flatten(), x.flatten())
    return float(torch.linalg.slogdet(jac)[1])


def test_logdet_equals_autograd() -> None:
    for name, layer, cond_ch in _layers(torch.float64):
        x, cond = _inputs(name, cond_ch, torch.float64, n=1, hw=2)
        expected = _autograd_logdet(lambda v, lay=layer, c=cond: lay.encode(v, c)[0], x)
        got = float(layer.encode(x, cond)[1][0].detach())
        assert got == pytest.approx(expected, abs=1e-9), name


def test_split_inverts_and_logdet_equals_autograd() -> None:
    split = _perturb(Split(6)).double()
    x = torch.randn(1, 6, 2, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    z1, eps, ld = split.encode(x)
    assert z1.shape == (1, 3, 2, 2) and eps.shape == (1, 3, 2, 2)
    back, ld_back = split.decode(z1, eps)
    torch.testing.assert_close(back, x, rtol=0, atol=1e-12)
    torch.testing.assert_close(ld + ld_back, torch.zeros(1, dtype=torch.float64))
    expected = _autograd_logdet(lambda v: torch.cat(split.encode(v)[:2], 1), x)
    assert float(ld[0].detach()) == pytest.approx(expected, abs=1e-9)


def _tiny_flow(dtype: torch.dtype = torch.float64) -> ConditionalFlow:
    flow = ConditionalFlow(3, levels=3, steps=1, cond_channels=2, hidden=4,
                           generator=torch.Generator().manual_seed(3))
    return _perturb(flow, scale=0.03).to(dtype).eval()


def _tiny_conds(flow: ConditionalFlow, n: int, hw: int, dtype: torch.dtype) -> list[Tensor]:
    g = torch.Generator().manual_seed(4)
    return [torch.randn(n, 2, h, w, generator=g, dtype=torch.float64).to(dtype)
            for h, w in flow.level_sizes(hw, hw)]


def test_multilevel_flow_inverts_and_logdet_equals_autograd() -> None:
    flow = _tiny_flow()
    x = torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    conds = _tiny_conds(flow, 1, 8, torch.float64)
    latents, ld = flow.encode(x, conds)
    assert [tuple(z.shape[1:]) for z in latents] == flow.latent_shapes(8, 8) == [
        (6, 4, 4), (96, 1, 1)]
    back, ld_back = flow.decode(latents, conds)
    torch.testing.assert_close(back, x, rtol=0, atol=1e-10)
    torch.testing.assert_close(ld + ld_back, torch.zeros(1, dtype=torch.float64))
    expected = _autograd_logdet(
        lambda v: torch.cat([z.flatten(1) for z in flow.encode(v, conds)[0]], 1), x)
    assert float(ld[0].detach()) == pytest.approx(expected, abs=1e-8)
    # float32, batch of 2 at 32²: 1e-4 for the deep stack (methods.md §6)
    f32 = _tiny_flow(torch.float32)
    x32 = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(6))
    c32 = _tiny_conds(f32, 2, 32, torch.float32)
    with torch.no_grad():
        back32 = f32.decode(f32.encode(x32, c32)[0], c32)[0]
    torch.testing.assert_close(back32, x32, rtol=0, atol=1e-4)


def test_official_shapes_and_step_count() -> None:
    flow = ConditionalFlow(3, levels=3, steps=16, cond_channels=8, hidden=8)
    assert flow.latent_shapes(160, 160) == [(6, 80, 80), (96, 20, 20)]
    assert sum(len(block) for block in flow.steps) == 54
    assert flow.split_levels == (0,)
    assert ConditionalFlow(3, levels=2, steps=1, cond_channels=8, hidden=8).latent_shapes(
        160, 160) == [(48, 40, 40)]  # InterFlow's L = 2: no split
    with pytest.raises(ValueError, match="not a multiple of 8"):
        flow.encode(torch.rand(1, 3, 12, 12), [torch.rand(1, 8, 6, 6)] * 3)


@pytest.mark.parametrize(("eps", "per_element"), [(1e-3, 0.125793), (1e-4, 0.126814)])
def test_fresh_coupling_and_injector_logdet_constants(eps: float, per_element: float) -> None:
    """Zero-initialised output convs: scale = sigmoid(2) + eps everywhere, so encoding (which
    divides, ``mult_reverse``) adds −ln(sigmoid(2) + eps) per affected element."""
    g = torch.Generator().manual_seed(0)
    x, cond = torch.randn(2, 6, 5, 5, generator=g), torch.randn(2, 3, 5, 5, generator=g)
    inj = AffineInjector(6, 3, hidden=8, eps=eps).train()
    cpl = ConditionalAffineCoupling(6, 3, hidden=8, eps=eps).train()
    with torch.no_grad():
        ld_inj, ld_cpl = inj.encode(x, cond)[1], cpl.encode(x, cond)[1]
    assert float(ld_inj[0]) == pytest.approx(per_element * 6 * 25, rel=1e-5)
    assert float(ld_cpl[0]) == pytest.approx(per_element * 3 * 25, rel=1e-5)
    assert -math.log(1 / (1 + math.exp(-2)) + eps) == pytest.approx(per_element, abs=1e-6)


def test_other_init_invariants() -> None:
    x = torch.randn(4, 5, 6, 8, generator=torch.Generator().manual_seed(0)) * 3 + 1.5
    # squeeze: exact inverse, zero logdet, SRFlow channel order c·4 + 2·dy + dx
    assert torch.equal(unsqueeze2d(squeeze2d(x)), x)
    assert float(Squeeze().encode(x)[1].abs().max()) == 0
    s = squeeze2d(x)
    assert torch.equal(s[:, 1 * 4 + 2 * 1 + 0], x[:, 1, 1::2, 0::2])
    # LU 1×1 conv from an orthogonal W0: log|det| ≈ 0
    conv = InvertibleConv1x1(12, generator=torch.Generator().manual_seed(1))
    assert abs(float(conv.log_abs_det().detach())) < 1e-5
    w = conv.matrix().double()
    torch.testing.assert_close(w @ w.T, torch.eye(12, dtype=torch.float64), atol=1e-6, rtol=0)
    # ActNorm: the first training batch comes out standardised; never re-initialised after
    norm = ActNorm(5).train()
    y, ld = norm.encode(x)
    assert float(ld[0].detach()) == pytest.approx(48 * float(norm.logs.sum().detach()), rel=1e-6)
    torch.testing.assert_close(y.mean((0, 2, 3)), torch.zeros(5), atol=1e-5, rtol=0)
    torch.testing.assert_close(y.std((0, 2, 3), unbiased=False), torch.ones(5), atol=1e-4,
                               rtol=0)
    loaded = ActNorm(5).train()
    loaded.load_state_dict(norm.state_dict())
    torch.testing.assert_close(loaded.encode(x * 2)[0], norm.encode(x * 2)[0])
    # dequantisation: −ln 32 per dimension, noise in ±1/64, per-sample generators
    gens = [torch.Generator().manual_seed(i) for i in range(4)]
    xq, const = dequantize(torch.zeros(4, 3, 2, 2), 32, gens)
    assert float(const[0]) == pytest.approx(-12 * 3.465736, abs=1e-5)
    assert float(xq.abs().max()) <= 1 / 64
    alone = dequantize(torch.zeros(1, 3, 2, 2), 32, [torch.Generator().manual_seed(2)])[0]
    assert torch.equal(alone[0], xq[2])


def test_construction_is_seeded_and_leaves_the_global_rng_alone() -> None:
    state = torch.get_rng_state()
    a = ConditionalFlow(3, 2, 2, 4, 8, generator=torch.Generator().manual_seed(9))
    b = ConditionalFlow(3, 2, 2, 4, 8, generator=torch.Generator().manual_seed(9))
    c = ConditionalFlow(3, 2, 2, 4, 8, generator=torch.Generator().manual_seed(10))
    assert torch.equal(torch.get_rng_state(), state)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)
    mats = [m.matrix() for m in a.modules() if isinstance(m, InvertibleConv1x1)]
    assert not torch.allclose(mats[0][:12, :12], mats[2][:12, :12])  # distinct W0 per layer


def test_latent_densities_match_scipy() -> None:
    g = torch.Generator().manual_seed(0)
    z = torch.randn(2, 3, 2, 4, generator=g, dtype=torch.float64)
    ref = scipy.stats.norm.logpdf(z.numpy()).reshape(2, -1).sum(1)
    np.testing.assert_allclose(standard_normal_log_prob(z).numpy(), ref, rtol=1e-12)
    mean = torch.tensor([0.3, -0.2, 0.1], dtype=torch.float64)
    m = torch.randn(3, 3, generator=g, dtype=torch.float64)
    for identity in (True, False):
        cov = (m @ m.T + (torch.eye(3, dtype=torch.float64) if identity else 0)).numpy()
        pts = z.permute(0, 2, 3, 1).reshape(2, -1, 3).numpy()
        ref = scipy.stats.multivariate_normal(mean.numpy(), cov).logpdf(pts).sum(1)
        got = full_cov_gaussian_log_prob(z, mean, m, identity=identity).numpy()
        np.testing.assert_allclose(got, ref, rtol=1e-10)
    # M = 0 with the identity: exactly the standard normal shifted by μ (DeFlow at init)
    np.testing.assert_allclose(
        full_cov_gaussian_log_prob(z, torch.zeros(3, dtype=torch.float64),
                                   torch.zeros(3, 3, dtype=torch.float64)).numpy(),
        standard_normal_log_prob(z).numpy(), rtol=1e-12)
    ll = torch.tensor([-100.0])
    assert float(bits_per_dim(ll, 50)[0]) == pytest.approx(100 / (50 * math.log(2)))
    # a rank-deficient M (paired mode from weights trained unpaired): M·Mᵀ is singular, so the
    # smallest jitter that makes it positive definite (here 10⁻⁸ of its mean variance) is added
    low = torch.zeros(3, 3, dtype=torch.float64)
    low[:, 0] = torch.tensor([1.0, 0.5, -0.25], dtype=torch.float64)
    assert torch.linalg.cholesky_ex(low @ low.T).info > 0
    got = full_cov_gaussian_log_prob(z, mean, low, identity=False)
    cov = (low @ low.T).numpy() + 1e-8 * float((low @ low.T).diagonal().mean()) * np.eye(3)
    pts = z.permute(0, 2, 3, 1).reshape(2, -1, 3).numpy()
    ref = scipy.stats.multivariate_normal(mean.numpy(), cov).logpdf(pts).sum(1)
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6)

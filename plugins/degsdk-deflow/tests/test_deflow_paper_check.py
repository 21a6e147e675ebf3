"""Paper App. A–B: for 1-D Gaussian data x ~ N(μ_x, σ_x²) and y = x + u, the DeFlow objective
(eq. 1 with p_x = N(0, 1) in latent space and p_y = N(μ̃_u, 1 + σ̃_u²)) with a single affine flow
layer recovers the closed-form optimum."""

from __future__ import annotations

import math

import pytest
import torch
from degsdk_deflow import LatentShift

from degsdk.nn.flow import ActNorm


def _fit(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float, float, float]:
    """Minimise eq. 1 over the affine flow z = (v + b)·exp(logs) and the shift (μ̃_u, M);
    return (μ_x, σ_x, μ_u, σ_u) in data units (App. B: μ_u = μ̃_u·σ_x, σ_u = |M|·σ_x)."""
    flow = ActNorm(1).double()
    flow.initialized.fill_(1)  # plain parameters, no data-dependent init
    shift = LatentShift(1, init_std=0.5).double()
    params = [*flow.parameters(), *shift.parameters()]
    opt = torch.optim.LBFGS(params, lr=1, max_iter=2000, tolerance_grad=1e-14,
                            tolerance_change=1e-16, history_size=50,
                            line_search_fn="strong_wolfe")
    xs, ys = x.view(-1, 1, 1, 1), y.view(-1, 1, 1, 1)
    no, yes = torch.zeros(len(x), dtype=torch.bool), torch.ones(len(y), dtype=torch.bool)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        zx, ldx = flow.encode(xs)
        zy, ldy = flow.encode(ys)
        loss = -(ldx + shift.log_prob(zx, no)).mean() - (ldy + shift.log_prob(zy, yes)).mean()
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    with torch.no_grad():
        sigma_x = float(torch.exp(-flow.logs))
        mu_x = float(-flow.bias)
        return (mu_x, sigma_x, float(shift.mean) * sigma_x, abs(float(shift.factor)) * sigma_x)


@pytest.mark.parametrize(("sx", "uy", "su"), [(0.5, 0.3, 0.4),   # case 1: σ̂_y ≥ σ̂_x
                                              (0.5, 0.2, None)])  # case 2: y narrower than x
def test_single_affine_layer_recovers_the_closed_form(sx: float, uy: float,
                                                      su: float | None) -> None:
    g = torch.Generator().manual_seed(0)
    x = 1.0 + sx * torch.randn(4000, generator=g, dtype=torch.float64)
    if su is not None:
        y = 1.0 + sx * torch.randn(3000, generator=g, dtype=torch.float64)
        y = y + uy + su * torch.randn(3000, generator=g, dtype=torch.float64)
    else:
        y = 1.0 + uy + 0.35 * torch.randn(3000, generator=g, dtype=torch.float64)
    mx, my = float(x.mean()), float(y.mean())
    vx, vy = float(x.var(unbiased=False)), float(y.var(unbiased=False))
    if vy >= vx:  # App. A case 1 (eqs. 27–29)
        assert su is not None
        sigma_x2, sigma_u = vx, math.sqrt(vy - vx)
    else:  # case 2 (eqs. 31–33)
        assert su is None
        sigma_x2, sigma_u = (vx + vy) / 2, 0.0
    mu_x, s_x, mu_u, s_u = _fit(x, y)
    tol = 0.01 * math.sqrt(vy)
    assert abs(mu_u - (my - mx)) <= tol, (mu_u, my - mx)
    assert abs(s_u - sigma_u) <= tol, (s_u, sigma_u)
    assert mu_x == pytest.approx(mx, abs=tol)
    assert s_x == pytest.approx(math.sqrt(sigma_x2), abs=tol)

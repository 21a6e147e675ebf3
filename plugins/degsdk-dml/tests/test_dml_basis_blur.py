"""The fast formulation Σ_m C(m) ⊙ (I ⋆ φ_m) equals the per-pixel-kernel reference (unfold),
in float64, in value and in gradient, for every scale."""

from __future__ import annotations

import pytest
import torch
from degsdk_dml import basis_blur, basis_blur_unfold

import degsdk


def _inputs(scale: int, k: int = 7, m: int = 4, seed: int = 0
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    hr = torch.rand(2, 3, 12 * scale, 18 * scale, generator=g, dtype=torch.float64)
    kernels = torch.rand(m, k, k, generator=g, dtype=torch.float64)
    kernels = kernels / kernels.sum(dim=(1, 2), keepdim=True)
    weights = torch.rand(2, m, *hr.shape[-2:], generator=g, dtype=torch.float64)
    return hr, kernels, weights


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("scale", [1, 2, 3, 4])
def test_fast_equals_unfold_reference(scale: int, method: str) -> None:
    hr, kernels, weights = _inputs(scale, k=9)
    fast = basis_blur(hr, kernels, weights, scale, method=method)  # type: ignore[arg-type]
    ref = basis_blur_unfold(hr, kernels, weights, scale)
    assert fast.shape == (2, 3, 12, 18)
    torch.testing.assert_close(fast, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["direct", "fft"])
def test_gradients_agree(method: str) -> None:
    hr, kernels, weights = _inputs(2, k=9)
    grads = []
    for fn in (lambda *a: basis_blur(*a, method=method), basis_blur_unfold):
        args = [t.clone().requires_grad_(True) for t in (hr, kernels, weights)]
        (fn(*args, 2) ** 2).sum().backward()
        grads.append([a.grad for a in args])
    for a, b in zip(*grads, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-10)


def test_uniform_weights_on_one_delta_kernel_is_identity() -> None:
    hr, _, _ = _inputs(1, k=5, m=1)
    delta = torch.zeros(1, 5, 5, dtype=torch.float64)
    delta[0, 2, 2] = 1
    out = basis_blur(hr, delta, torch.ones(2, 1, *hr.shape[-2:], dtype=torch.float64), 1)
    torch.testing.assert_close(out, hr, rtol=0, atol=0)


def test_bad_shapes_are_named() -> None:
    hr, kernels, weights = _inputs(1)
    with pytest.raises(degsdk.InputError, match="odd size"):
        basis_blur(hr, kernels[:, :6, :6], weights)
    with pytest.raises(degsdk.InputError, match="do not match"):
        basis_blur(hr, kernels, weights[:, :2])
    with pytest.raises(degsdk.InputError, match="not divisible by scale 5"):
        basis_blur(hr, kernels, weights, 5)
    with pytest.raises(degsdk.InputError, match="method must be"):
        basis_blur(hr, kernels, weights, method="winograd")  # type: ignore[arg-type]

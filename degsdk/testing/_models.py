"""``check_extractor`` and ``check_sr_model``: the Extractor and SRModel contracts."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from .._errors import DegsdkError
from .._interfaces import Extractor, SRModel
from ._degrader import _bad_inputs, _max_diff, _raised_in, calling
from ._errors import ContractError
from ._images import example_images
from ._rng_guard import no_global_rng


def _label(m: nn.Module) -> str:
    return getattr(m, "name", "") or type(m).__name__


def _check_common(model: nn.Module, x: Tensor, out: Tensor, tolerance: float,
                  run: Callable[[Tensor], Tensor]) -> None:
    name = _label(model)
    if not isinstance(out, Tensor) or out.dtype != torch.float32:
        got = out.dtype if isinstance(out, Tensor) else type(out).__name__
        raise ContractError(f"{name}: dtype: output is {got}, expected float32")
    if out.device != x.device:
        raise ContractError(f"{name}: device: input on {x.device}, output on {out.device}")
    if not bool(torch.isfinite(out).all()):
        raise ContractError(f"{name}: output has NaN or infinite values")
    if not torch.equal(run(x), out):
        raise ContractError(f"{name}: determinism: the same input gave another output")
    n = x.shape[0]
    for i in (0, n - 1):
        alone = run(x[i : i + 1])[0]
        if _max_diff(alone, out[i]) > tolerance:
            raise ContractError(f"{name}: batch independence: sample {i} differs alone by "
                                f"{_max_diff(alone, out[i]):.3g} (tolerance {tolerance:g})")
    for what, make in _bad_inputs(x):
        try:
            run(make())
        except DegsdkError:
            continue
        except Exception as exc:
            raise ContractError(f"{name}: bad input: {what}: {_raised_in(exc, model, 'forward')}"
                                "; expected a degsdk.InputError") from None
        raise ContractError(f"{name}: bad input: {what} was accepted; expected "
                            "degsdk.InputError")


def check_extractor(extractor: Extractor, images: Tensor | None = None, *,
                    tolerance: float = 1e-4) -> None:
    """Check the Extractor contract; raise ``ContractError`` naming the first broken rule (an
    exception raised inside ``forward`` is one, naming the extractor and the line).

    ``images``: N×3×H×W (default 4 smooth 64×64 images; N ≥ 2). Checked: features ``(N, dim)``
    (or maps ``(N, dim, h, w)``) float32 on the input's device, finite; no global RNG; the
    same input gives the same features; a sample alone matches it in the batch within
    ``tolerance``; bad input raises ``degsdk.InputError``.
    """
    if not isinstance(extractor, Extractor):
        raise ContractError(f"expected a degsdk.Extractor, got {type(extractor).__name__}")
    x = example_images(4) if images is None else images
    was_training = extractor.training
    extractor.eval()
    try:
        with torch.no_grad(), calling(extractor, "forward"):
            with no_global_rng(_label(extractor)):
                out = extractor(x)
            dim = getattr(extractor, "dim", None)
            if not isinstance(out, Tensor) or out.ndim not in (2, 4) or out.shape[0] != x.shape[0]:
                got = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
                raise ContractError(f"{_label(extractor)}: features of shape {got}, expected "
                                    f"({x.shape[0]}, dim) or ({x.shape[0]}, dim, h, w)")
            if dim is not None and out.shape[1] != dim:
                raise ContractError(f"{_label(extractor)}: {out.shape[1]} features, but dim is "
                                    f"{dim}")
            _check_common(extractor, x, out, tolerance, extractor)
    finally:
        extractor.train(was_training)


def check_sr_model(model: SRModel, lr: Tensor | None = None, *, tolerance: float = 1e-4) -> None:
    """Check the SRModel contract; raise ``ContractError`` naming the first broken rule (an
    exception raised inside ``forward`` is one, naming the model and the line).

    ``lr``: N×3×h×w (default 4 smooth 32×32 images; N ≥ 2). Checked, in eval mode: output
    N×3×(h·scale)×(w·scale) float32 on the input's device, finite; no global RNG; the same
    input gives the same output; a sample alone matches it in the batch within ``tolerance``;
    bad input raises ``degsdk.InputError``.
    """
    if not isinstance(model, SRModel):
        raise ContractError(f"expected a degsdk.SRModel, got {type(model).__name__}")
    x = example_images(4, size=32) if lr is None else lr
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), calling(model, "forward"):
            with no_global_rng(_label(model)):
                out = model(x)
            n, _, h, w = x.shape
            expected = (n, 3, h * model.scale, w * model.scale)
            if tuple(out.shape) != expected:
                raise ContractError(f"{_label(model)}: output shape {tuple(out.shape)}, expected "
                                    f"{expected}")
            _check_common(model, x, out, tolerance, model)
    finally:
        model.train(was_training)

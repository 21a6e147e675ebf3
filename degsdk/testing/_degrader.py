"""``check_degrader``: every rule of the Degrader contract, checked on one degrader."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pydantic
import torch
from torch import Tensor, nn

from .._config import from_config
from .._errors import DegsdkError
from .._interfaces import Degrader, DegradeResult
from .._quote import cut
from ..hub import PretrainedMixin, load
from ._errors import ContractError
from ._images import example_images
from ._rng_guard import no_global_rng


def _fail(deg: Degrader, rule: str, detail: str) -> ContractError:
    return ContractError(f"{deg.describe()}: {rule}: {detail}")


_METHODS = ("sample", "apply", "sample_and_apply", "forward", "__init__")


def _label(m: nn.Module) -> str:
    describe = getattr(m, "describe", None)
    return describe() if callable(describe) else (getattr(m, "name", "") or type(m).__name__)


def _raised_in(exc: BaseException, component: nn.Module, method: str) -> str:
    """"<component>.<method> raised <Type>: <message> (at <file>:<line>)", naming the innermost
    component method on the traceback (a container's op, say) and the line that raised."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        last = tb
        tb = tb.tb_next
    for frame in reversed(frames):
        owner = frame.f_locals.get("self")
        if frame.f_code.co_name in _METHODS and isinstance(owner, nn.Module):
            component, method = owner, frame.f_code.co_name
            break
    where = (f" (at {Path(last.tb_frame.f_code.co_filename).name}:{last.tb_lineno})"
             if frames else "")
    return (f"{_label(component)}.{method} raised {type(exc).__name__}: "
            f"{cut(str(exc), 300)}{where}")


@contextmanager
def calling(component: nn.Module, method: str) -> Iterator[None]:
    """Run a call into ``component``: an exception that is neither a ``DegsdkError`` nor a
    ``ContractError`` becomes a ``ContractError`` naming the component, the method it was raised
    in and the line."""
    try:
        yield
    except (DegsdkError, ContractError):
        raise
    except Exception as exc:
        raise ContractError(_raised_in(exc, component, method)) from exc


def _max_diff(a: Tensor, b: Tensor) -> float:
    return float((a.double() - b.double()).abs().max()) if a.numel() else 0.0


def _close(a: Tensor, b: Tensor, tol: float) -> bool:
    if a.shape != b.shape:
        return False
    return torch.equal(a, b) if tol == 0 else _max_diff(a, b) <= tol


def _check_output(deg: Degrader, hr: Tensor, res: DegradeResult) -> None:
    lr = res.lr
    if lr.dtype != torch.float32:
        raise _fail(deg, "dtype", f"output is {lr.dtype}, expected float32")
    if lr.device != hr.device:
        raise _fail(deg, "device", f"input on {hr.device}, output on {lr.device}")
    if not bool(torch.isfinite(lr).all()) or float(lr.min()) < 0 or float(lr.max()) > 1:
        raise _fail(deg, "range", f"output has values outside [0, 1] (min {float(lr.min()):g}, "
                    f"max {float(lr.max()):g})")
    if not isinstance(res.params, list) or len(res.params) != hr.shape[0]:
        raise _fail(deg, "params", f"expected a list of {hr.shape[0]} dicts, got "
                    f"{type(res.params).__name__} of {len(res.params)}")
    if not all(isinstance(p, dict) for p in res.params):
        raise _fail(deg, "params", "each sample's params must be a dict")


def _json_params(deg: Degrader, params: list[dict]) -> list[dict]:
    try:
        text = json.dumps(params, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _fail(deg, "params are not JSON-serialisable", str(exc)) from None
    return json.loads(text)


def _bad_inputs(hr: Tensor) -> list[tuple[str, Callable[[], Tensor]]]:
    return [
        ("uint8 images", lambda: (hr * 255).to(torch.uint8)),
        ("a 3-D tensor", lambda: hr[0]),
        ("one channel", lambda: hr[:, :1]),
        ("values above 1", lambda: hr * 255),
        ("NaN values", lambda: torch.full_like(hr, math.nan)),
    ]


def _check_bad_input(deg: Degrader, hr: Tensor, seed: int) -> None:
    for what, make in _bad_inputs(hr):
        try:
            deg(make(), seed=seed)
        except DegsdkError as exc:
            if not str(exc).strip():
                raise _fail(deg, "bad input", f"{what}: the error has no message") from None
            continue
        except Exception as exc:
            raise _fail(deg, "bad input", f"{what}: {_raised_in(exc, deg, 'forward')}; "
                        "expected a degsdk.InputError naming what was expected") from None
        raise _fail(deg, "bad input", f"{what} was accepted; expected degsdk.InputError")
    try:
        with calling(deg, "apply"):
            deg.apply(hr, [{}] * (hr.shape[0] + 1))
    except DegsdkError:
        pass
    else:
        raise _fail(deg, "bad input", "apply accepted more params than images")


def _round_trip(deg: Degrader, tmp: Path) -> Degrader:
    """The degrader rebuilt from its config; a learned one without a weights ref first goes
    through a model folder saved under ``tmp``, so the config carries a weights ref."""
    if isinstance(deg, PretrainedMixin) and deg.weights_ref is None:
        deg.save_pretrained(tmp / "model")
        deg = load(str(tmp / "model"))
    cfg = deg.to_config()
    try:
        text = json.dumps(cfg, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _fail(deg, "config", f"to_config() is not JSON-serialisable: {exc}") from None
    again = from_config(json.loads(text))
    if again.to_config() != cfg:
        raise _fail(deg, "config round trip", f"from_config(to_config()) gives {again.to_config()}"
                    f", not {cfg}")
    return again


def check_degrader(degrader: Degrader, hr: Tensor | None = None, *, seed: int = 7,
                   indices: Sequence[int] | None = None, check_config: bool = True,
                   check_default: bool = True) -> None:
    """Check that ``degrader`` keeps the Degrader contract; raise ``ContractError`` (an
    ``AssertionError``) naming the first rule it breaks.

    ``hr``: N×3×H×W float32 in [0, 1], N ≥ 2 (default: 4 smooth 64×64 test images, sized to a
    multiple of the scale); pass one when the degrader needs a larger or particular input. It
    stays on its device, so pass a CUDA batch to check a degrader on the GPU.

    Checked: no global RNG; output float32 in [0, 1] on the input's device with the declared
    size; the same call twice gives the same params and bits; params JSON-serialisable and
    ``apply`` on their JSON round trip reproduces the output bit for bit; each sample's params
    and output are the same alone, reversed, or in the batch (outputs exactly, or within the
    degrader's declared ``batch_tolerance``); the config round-trips (through a saved model
    folder and its weights ref for a learned degrader) and rebuilds the same outputs; bad input
    (uint8, 3-D, one channel, out of range, NaN, a wrong number of params) raises a
    ``degsdk.InputError`` with a message. With ``check_default``, the degrader's class built
    with no parameters (its default config) passes the same calls, unless a parameter is
    required or the degrader is learned (its default is an untrained architecture).

    An exception other than a ``DegsdkError`` raised inside ``sample``, ``apply``,
    ``sample_and_apply`` or ``forward`` becomes a ``ContractError`` naming the component, the
    method and the line.
    """
    if not isinstance(degrader, Degrader):
        raise ContractError(f"expected a degsdk.Degrader, got {type(degrader).__name__}")
    deg = degrader
    if hr is None:
        hr = example_images(4, deg.scale)
    n = hr.shape[0]
    if n < 2:
        raise ValueError("check_degrader needs a batch of at least 2 images")
    idx = [5 * i + 2 for i in range(n)] if indices is None else list(indices)
    tol = float(getattr(deg, "batch_tolerance", 0.0))
    was_training = deg.training
    deg.eval()
    try:
        _check_calls(deg, hr, seed, idx, tol, check_config)
        _check_bad_input(deg, hr, seed)
    finally:
        deg.train(was_training)
    default = _default_of(deg) if check_default else None
    if default is not None:
        default.to(hr.device).eval()
        _check_calls(default, hr, seed, idx, tol, check_config)


def _default_of(deg: Degrader) -> Degrader | None:
    """``type(deg)()`` when its config differs from ``deg``'s and needs no parameter; None for
    a learned degrader or one with a required parameter. A default that does not validate or
    a constructor that fails is a ``ContractError``."""
    cls = type(deg)
    if isinstance(deg, PretrainedMixin):
        return None
    try:
        cls.Config.model_validate({})
    except pydantic.ValidationError as err:
        if all(e["type"] == "missing" for e in err.errors()):
            return None
        bad = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise _fail(deg, "default config", f"the defaults of {cls.__name__}.Config do not "
                    f"validate: {cut(bad, 300)}") from None
    try:
        try:
            default = cls()
        except TypeError as exc:  # an __init__ with required arguments of its own
            if "required" in str(exc) and "argument" in str(exc):
                return None
            with calling(deg, "__init__"):
                raise
    except DegsdkError as exc:
        raise _fail(deg, "default config", f"{cls.__name__}() raised {type(exc).__name__}: "
                    f"{cut(str(exc), 300)}") from None
    return None if default.to_config() == deg.to_config() else default


def _check_calls(deg: Degrader, hr: Tensor, seed: int, idx: list[int], tol: float,
                 check_config: bool) -> None:
    """Every rule but bad input. degsdk's own validation of what a degrader returns (sizes,
    range, params) raises ``InputError``; here it becomes a ``ContractError``."""
    n = hr.shape[0]
    try:
        with torch.no_grad():
            with no_global_rng(f"{deg.describe()}"), calling(deg, "forward"):
                res = deg(hr, seed=seed, indices=idx)
            _check_output(deg, hr, res)

            with calling(deg, "forward"):
                again = deg(hr, seed=seed, indices=idx)
            if again.params != res.params or not torch.equal(again.lr, res.lr):
                raise _fail(deg, "determinism", "the same (images, seed, indices) gave other "
                            "params or outputs on a second call")

            params = _json_params(deg, res.params)
            with no_global_rng(f"{deg.describe()}.apply"), calling(deg, "apply"):
                replay = deg.apply(hr, params)
            if not torch.equal(replay, res.lr):
                raise _fail(deg, "replay", "apply(hr, params) does not reproduce the output bit "
                            f"for bit (max difference {_max_diff(replay, res.lr):.3g}); apply "
                            "must be a pure function of (hr, params)")

            for i in (0, n - 1):
                with calling(deg, "forward"):
                    alone = deg(hr[i : i + 1], seed=seed, indices=[idx[i]])
                if alone.params[0] != res.params[i]:
                    raise _fail(deg, "batch independence", f"sample {i} drew other params alone "
                                "than in the batch; draw from its own generator only")
                if not _close(alone.lr[0], res.lr[i], tol):
                    raise _fail(deg, "batch independence", f"sample {i}'s output differs alone "
                                f"(max difference {_max_diff(alone.lr[0], res.lr[i]):.3g}, "
                                f"declared batch_tolerance {tol:g})")
            with calling(deg, "forward"):
                rev = deg(hr.flip(0), seed=seed, indices=idx[::-1])
            if rev.params[::-1] != res.params or not _close(rev.lr.flip(0), res.lr, tol):
                raise _fail(deg, "batch independence", "the reversed batch gave other results")

            if check_config:
                with tempfile.TemporaryDirectory(prefix="degsdk-check-") as tmp:
                    rebuilt = _round_trip(deg, Path(tmp))
                    rebuilt.to(hr.device).eval()
                    with calling(rebuilt, "forward"):
                        out = rebuilt(hr, seed=seed, indices=idx)
                if out.params != res.params or not torch.equal(out.lr, res.lr):
                    raise _fail(deg, "config round trip", "the rebuilt degrader gives other "
                                "outputs for the same seed")
    except DegsdkError as exc:
        raise _fail(deg, "rejected by degsdk's validation", str(exc)) from exc

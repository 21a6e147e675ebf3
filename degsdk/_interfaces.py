"""The three component interfaces: ``Degrader``, ``Extractor`` and ``SRModel``.

Tensors everywhere are float32, N×3×H×W, RGB, values in [0, 1], on whatever device the input
is on. A ``Degrader`` splits randomness from application::

    result = deg(hr, seed=0)              # draw and apply once, generators from (seed, index)
    lr = deg.apply(hr, result.params)     # replay: a pure function of (hr, params)
    assert torch.equal(lr, result.lr)

Drawing and applying go through one method, ``sample_and_apply(hr, generators)``. A simple
degrader implements ``sample`` (draws only) and ``apply``; the default ``sample_and_apply``
calls one then the other. A container or pipeline that must run its chain to draw (later ops
see the image earlier ops made) overrides ``sample_and_apply`` instead, so nothing is degraded
twice; its ``sample`` then runs the chain and keeps only the params.
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import numpy as np
import pydantic
import torch
from torch import Tensor, nn

from ._errors import ConfigError, InputError
from ._quote import cut, quote
from .seeding import make_generators

SampleParams = dict[str, Any]
"""One sample's drawn parameters: a JSON-serialisable dict."""

# True while a degrader's sample/apply runs inside another degrader call whose input was
# already validated; nested calls then skip the (full-tensor) range check.
_VALIDATED = contextvars.ContextVar("degsdk_validated", default=False)


def check_images(x: object, name: str = "images", *, check_range: bool = True) -> Tensor:
    """Validate an image batch: a float32 tensor N×3×H×W with values in [0, 1].

    Returns ``x`` unchanged; raises ``InputError`` naming ``name`` and what was expected.
    """
    if not isinstance(x, Tensor):
        raise InputError(f"{name}: expected a torch.Tensor (float32, N×3×H×W in [0, 1]), "
                         f"got {type(x).__name__}")
    if x.ndim != 4:
        hint = " (add a batch dimension with x[None])" if x.ndim == 3 else ""
        raise InputError(f"{name}: expected 4 dimensions N×3×H×W, got shape "
                         f"{tuple(x.shape)}{hint}")
    if x.shape[1] != 3:
        raise InputError(f"{name}: expected 3 RGB channels in dimension 1 (NCHW), got shape "
                         f"{tuple(x.shape)}")
    if x.dtype != torch.float32:
        hint = " (divide uint8 images by 255)" if x.dtype == torch.uint8 else ""
        raise InputError(f"{name}: expected dtype float32, got {x.dtype}{hint}")
    if x.shape[0] == 0 or x.shape[2] == 0 or x.shape[3] == 0:
        raise InputError(f"{name}: empty tensor of shape {tuple(x.shape)}")
    if check_range:
        lo, hi = float(x.min()), float(x.max())
        if not (lo >= 0.0 and hi <= 1.0):  # also catches NaN
            hint = " (values look like 0-255: divide by 255)" if 2.0 < hi <= 255 else ""
            raise InputError(f"{name}: expected values in [0, 1], got min {lo:g}, max {hi:g}"
                             f"{hint}")
    return x


@dataclass(frozen=True)
class DegradeResult:
    """What calling a ``Degrader`` returns.

    ``lr``: N×3×h×w float32 in [0, 1]; ``params``: N per-sample dicts for ``apply``;
    ``seed`` and ``indices``: what the generators were derived from.
    """

    lr: Tensor
    params: list[SampleParams]
    seed: int
    indices: list[int] = field(default_factory=list)


class DegraderConfig(pydantic.BaseModel):
    """Base of every degrader's constructor-parameter model: unknown fields are errors, and
    defaults are validated like given values (``strength: FloatRange = 0.3`` becomes
    ``(0.3, 0.3)``)."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, validate_default=True)


CHILD_DEGRADER: dict[str, Any] = {"x-degsdk": "child-degrader"}
"""``json_schema_extra`` of a config field that holds a child degrader's config (or a list of
them): the recipe JSON Schema puts the degrader schema there (``degsdk schema recipe``)."""


def _format_validation_error(owner: str, err: pydantic.ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = cut(".".join(str(p) for p in e["loc"]), 100) or "(params)"
        given = e.get("input")
        given_s = "" if isinstance(given, dict) else f" (got {quote(given)})"
        msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"  {loc}: {msg}{given_s}")
    return f"{owner}: invalid parameters:\n" + "\n".join(lines)


M = TypeVar("M", bound=pydantic.BaseModel)


def validate_config(owner: str, model: type[M], params: dict[str, Any]) -> M:
    """Validate ``params`` with ``model``; a failure becomes a ``ConfigError`` naming ``owner``
    and each bad field."""
    try:
        return model.model_validate(params)
    except pydantic.ValidationError as err:
        raise ConfigError(_format_validation_error(owner, err)) from None


def _non_json(value: Any, where: str = "") -> str:
    """What in ``value`` is not a JSON value ("" when all is), e.g. "a Tensor at 'sigma'"."""
    if value is None or isinstance(value, bool | int | str):
        return ""
    if isinstance(value, float):
        return "" if math.isfinite(value) else f"{value} at {quote(where or 'top level')}"
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"a non-string key {quote(k)}"
            bad = _non_json(v, f"{where}.{k}" if where else k)
            if bad:
                return bad
        return ""
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            bad = _non_json(v, f"{where}[{i}]")
            if bad:
                return bad
        return ""
    return f"a {type(value).__name__} at {quote(where or 'top level')}"


def _checked(kind: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a subclass's ``sample``/``apply`` so outside calls validate their input."""

    @functools.wraps(fn)
    def wrapper(self: Degrader, hr: Tensor, arg: Any) -> Any:
        if _VALIDATED.get():  # nested in a validated call: check only what this method made
            out = fn(self, hr, arg)
        else:
            self.check_input(hr)
            if len(arg) != hr.shape[0]:
                what = "generators" if kind == "sample" else "params"
                raise InputError(f"{self.describe()}.{kind}: got {len(arg)} {what} for a batch "
                                 f"of {hr.shape[0]} images (one per sample expected)")
            token = _VALIDATED.set(True)
            try:
                out = fn(self, hr, arg)
            finally:
                _VALIDATED.reset(token)
        if kind == "apply":
            self._check_output(hr, out)
        else:
            self._check_params(out, hr.shape[0])
        return out

    wrapper.__degsdk_checked__ = True  # type: ignore[attr-defined]
    return wrapper


class Degrader(nn.Module, ABC):
    """Maps a batch N×3×H×W → N×3×(H/scale)×(W/scale), float32 in [0, 1].

    Subclasses set ``name`` (the registered name used by ``to_config``), a ``Config`` pydantic
    model of their constructor parameters, and implement ``apply`` and either ``sample`` (draws
    only) or ``sample_and_apply`` (a chain that must run to draw). Outside calls of
    ``sample``/``apply`` and calls of the degrader validate their input; nested calls from
    containers do not repeat the check.

    ``batch_tolerance``: the largest absolute difference allowed between a sample's output
    alone and inside a batch (0: bit-identical, the default). A learned degrader whose batched
    kernels round differently per batch size declares what it guarantees; its draws are
    identical whatever the batch. ``runtime_params``: for a learned degrader, the constructor
    options that may change at load time (everything else is architecture).
    """

    name: ClassVar[str] = ""
    Config: ClassVar[type[DegraderConfig]] = DegraderConfig
    batch_tolerance: ClassVar[float] = 0.0
    runtime_params: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for kind in ("sample", "apply"):
            fn = cls.__dict__.get(kind)
            if fn is not None and not getattr(fn, "__degsdk_checked__", False):
                setattr(cls, kind, _checked(kind, fn))

    def __init__(self, **params: Any) -> None:
        super().__init__()
        self.registered_name: str = type(self).name
        """The name this degrader is registered (and created) under; ``to_config`` writes it."""
        self.weights_ref: str | None = None
        """For a learned degrader loaded from weights: the ref it was loaded from."""
        self.config = validate_config(self.describe(), type(self).Config, params)

    @property
    def config_name(self) -> str:
        """Deprecated spelling of :attr:`registered_name`."""
        warnings.warn("Degrader.config_name is deprecated; use registered_name",
                      DeprecationWarning, stacklevel=2)
        return self.registered_name

    @config_name.setter
    def config_name(self, value: str) -> None:
        warnings.warn("Degrader.config_name is deprecated; use registered_name",
                      DeprecationWarning, stacklevel=2)
        self.registered_name = value

    # -- the contract -------------------------------------------------------------------
    @property
    def scale(self) -> float:
        """Input size / output size: 4 for a ×4 downscale, 1 for same-size output."""
        return 1.0

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[SampleParams]:
        """Draw one JSON-serialisable dict of parameters per sample, only from that sample's
        generator. A degrader that overrides ``sample_and_apply`` instead gets this default,
        which runs the chain and keeps the params."""
        if type(self).sample_and_apply is Degrader.sample_and_apply:
            raise NotImplementedError(f"{type(self).__name__} must implement sample (or "
                                      "sample_and_apply)")
        return self.sample_and_apply(hr, generators)[1]

    @abstractmethod
    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        """Degrade ``hr`` with the given per-sample parameters; deterministic."""

    def sample_and_apply(
        self, hr: Tensor, generators: Sequence[torch.Generator]
    ) -> tuple[Tensor, list[SampleParams]]:
        """Draw and apply once: the one draw-and-apply method every caller (``forward``,
        containers, the recipe runner) uses. The default draws with ``sample`` and then
        applies; a chain that must run to draw overrides this instead of ``sample``."""
        params = self.sample(hr, generators)
        return self.apply(hr, params), params

    def forward(
        self, hr: Tensor, *, seed: int | None = None, indices: Sequence[int] | None = None
    ) -> DegradeResult:
        """Degrade ``hr`` with one generator per sample derived from ``(seed, indices[i])``.

        ``indices`` defaults to ``range(N)``; pass the samples' dataset indices so each image's
        result is independent of batching. ``seed=None`` draws a fresh seed from the OS and
        records it in the result.
        """
        self.check_input(hr)
        n = hr.shape[0]
        if indices is not None and any(isinstance(i, bool) or not isinstance(i, int | np.integer)
                                       or i < 0 for i in indices):
            raise InputError(f"{self.describe()}: indices must be non-negative integers, got "
                             f"{quote(list(indices))}")
        idx = list(range(n)) if indices is None else [int(i) for i in indices]
        if len(idx) != n:
            raise InputError(f"{self.describe()}: got {len(idx)} indices for a batch of {n}")
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little") >> 1
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise InputError(f"{self.describe()}: seed must be a non-negative integer, got "
                             f"{quote(seed)}")
        generators = make_generators(int(seed), idx)
        token = _VALIDATED.set(True)
        try:
            lr, params = self.sample_and_apply(hr, generators)
        finally:
            _VALIDATED.reset(token)
        # A degrader that draws with `sample` and applies with `apply` had both results checked
        # by their wrappers just now; a chain (its own sample_and_apply) is checked here.
        chain = type(self).sample_and_apply is not Degrader.sample_and_apply
        self._check_output(hr, lr, values=chain)
        if chain:
            self._check_params(params, n)
        return DegradeResult(lr=lr, params=params, seed=int(seed), indices=idx)

    # -- sizes and validation -----------------------------------------------------------
    def output_size(self, height: int, width: int) -> tuple[int, int]:
        """Output (h, w) for an input of (height, width); raises ``InputError`` unless both
        are divisible by ``scale`` (no silent cropping)."""
        out = []
        for what, v in (("height", height), ("width", width)):
            o = v / self.scale
            r = round(o)
            if o < 1:
                raise InputError(f"{self.describe()}: input {what} {v} is smaller than the scale "
                                 f"{self.scale:g}: the output would be empty")
            if not math.isclose(o, r, rel_tol=0, abs_tol=1e-6):
                raise InputError(
                    f"{self.describe()}: input {what} {v} is not divisible by scale "
                    f"{self.scale:g} (output would be {o:g} pixels, not a whole number); "
                    "crop the input first"
                )
            out.append(r)
        return out[0], out[1]

    def check_input(self, hr: Tensor) -> None:
        """Validate an input batch for this degrader (tensor contract and divisibility)."""
        check_images(hr, f"{self.describe()} input")
        self.output_size(hr.shape[-2], hr.shape[-1])

    def _check_output(self, hr: Tensor, lr: Tensor, values: bool = True) -> None:
        """Shape and dtype; with ``values``, also finite values in [0, 1] (one pass)."""
        h, w = self.output_size(hr.shape[-2], hr.shape[-1])
        expected = (hr.shape[0], 3, h, w)
        if not isinstance(lr, Tensor) or tuple(lr.shape) != expected or lr.dtype != torch.float32:
            got = (tuple(lr.shape), lr.dtype) if isinstance(lr, Tensor) else type(lr).__name__
            raise InputError(f"{self.describe()}: produced {got}, expected float32 of shape "
                             f"{expected} (a bug in this degrader)")
        if not values or lr.numel() == 0:
            return
        lo_t, hi_t = torch.aminmax(lr.detach())
        lo, hi = float(lo_t), float(hi_t)
        if not (lo >= 0.0 and hi <= 1.0):  # also catches NaN
            raise InputError(f"{self.describe()}: produced values outside [0, 1] (min {lo:g}, "
                             f"max {hi:g}); clamp the output (a bug in this degrader)")

    def _check_params(self, params: Any, n: int) -> None:
        """``params`` must be a list of ``n`` dicts of JSON values (replayable, writable)."""
        if not isinstance(params, list) or len(params) != n:
            got = (f"{len(params)} items" if isinstance(params, list)
                   else type(params).__name__)
            raise InputError(f"{self.describe()}: sample produced {got}, expected a list of "
                             f"{n} dicts, one per sample (a bug in this degrader)")
        for i, p in enumerate(params):
            bad = _non_json(p) if isinstance(p, dict) else f"a {type(p).__name__}, not a dict"
            if bad:
                raise InputError(f"{self.describe()}: params of sample {i} hold {bad}; params "
                                 "must be JSON values (numbers, strings, bools, None, lists, "
                                 "dicts) so they can be recorded and replayed (a bug in this "
                                 "degrader)")

    # -- config -------------------------------------------------------------------------
    def config_params(self) -> dict[str, Any]:
        """The constructor parameters as plain JSON values."""
        return self.config.model_dump(mode="json")

    def to_config(self) -> dict[str, Any]:
        """``{"name": registered name, "params": {...}}``; ``degsdk.from_config`` inverts it."""
        if not self.registered_name:
            raise ConfigError(f"{type(self).__name__} has no registered name: set the class "
                              "attribute `name` to the name it is registered under")
        if self.weights_ref is not None:  # learned: the architecture comes with the weights
            runtime = set(type(self).runtime_params)
            options = {k: v for k, v in self.config_params().items() if k in runtime}
            return {"name": self.registered_name,
                    "params": {"weights": self.weights_ref, **options}}
        return {"name": self.registered_name, "params": self.config_params()}

    def describe(self) -> str:
        """A short label for messages: the registered name, or the class name."""
        return self.__dict__.get("registered_name") or type(self).name or type(self).__name__

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.config_params().items()
                         if k not in ("ops", "op"))


def _checked_forward(label: str, fn: Callable[..., Tensor],
                     check_output: Callable[[Any, Tensor, Tensor], None] | None = None
                     ) -> Callable[..., Tensor]:
    """Wrap an Extractor/SRModel ``forward`` so its input is validated (and its output, if
    ``check_output`` is given)."""

    @functools.wraps(fn)
    def forward(self: nn.Module, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        name = getattr(self, "name", "") or type(self).__name__
        check_images(x, f"{name} {label}")
        out = fn(self, x, *args, **kwargs)
        if check_output is not None:
            check_output(self, x, out)
        return out

    forward.__degsdk_checked__ = True  # type: ignore[attr-defined]
    return forward


def _wrap_forward(cls: type, label: str,
                  check_output: Callable[[Any, Tensor, Tensor], None] | None = None) -> None:
    fn = cls.__dict__.get("forward")
    if fn is not None and not getattr(fn, "__degsdk_checked__", False):
        cls.forward = _checked_forward(label, fn, check_output)  # type: ignore[attr-defined]


class Extractor(nn.Module, ABC):
    """Maps images N×3×H×W (float32, [0, 1]) to features ``(N, dim)`` (or feature maps
    ``(N, dim, h, w)``). Subclasses set ``dim`` and implement ``forward``; the input is
    validated before ``forward`` runs."""

    name: ClassVar[str] = ""
    dim: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _wrap_forward(cls, "input")

    @abstractmethod
    def forward(self, images: Tensor) -> Tensor:
        """Features of ``images``."""


def _check_sr_output(model: SRModel, lr: Tensor, sr: Tensor) -> None:
    n, _, h, w = lr.shape
    expected = (n, 3, h * model.scale, w * model.scale)
    if not isinstance(sr, Tensor) or tuple(sr.shape) != expected:
        got = tuple(sr.shape) if isinstance(sr, Tensor) else type(sr).__name__
        name = model.name or type(model).__name__
        raise InputError(f"{name}: produced {got}, expected {expected} for ×{model.scale} "
                         "(a bug in this SR model)")


class SRModel(nn.Module, ABC):
    """A super-resolution network: LR N×3×h×w → SR N×3×(h·scale)×(w·scale), float32.
    Subclasses set ``scale`` and implement ``forward``; input and output shape are checked."""

    name: ClassVar[str] = ""
    scale: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _wrap_forward(cls, "input (LR)", _check_sr_output)

    @abstractmethod
    def forward(self, lr: Tensor) -> Tensor:
        """Super-resolve ``lr``."""

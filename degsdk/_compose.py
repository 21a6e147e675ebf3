"""Containers: degraders made of degraders. All nest, validate at construction, and draw every
random choice per sample, so sample *i*'s output is the same in any batch.

Children may be given as ``Degrader`` objects or config dicts. Each container splits each
sample's generator into fixed child streams (``seeding.spawn``), so what one child draws never
shifts another child's draws. Every container draws and applies in one pass
(``sample_and_apply``: a child is drawn on the image it actually receives) and replays with
``apply``; none implements ``sample`` separately, so none can degrade an image twice.
"""

from __future__ import annotations

import itertools
import warnings
from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

import pydantic
import torch
from torch import Tensor, nn

from ._config import child_location, from_config
from ._errors import ConfigError, InputError
from ._interfaces import CHILD_DEGRADER, Degrader, DegraderConfig, SampleParams
from .seeding import bernoulli, choice, permutation, spawn


def _groups(keys: Sequence[Hashable]) -> dict[Hashable, list[int]]:
    """Sample indices grouped by key, in first-seen order."""
    out: dict[Hashable, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        out[k].append(i)
    return out


def _take(x: Sequence[Any], idx: Sequence[int]) -> list[Any]:
    return [x[i] for i in idx]


def _children(ops: Sequence[Any]) -> nn.ModuleList:
    return nn.ModuleList(
        [from_config(op, where=child_location(f"ops[{i}]")) for i, op in enumerate(ops)]
    )


def _chain_size(ops: Sequence[Degrader], height: int, width: int) -> tuple[int, int]:
    for op in ops:
        height, width = op.output_size(height, width)
    return height, width


class _OpsConfig(DegraderConfig):
    ops: list[Any] = pydantic.Field(min_length=1, description="child degraders or configs",
                                    json_schema_extra=CHILD_DEGRADER)


class _AllOps(Degrader):
    """Base of containers that apply every child (in some order): the scale is the product."""

    Config = _OpsConfig

    def __init__(self, ops: Sequence[Degrader | dict[str, Any]], **params: Any) -> None:
        super().__init__(ops=list(ops), **params)
        self.ops = _children(ops)

    @property
    def scale(self) -> float:
        s = 1.0
        for op in self.ops:
            s *= op.scale
        return s

    def config_params(self) -> dict[str, Any]:
        return {"ops": [op.to_config() for op in self.ops]}


class Sequential(_AllOps):
    """Apply ``ops`` one after another. Per-sample params: ``{"ops": [p_0, p_1, ...]}``."""

    name = "sequential"

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        return _chain_size(self.ops, height, width)

    def sample_and_apply(
        self, hr: Tensor, generators: Sequence[torch.Generator]
    ) -> tuple[Tensor, list[SampleParams]]:
        streams = spawn(generators, len(self.ops))
        per_op: list[list[SampleParams]] = []
        x = hr
        for op, gens in zip(self.ops, streams, strict=True):
            x, p = op.sample_and_apply(x, gens)
            per_op.append(p)
        return x, [{"ops": [p[i] for p in per_op]} for i in range(hr.shape[0])]

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        x = hr
        for k, op in enumerate(self.ops):
            x = op.apply(x, [p["ops"][k] for p in params])
        return x


class _OneOfConfig(_OpsConfig):
    probs: list[pydantic.NonNegativeFloat] | None = pydantic.Field(
        default=None, description="relative probability of each op (default: equal)"
    )

    @pydantic.model_validator(mode="before")
    @classmethod
    def _old_spelling(cls, data: Any) -> Any:
        if isinstance(data, dict) and "weights" in data:
            if data.get("probs") is not None:
                raise ValueError("give probs, not also its old spelling weights")
            warnings.warn("one_of: the parameter `weights` is now `probs` (mixture "
                          "probabilities; `weights` names model weights); the old spelling "
                          "will stop working in a future release", DeprecationWarning,
                          stacklevel=2)
            data = {**data, "probs": data["weights"]}
            del data["weights"]
        return data

    @pydantic.model_validator(mode="after")
    def _check_probs(self) -> _OneOfConfig:
        if self.probs is not None:
            if len(self.probs) != len(self.ops):
                raise ValueError(f"probs has {len(self.probs)} entries for "
                                 f"{len(self.ops)} ops")
            if sum(self.probs) <= 0:
                raise ValueError("probs must not all be zero")
        return self


class OneOf(Degrader):
    """Apply one of ``ops``, chosen per sample with probability ∝ ``probs``. All ops must have
    the same scale. Per-sample params: ``{"choice": k, "params": p_k}``."""

    name = "one_of"
    Config = _OneOfConfig

    def __init__(self, ops: Sequence[Degrader | dict[str, Any]],
                 probs: Sequence[float] | None = None, **params: Any) -> None:
        if probs is not None:
            params["probs"] = list(probs)
        super().__init__(ops=list(ops), **params)
        self.ops = _children(ops)
        scales = {op.scale for op in self.ops}
        if len(scales) > 1:
            raise ConfigError(f"{self.describe()}: all ops must have the same scale so every "
                              f"sample has the same output size, got scales "
                              f"{[op.scale for op in self.ops]}")
        cfg: _OneOfConfig = self.config  # type: ignore[assignment]
        self.probs = list(cfg.probs) if cfg.probs is not None else [1.0] * len(self.ops)

    @property
    def scale(self) -> float:
        return self.ops[0].scale

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        sizes = {op.output_size(height, width) for op in self.ops}
        if len(sizes) > 1:
            raise InputError(f"{self.describe()}: ops give different output sizes {sorted(sizes)}"
                             f" for input {height}×{width}")
        return sizes.pop()

    def _choose(self, generators: Sequence[torch.Generator]) -> tuple[list[int], list[Any]]:
        pick, child = spawn(generators, 2)
        return [choice(g, self.probs) for g in pick], child

    def sample_and_apply(
        self, hr: Tensor, generators: Sequence[torch.Generator]
    ) -> tuple[Tensor, list[SampleParams]]:
        choices, child = self._choose(generators)
        h, w = self.output_size(hr.shape[-2], hr.shape[-1])
        out = hr.new_empty((hr.shape[0], 3, h, w))
        params: list[SampleParams] = [{} for _ in choices]
        for k, idx in _groups(choices).items():
            y, p = self.ops[k].sample_and_apply(hr[idx], _take(child, idx))
            out[idx] = y
            for i, pi in zip(idx, p, strict=True):
                params[i] = {"choice": k, "params": pi}
        return out, params

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        h, w = self.output_size(hr.shape[-2], hr.shape[-1])
        out = hr.new_empty((hr.shape[0], 3, h, w))
        for k, idx in _groups([int(p["choice"]) for p in params]).items():
            out[idx] = self.ops[k].apply(hr[idx], [params[i]["params"] for i in idx])
        return out

    def config_params(self) -> dict[str, Any]:
        return {"ops": [op.to_config() for op in self.ops], "probs": list(self.probs)}


class _RandomApplyConfig(DegraderConfig):
    op: Any = pydantic.Field(description="the child degrader or its config",
                             json_schema_extra=CHILD_DEGRADER)
    p: float = pydantic.Field(default=0.5, ge=0.0, le=1.0, description="probability to apply")


class RandomApply(Degrader):
    """Apply ``op`` to each sample with probability ``p``, else pass it through. ``op`` must
    keep the size (scale 1). Per-sample params: ``{"applied": bool, "params": p or None}``."""

    name = "random_apply"
    Config = _RandomApplyConfig

    def __init__(self, op: Degrader | dict[str, Any], p: float = 0.5, **params: Any) -> None:
        super().__init__(op=op, p=p, **params)
        self.op = from_config(op, where=child_location("op"))
        if self.op.scale != 1:
            raise ConfigError(f"{self.describe()}: op {self.op.describe()!r} has scale "
                              f"{self.op.scale:g}; only same-size ops (scale 1) can be applied "
                              "at random, or samples would differ in size")
        self.p = float(self.config.p)  # type: ignore[attr-defined]

    def _decide(self, generators: Sequence[torch.Generator]) -> tuple[list[bool], list[Any]]:
        coin, child = spawn(generators, 2)
        return [bernoulli(g, self.p) for g in coin], child

    def sample_and_apply(
        self, hr: Tensor, generators: Sequence[torch.Generator]
    ) -> tuple[Tensor, list[SampleParams]]:
        applied, child = self._decide(generators)
        params: list[SampleParams] = [{"applied": False, "params": None} for _ in applied]
        idx = [i for i, a in enumerate(applied) if a]
        if not idx:
            return hr.clone(), params
        out = hr.clone()
        y, p = self.op.sample_and_apply(hr[idx], _take(child, idx))
        out[idx] = y
        for i, pi in zip(idx, p, strict=True):
            params[i] = {"applied": True, "params": pi}
        return out, params

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        out = hr.clone()
        idx = [i for i, p in enumerate(params) if p["applied"]]
        if idx:
            out[idx] = self.op.apply(hr[idx], [params[i]["params"] for i in idx])
        return out

    def config_params(self) -> dict[str, Any]:
        return {"op": self.op.to_config(), "p": self.p}


class Shuffle(_AllOps):
    """Apply all ``ops`` in a random order drawn per sample. Samples are grouped by order, so
    intermediate sizes may differ between groups; the final size must not.
    Per-sample params: ``{"order": [k...], "ops": [p_0, ..., p_{n-1}]}`` (params by op index)."""

    name = "shuffle"

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        resizing = [op for op in self.ops if op.scale != 1]
        sizes: set[tuple[int, int] | str] = set()
        first_error: InputError | None = None
        for perm in itertools.permutations(resizing):
            try:
                sizes.add(_chain_size(perm, height, width))
            except InputError as exc:
                sizes.add("not divisible")
                first_error = first_error or exc
        if sizes == {"not divisible"} and first_error is not None:
            raise first_error
        if len(sizes) > 1:
            raise InputError(f"{self.describe()}: the output size for input {height}×{width} "
                             f"depends on the op order ({sorted(map(str, sizes))}); choose "
                             "sizes that every order divides exactly")
        return sizes.pop() if sizes else (height, width)  # type: ignore[return-value]

    def sample_and_apply(
        self, hr: Tensor, generators: Sequence[torch.Generator]
    ) -> tuple[Tensor, list[SampleParams]]:
        n = len(self.ops)
        streams = spawn(generators, n + 1)
        orders = [tuple(permutation(g, n)) for g in streams[n]]
        h, w = self.output_size(hr.shape[-2], hr.shape[-1])
        out = hr.new_empty((hr.shape[0], 3, h, w))
        per_sample: list[list[SampleParams]] = [[{}] * n for _ in orders]
        for order, idx in _groups(orders).items():
            x = hr[idx]
            for k in order:  # type: ignore[attr-defined]
                x, p = self.ops[k].sample_and_apply(x, _take(streams[k], idx))
                for i, pi in zip(idx, p, strict=True):
                    per_sample[i][k] = pi
            out[idx] = x
        params = [{"order": list(o), "ops": ps} for o, ps in zip(orders, per_sample, strict=True)]
        return out, params

    def apply(self, hr: Tensor, params: Sequence[SampleParams]) -> Tensor:
        h, w = self.output_size(hr.shape[-2], hr.shape[-1])
        out = hr.new_empty((hr.shape[0], 3, h, w))
        for order, idx in _groups([tuple(p["order"]) for p in params]).items():
            x = hr[idx]
            for k in order:  # type: ignore[attr-defined]
                x = self.ops[k].apply(x, [params[i]["ops"][k] for i in idx])
            out[idx] = x
        return out

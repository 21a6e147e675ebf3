"""Every registered component of every installed plugin keeps the contract
(``degsdk.testing``), parametrised from the registry (``degsdk.components``) with the contract
case its plugin declared at registration: a new component — built-in or a plugin's — is covered
without a new test. The second half proves the kit catches what it claims to catch."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
import torch
from torch import Tensor

import degsdk
from degsdk.testing import (
    ContractError,
    check_degrader,
    check_extractor,
    check_sr_model,
    example_images,
)


def _ids(kind: str) -> list[str]:
    return [f"{c.plugin}:{n}" for n, c in degsdk.components(kind).items()]


def _case(kind: str, ident: str) -> tuple[str, degsdk.ContractCase]:
    name = ident.split(":", 1)[1]
    return name, degsdk.components(kind)[name].contract or degsdk.ContractCase()


@pytest.mark.parametrize("ident", _ids("degrader"))
def test_every_registered_degrader_keeps_the_contract(ident: str) -> None:
    name, case = _case("degrader", ident)
    deg = degsdk.create(name, **case.make_params())
    check_degrader(deg, example_images(3, deg.scale, size=case.size))


@pytest.mark.parametrize("ident", _ids("extractor"))
def test_every_registered_extractor_keeps_the_contract(ident: str) -> None:
    name, case = _case("extractor", ident)
    check_extractor(degsdk.create_extractor(name, **case.make_params()),
                    example_images(3, size=case.size))


@pytest.mark.parametrize("ident", _ids("sr_model"))
def test_every_registered_sr_model_keeps_the_contract(ident: str) -> None:
    name, case = _case("sr_model", ident)
    check_sr_model(degsdk.create_sr_model(name, **case.make_params()))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", ["sequential", "realesrgan", "camera", "gaussian_noise"])
def test_builtin_degrader_keeps_the_contract_on_cuda(name: str) -> None:
    case = degsdk.components("degrader")[name].contract or degsdk.ContractCase()
    deg = degsdk.create(name, **case.make_params())
    check_degrader(deg, example_images(3, deg.scale, size=case.size).cuda())


def test_every_kind_is_covered_and_plugins_are_included() -> None:
    builtin = degsdk.components("degrader", plugin="builtin")
    assert len(builtin) >= 18 and degsdk.components("extractor", plugin="builtin")
    assert degsdk.components("sr_model", plugin="builtin")
    plugins = {c.plugin for c in degsdk.components("degrader").values()}
    assert "builtin" in plugins  # and every method plugin installed here
    with pytest.raises(degsdk.ConfigError, match="unknown kind 'degraders'"):
        degsdk.components("degraders")


# ------------------------------------------------------------------ the kit catches breakage
class _Scale(degsdk.Degrader):
    """A well-behaved toy: multiplies by a per-sample factor."""

    name = "toy_scale"

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{"f": degsdk.draw_float(g, (0.5, 1.0))} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        f = torch.tensor([p["f"] for p in params], device=hr.device).view(-1, 1, 1, 1)
        return hr * f


class _TorchGlobal(_Scale):
    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{"f": 0.5 + 0.5 * float(torch.rand(()))} for _ in generators]


class _NumpyGlobal(_Scale):
    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{"f": float(np.random.uniform(0.5, 1.0))} for _ in generators]


class _PythonGlobal(_Scale):
    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{"f": random.uniform(0.5, 1.0)} for _ in generators]


class _BatchDependent(_Scale):
    """Normalises by the batch mean: a sample's output depends on its batch-mates."""

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        return (super().apply(hr, params) / (hr.mean() * 2)).clamp(0, 1)


class _DrawsDependOnBatch(_Scale):
    """Shares the first sample's generator with every sample."""

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return super().sample(hr, [generators[0]] * len(generators))


class _NotReplayable(_Scale):
    """``apply`` adds noise it does not record in the params."""

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._g = torch.Generator().manual_seed(0)

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        noise = torch.rand(hr.shape, generator=self._g) * 0.01
        return (super().apply(hr, params) + noise).clamp(0, 1)


class _TensorParams(_Scale):
    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{"f": torch.tensor(0.7)} for _ in generators]

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        return hr * 0.7


class _OutOfRange(_Scale):
    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        return hr * 2


class _ToleratedBatchDrift(_Scale):
    """Adds a batch-size-dependent drift of 1e-6, and declares a tolerance that covers it."""

    batch_tolerance = 1e-5

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        return (super().apply(hr, params) * (1 - 1e-6 * hr.shape[0])).clamp(0, 1)


def test_a_well_behaved_degrader_passes() -> None:
    check_degrader(_Scale(), check_config=False)


def test_a_declared_batch_tolerance_is_honoured() -> None:
    check_degrader(_ToleratedBatchDrift(), check_config=False)
    _ToleratedBatchDrift.batch_tolerance = 0.0
    try:
        with pytest.raises(ContractError, match="batch independence"):
            check_degrader(_ToleratedBatchDrift(), check_config=False)
    finally:
        _ToleratedBatchDrift.batch_tolerance = 1e-5


@pytest.mark.parametrize(("cls", "rule"), [
    (_TorchGlobal, "global random generator of torch"),
    (_NumpyGlobal, "global random generator of numpy"),
    (_PythonGlobal, "global random generator of Python's random"),
    (_BatchDependent, "batch independence"),
    (_DrawsDependOnBatch, "batch independence"),
    (_NotReplayable, "determinism|replay"),
    (_TensorParams, "hold a Tensor at 'f'; params must be JSON values"),
    (_OutOfRange, r"values outside \[0, 1\]"),
])
def test_the_kit_catches_a_broken_degrader(cls: type[degsdk.Degrader], rule: str) -> None:
    with pytest.raises(ContractError, match=rule):
        check_degrader(cls(), check_config=False)


class _Unregistered(_Scale):
    name = "toy_not_registered"


def test_the_kit_catches_a_config_that_does_not_round_trip() -> None:
    with pytest.raises(ContractError, match="toy_not_registered"):
        check_degrader(_Unregistered())


class _MeanColour(degsdk.Extractor):
    name = "toy_mean"
    dim = 3

    def forward(self, images: Tensor) -> Tensor:
        return images.mean(dim=(2, 3))


class _BatchNormExtractor(_MeanColour):
    def forward(self, images: Tensor) -> Tensor:
        f = images.mean(dim=(2, 3))
        return f - f.mean(0, keepdim=True)


class _NearestSR(degsdk.SRModel):
    name = "toy_nearest"
    scale = 2

    def forward(self, lr: Tensor) -> Tensor:
        return torch.nn.functional.interpolate(lr, scale_factor=2, mode="nearest")


class _DropoutSR(_NearestSR):
    def forward(self, lr: Tensor) -> Tensor:
        return torch.nn.functional.dropout(super().forward(lr), 0.5, training=True)


def test_extractor_and_sr_checks_pass_and_fail() -> None:
    check_extractor(_MeanColour())
    check_sr_model(_NearestSR())
    with pytest.raises(ContractError, match="batch independence"):
        check_extractor(_BatchNormExtractor())
    with pytest.raises(ContractError, match="global random generator"):
        check_sr_model(_DropoutSR())


# ------------------------------------------------ plugin authors' mistakes (issue 28, rows 1–2)
class _ColourCast(degsdk.Degrader):
    """A plugin degrader as docs/plugins.md describes it: ``strength`` a number or a range,
    with a plain number as the default."""

    name = "toy_colourcast"

    class Config(degsdk.DegraderConfig):
        strength: degsdk.FloatRange = 0.3

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{"s": degsdk.draw_float(g, self.config.strength)} for g in generators]

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        s = torch.tensor([p["s"] for p in params], device=hr.device).view(-1, 1, 1, 1)
        return (hr * (1 - s) + s * torch.tensor([1.0, 0.5, 0.0]).view(1, 3, 1, 1)).clamp(0, 1)


def test_a_number_default_for_a_range_is_normalised(fresh_plugins: None) -> None:
    """Row 1: ``strength: FloatRange = 0.3`` used to stay a float and fail inside
    ``draw_float`` with "'float' object is not subscriptable"."""
    assert _ColourCast().config.strength == (0.3, 0.3)

    class Plugin:
        @degsdk.hookimpl
        def degsdk_register_degraders(self, register: Any) -> None:
            register("toy_colourcast", _ColourCast)

    degsdk.register_plugin(Plugin(), name="colourcast-test")
    try:
        deg = degsdk.create("toy_colourcast")
        res = deg(example_images(2), seed=0)
        assert all(p["s"] == pytest.approx(0.3) for p in res.params)
        assert deg.to_config()["params"] == {"strength": [0.3, 0.3]}
        check_degrader(deg)
        assert degsdk.create("toy_colourcast", strength=[0.1, 0.2]).config.strength == (0.1, 0.2)
    finally:
        degsdk.unregister_plugin("colourcast-test")


class _RaisesInSample(_Scale):
    name = "toy_raises"

    def sample(self, hr: Tensor, generators: Sequence[torch.Generator]) -> list[dict]:
        return [{"f": generators[0][0]}]  # a plugin bug: indexing a generator


class _RaisesInApply(_Scale):
    name = "toy_raises_apply"

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        return hr * params["f"]  # type: ignore[call-overload]  # a plugin bug


class _RaisesInForward(_NearestSR):
    def forward(self, lr: Tensor) -> Tensor:
        raise KeyError("weights")


class _BadDefault(_Scale):
    """Works as configured in the test, breaks with its own default."""

    name = "toy_bad_default"

    class Config(degsdk.DegraderConfig):
        mode: str = "warm"

    def apply(self, hr: Tensor, params: Sequence[dict]) -> Tensor:
        gain = {"cool": 0.9}[self.config.mode]  # the default "warm" is missing: a plugin bug
        return super().apply(hr, params) * gain


class _BadDefaultValue(_Scale):
    name = "toy_bad_default_value"

    class Config(degsdk.DegraderConfig):
        strength: degsdk.FloatRange = (0.5, 0.1)  # low above high


def test_an_exception_inside_a_plugin_is_a_contract_error_naming_it() -> None:
    """Row 2: a bare TypeError escaped; now a ContractError names component, method, line."""
    with pytest.raises(ContractError, match=r"toy_raises\.sample raised TypeError: .*"
                       r"\(at test_contract\.py:\d+\)"):
        check_degrader(_RaisesInSample(), check_config=False)
    with pytest.raises(ContractError, match=r"toy_raises_apply\.apply raised TypeError"):
        check_degrader(_RaisesInApply(), check_config=False)
    with pytest.raises(ContractError, match=r"toy_nearest\.forward raised KeyError"):
        check_sr_model(_RaisesInForward())
    # inside a container, the op that raised is named
    seq = degsdk.Sequential([degsdk.create("jpeg"), _RaisesInSample()])
    with pytest.raises(ContractError, match=r"toy_raises\.sample raised TypeError"):
        check_degrader(seq, check_config=False)


def test_the_kit_tries_the_default_config() -> None:
    check_degrader(_BadDefault(mode="cool"), check_config=False, check_default=False)
    with pytest.raises(ContractError, match=r"toy_bad_default\.apply raised KeyError"):
        check_degrader(_BadDefault(mode="cool"), check_config=False)
    with pytest.raises(ContractError, match=r"default config.*strength.*above high"):
        check_degrader(_BadDefaultValue(strength=[0.1, 0.5]), check_config=False)
    with pytest.raises(degsdk.ConfigError, match=r"strength: range low 0.5 is above high 0.1"):
        _BadDefaultValue()  # and building it with its defaults says so at once


class _NeedsAnArgument(_Scale):
    """A plugin whose constructor takes a required argument of its own: no default to check."""

    def __init__(self, factor: float, **params: Any) -> None:
        super().__init__(**params)
        self.factor = factor


def test_a_constructor_with_required_arguments_has_no_default_to_check() -> None:
    check_degrader(_NeedsAnArgument(0.5), check_config=False)

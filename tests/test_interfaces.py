"""Input validation of the three interfaces, and seeding."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import degsdk
from degsdk.seeding import derive_seed, make_generators, spawn


@pytest.mark.parametrize("bad,expected", [
    ([[0.5]], "expected a torch.Tensor"),
    (torch.rand(3, 8, 8), r"expected 4 dimensions.*add a batch dimension"),
    (torch.rand(1, 1, 8, 8), "expected 3 RGB channels"),
    (torch.randint(0, 255, (1, 3, 8, 8), dtype=torch.uint8), "float32, got torch.uint8.*255"),
    (torch.rand(1, 3, 8, 8, dtype=torch.float64), "float32, got torch.float64"),
    (torch.rand(1, 3, 8, 8) * 255, r"values in \[0, 1\].*divide by 255"),
    (torch.full((1, 3, 8, 8), float("nan")), r"values in \[0, 1\]"),
    (torch.rand(0, 3, 8, 8), "empty tensor"),
])
def test_degrader_rejects_bad_tensors(bad: object, expected: str) -> None:
    deg = degsdk.create("jpeg")
    with pytest.raises(degsdk.InputError, match=expected):
        deg(bad, seed=0)  # type: ignore[arg-type]


def test_sample_and_apply_validate_direct_calls() -> None:
    deg = degsdk.create("gaussian_blur", sigma=1.0)
    x = torch.rand(2, 3, 16, 16)
    with pytest.raises(degsdk.InputError, match="got 1 params for a batch of 2"):
        deg.apply(x, [{"sigma": 1.0}])
    with pytest.raises(degsdk.InputError, match="got 3 generators for a batch of 2"):
        deg.sample(x, make_generators(0, [0, 1, 2]))
    with pytest.raises(degsdk.InputError, match="got 3 indices for a batch of 2"):
        deg(x, seed=0, indices=[0, 1, 2])
    with pytest.raises(degsdk.InputError, match="float32"):
        deg.apply(x.double(), [{"sigma": 1.0}] * 2)


def test_broken_degrader_output_is_caught() -> None:
    class Broken(degsdk.Degrader):
        name = "broken"

        def sample(self, hr: torch.Tensor, generators: object) -> list[dict[str, object]]:
            return [{} for _ in range(hr.shape[0])]

        def apply(self, hr: torch.Tensor, params: object) -> torch.Tensor:
            return hr[..., :-1]

    with pytest.raises(degsdk.InputError, match=r"broken: produced .*expected float32 of shape"):
        Broken()(torch.rand(1, 3, 4, 4), seed=0)


class TinySR(degsdk.SRModel):
    name = "tiny_sr"

    def __init__(self, scale: int = 2) -> None:
        super().__init__()
        self.scale = scale

    def forward(self, lr: torch.Tensor) -> torch.Tensor:
        return F.interpolate(lr, scale_factor=self.scale, mode="nearest")


class MeanColour(degsdk.Extractor):
    name = "mean_colour"
    dim = 3

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return images.mean(dim=(2, 3))


@pytest.fixture
def toy_components(fresh_plugins: None) -> Iterator[None]:
    class Plugin:
        @degsdk.hookimpl
        def degsdk_register_sr_models(self, register: object) -> None:
            register("tiny_sr", TinySR)  # type: ignore[operator]

        @degsdk.hookimpl
        def degsdk_register_extractors(self, register: object) -> None:
            register("mean_colour", MeanColour)  # type: ignore[operator]

    degsdk.register_plugin(Plugin(), name="toys")
    yield


def test_sr_models_and_extractors_through_the_registry(toy_components: None) -> None:
    assert "tiny_sr" in degsdk.list_sr_models() and "mean_colour" in degsdk.list_extractors()
    sr = degsdk.create_sr_model("tiny_sr", scale=3)
    assert sr(torch.rand(2, 3, 5, 7)).shape == (2, 3, 15, 21)
    with pytest.raises(degsdk.InputError, match="tiny_sr input \\(LR\\): expected 3 RGB"):
        sr(torch.rand(2, 1, 5, 7))
    ext = degsdk.create_extractor("mean_colour")
    assert ext(torch.rand(4, 3, 8, 8)).shape == (4, ext.dim)
    with pytest.raises(degsdk.InputError, match="mean_colour input"):
        ext(torch.rand(4, 3, 8, 8) + 2)
    with pytest.raises(degsdk.ConfigError, match="tiny_sr: invalid parameters"):
        degsdk.create_sr_model("tiny_sr", scal=2)


def test_sr_model_output_shape_is_checked() -> None:
    class Wrong(TinySR):
        def forward(self, lr: torch.Tensor) -> torch.Tensor:
            return lr

    with pytest.raises(degsdk.InputError, match=r"expected \(1, 3, 8, 8\) for ×2"):
        Wrong(2)(torch.rand(1, 3, 4, 4))


def test_seeds_differ_and_streams_are_stable() -> None:
    seeds = {derive_seed(s, i) for s in range(20) for i in range(50)}
    assert len(seeds) == 1000 and all(0 <= v < 2**63 for v in seeds)
    assert derive_seed(1, 2) == derive_seed(1, 2) != derive_seed(2, 1)
    a = [torch.rand(3, generator=g) for g in make_generators(5, [0, 1, 2])]
    b = [torch.rand(3, generator=g) for g in make_generators(5, [2])]
    assert torch.equal(a[2], b[0]) and not torch.equal(a[0], a[1])
    kids = spawn(make_generators(5, [0, 1]), 3)
    assert len(kids) == 3 and all(len(k) == 2 for k in kids)
    with pytest.raises(degsdk.InputError, match="non-negative"):
        derive_seed(-1, 0)


def test_old_spellings_warn_and_still_work() -> None:
    deg = degsdk.create("gaussian_blur")
    assert deg.registered_name == "gaussian_blur"
    with pytest.warns(DeprecationWarning, match="registered_name"):
        assert deg.config_name == "gaussian_blur"
    with pytest.warns(DeprecationWarning, match="registered_name"):
        deg.config_name = "other"
    assert deg.registered_name == "other"


class _Plugin(degsdk.Degrader):
    """A plugin degrader whose methods return what the tests below set."""

    name = "toy_plugin"
    out: Any = None
    params: Any = None

    def sample(self, hr: torch.Tensor, generators: Any) -> Any:
        return self.params if self.params is not None else [{} for _ in generators]

    def apply(self, hr: torch.Tensor, params: Any) -> torch.Tensor:
        return self.out(hr) if self.out is not None else hr


@pytest.mark.parametrize(("out", "params", "message"), [
    (lambda x: x * 2, None, r"toy_plugin: produced values outside \[0, 1\] \(min 0\.\d+, "
                            r"max 1\.9\d+\); clamp the output \(a bug in this degrader\)"),
    (lambda x: x - 1, None, r"produced values outside \[0, 1\] \(min -0\.9"),
    (lambda x: x * float("nan"), None, "produced values outside"),
    (None, [{}], "sample produced 1 items, expected a list of 2 dicts"),
    (None, {"a": 1}, "sample produced dict, expected a list of 2 dicts"),
    (None, [{"s": torch.tensor(1.0)}, {}], "params of sample 0 hold a Tensor at 's'"),
    (None, [{"s": float("inf")}, {}], "params of sample 0 hold inf at 's'"),
])
def test_plugin_methods_are_validated(out: Any, params: Any, message: str) -> None:
    """Issue 16 row 8: a plugin's bad output or params is a clear error naming it, from the
    call and from direct calls of sample/apply."""
    deg = _Plugin()
    deg.out, deg.params = out, params
    x = torch.rand(2, 3, 8, 8)
    with pytest.raises(degsdk.InputError, match=message):
        deg(x, seed=0)
    with pytest.raises(degsdk.InputError, match=message):
        if out is not None:
            deg.apply(x, [{}, {}])
        else:
            deg.sample(x, degsdk.make_generators(0, [0, 1]))


def test_no_0_255_hint_near_1_and_seeds_are_checked() -> None:
    """Issue 16 rows 12 and 13."""
    deg = degsdk.create("gaussian_blur")
    x = torch.rand(1, 3, 8, 8)
    with pytest.raises(degsdk.InputError) as exc:
        deg(torch.full((1, 3, 8, 8), 1.0001), seed=0)
    assert "255" not in str(exc.value)
    with pytest.raises(degsdk.InputError, match="divide by 255"):
        deg(x * 255, seed=0)
    for bad in ("abc", 1.5, -1, True):
        with pytest.raises(degsdk.InputError, match="seed must be a non-negative integer"):
            deg(x, seed=bad)  # type: ignore[arg-type]
    with pytest.raises(degsdk.InputError, match="indices must be non-negative integers"):
        deg(x, seed=0, indices=[0.5])  # type: ignore[list-item]
    assert deg(x, seed=np.int64(3)).seed == 3


def test_a_parameter_called_name_is_a_config_error_not_a_type_error() -> None:
    # found by the fuzz harness: create(name, **params) took params["name"] as its own name
    for make, component in ((degsdk.create, "bicubic"),
                            (degsdk.create_extractor, "degradation_stats"),
                            (degsdk.create_sr_model, "bicubic")):
        with pytest.raises(degsdk.ConfigError, match="name"):
            make(component, name=None)

"""``degsdk.training.warm_start``: a trainer's ``--init`` loads shipped weights into the model it
is about to train, only when the component and its architecture are the same."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from degsdk import ConfigError
from degsdk.training import warm_start
from tests.hub.toy_models import ToyLearnedBlur, ToySR, randomize


def test_the_weights_are_loaded_and_runtime_options_may_differ(toys: None, tmp_path: Path
                                                               ) -> None:
    folder = randomize(ToyLearnedBlur(kernel_size=5, noise_sigma=1.0)).save_pretrained(
        tmp_path / "blur")
    model = ToyLearnedBlur(kernel_size=5, noise_sigma=3.0)  # a runtime option: not compared
    assert not torch.equal(model.kernel, ToyLearnedBlur.from_pretrained(str(folder)).kernel)
    assert warm_start(model, str(folder)) == str(folder)
    assert torch.equal(model.kernel, ToyLearnedBlur.from_pretrained(str(folder)).kernel)
    assert model.config.noise_sigma == 3.0  # type: ignore[attr-defined]


def test_another_architecture_or_component_is_refused(toys: None, tmp_path: Path) -> None:
    folder = randomize(ToyLearnedBlur(kernel_size=5)).save_pretrained(tmp_path / "blur")
    with pytest.raises(ConfigError, match=r"--init .*architecture differs.*kernel_size"):
        warm_start(ToyLearnedBlur(kernel_size=3), str(folder))
    # a field the fine-tuning data sets may be ignored, but the shapes must still match
    with pytest.raises(ConfigError, match="parameters do not match"):
        warm_start(ToyLearnedBlur(kernel_size=3), str(folder), ignore=("kernel_size",))
    with pytest.raises(ConfigError, match="holds a ToyLearnedBlur, not a ToySR"):
        warm_start(ToySR(), str(folder), option="--base")

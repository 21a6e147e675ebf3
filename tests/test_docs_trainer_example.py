"""docs/plugins.md's example trainer, run as the page writes it: the file is extracted,
registered as a plugin, trained from Python and from the CLI, resumed exactly, loaded back, and
it learns the gain and offset that made its pairs."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

import degsdk
from degsdk.cli import main
from degsdk.testing import check_degrader, find_private_imports
from tests.conftest import REPO, smooth_images

BLOCK = re.compile(r'```python title="example_trainer.py"\n(.*?)```', re.S)
GAIN = torch.tensor([0.8, 1.1, 0.9]).view(1, 3, 1, 1)
OFFSET = torch.tensor([0.05, -0.02, 0.1]).view(1, 3, 1, 1)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    (body,) = BLOCK.findall((REPO / "docs" / "plugins.md").read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("example") / "example_trainer.py"
    path.write_text(body, encoding="utf-8")
    assert find_private_imports([path]) == []
    spec = importlib.util.spec_from_file_location("example_trainer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["example_trainer"] = module
    spec.loader.exec_module(module)
    degsdk.register_plugin(module, name="example_trainer")
    yield module
    degsdk.unregister_plugin("example_trainer")
    sys.modules.pop("example_trainer", None)


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pairs")
    hr = smooth_images(3, 40, 40, seed=4) * 0.8 + 0.05
    lr = (hr * GAIN + OFFSET).clamp(0, 1)
    for i in range(3):
        degsdk.write_image(root / "hr" / f"{i}.png", hr[i])
        degsdk.write_image(root / "lr" / f"{i}.png", lr[i])
    return root


def test_the_example_trains_resumes_and_loads(example: object, pairs: Path,
                                              tmp_path: Path) -> None:
    train = example.train_gain  # type: ignore[attr-defined]
    kw = {"pairs": pairs, "steps": 300, "progress": False}
    model = train(out=tmp_path / "full", **kw)
    assert torch.allclose(model.gain.detach(), GAIN, atol=0.05)
    assert torch.allclose(model.offset.detach(), OFFSET, atol=0.03)
    train(out=tmp_path / "cut", checkpoint_every=100, **kw)
    resumed = train(out=tmp_path / "cut", checkpoint_every=100, resume=True, **kw)
    assert torch.equal(resumed.gain, model.gain) and torch.equal(resumed.offset, model.offset)
    loaded = degsdk.load(str(tmp_path / "full"))
    assert torch.equal(loaded.gain, model.gain)
    assert degsdk.hub.read_config(tmp_path / "full").provenance["images"] == 3
    check_degrader(loaded)


def test_the_example_trainer_runs_from_the_cli(example: object, pairs: Path,
                                               tmp_path: Path) -> None:
    assert main(["train", "channel_gain", "--pairs", str(pairs), "--out", str(tmp_path / "m"),
                 "--steps", "5", "--threads", "1", "--no-progress"]) == 0
    assert degsdk.hub.read_config(tmp_path / "m").provenance["steps"] == 5

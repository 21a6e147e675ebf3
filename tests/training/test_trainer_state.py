"""Trainer checkpoints: Adam moments and the generator come back exactly; other settings and a
missing file are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import degsdk
from degsdk.training import STATE_NAME, load_trainer_state, save_trainer_state


def _run(model: torch.nn.Linear, opt: torch.optim.Optimizer, g: torch.Generator,
         steps: int) -> None:
    for _ in range(steps):
        x = torch.randn(4, 3, generator=g)
        loss = model(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def _fresh() -> tuple[torch.nn.Linear, torch.optim.Optimizer, torch.Generator]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 2)
    return model, torch.optim.Adam(model.parameters(), lr=1e-2), torch.Generator().manual_seed(1)


def test_resume_is_exact_and_settings_are_checked(tmp_path: Path) -> None:
    model, opt, g = _fresh()
    _run(model, opt, g, 5)
    straight = {k: v.clone() for k, v in model.state_dict().items()}
    model2, opt2, g2 = _fresh()
    _run(model2, opt2, g2, 3)
    save_trainer_state(tmp_path, opt2, g2, 3, {"lr": 1e-2})
    weights = {k: v.clone() for k, v in model2.state_dict().items()}
    model3, opt3, g3 = _fresh()
    model3.load_state_dict(weights)
    assert load_trainer_state(tmp_path, opt3, g3, {"lr": 1e-2}) == 3
    _run(model3, opt3, g3, 2)
    for k, v in model3.state_dict().items():
        assert torch.equal(v, straight[k]), k
    with pytest.raises(degsdk.ConfigError, match=r"lr 0\.01 → 0\.1"):
        load_trainer_state(tmp_path, opt3, g3, {"lr": 1e-1})
    (tmp_path / STATE_NAME).unlink()
    with pytest.raises(degsdk.WeightsError, match="not found"):
        load_trainer_state(tmp_path, opt3, g3, {"lr": 1e-2})


def test_every_param_group_is_saved(tmp_path: Path) -> None:
    """A trainer with two learning rates (e.g. a network and slowly fine-tuned extractors)
    resumes exactly too: the second group's Adam moments come back."""
    def fresh() -> tuple[torch.nn.Linear, torch.optim.Optimizer, torch.Generator]:
        model, _, g = _fresh()
        opt = torch.optim.Adam([{"params": [model.weight]},
                                {"params": [model.bias], "lr": 1e-3}], lr=1e-2)
        return model, opt, g

    model, opt, g = fresh()
    _run(model, opt, g, 5)
    model2, opt2, g2 = fresh()
    _run(model2, opt2, g2, 3)
    save_trainer_state(tmp_path, opt2, g2, 3, {})
    model3, opt3, g3 = fresh()
    model3.load_state_dict(model2.state_dict())
    load_trainer_state(tmp_path, opt3, g3, {})
    assert torch.equal(opt3.state[model3.bias]["exp_avg"], opt2.state[model2.bias]["exp_avg"])
    _run(model3, opt3, g3, 2)
    assert torch.equal(model3.bias, model.bias) and torch.equal(model3.weight, model.weight)

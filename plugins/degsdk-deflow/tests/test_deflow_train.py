"""Training: a tiny DeFlow lowers the held-out NLL of both domains and samples; resume is
exact; non-finite steps are skipped then abort; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import NOISE, synthetic_images
from degsdk_deflow import DeFlow, train_deflow
from degsdk_deflow import train as train_module

import degsdk
from degsdk.cli import main
from degsdk.nn.flow import bits_per_dim
from degsdk.training import STATE_NAME

TINY = {
    "levels": 2,
    "flow_steps": 1,
    "hidden": 8,
    "architecture": {"nf": 4, "blocks": 1, "gc": 4},
    "patch": 32,
    "batch_size": 4,
    "progress": False,
}


def _held_out_bpd(model: DeFlow) -> torch.Tensor:
    clean = synthetic_images(2, 32, seed=7)
    noise = NOISE * torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(9))
    noisy = (synthetic_images(2, 32, seed=8) + noise).clamp(0, 1)
    gens = [torch.Generator().manual_seed(i) for i in range(4)]
    with torch.no_grad():
        ll = model.log_likelihood(
            torch.cat([clean, noisy]), torch.tensor([False, False, True, True]), gens
        )
    return bits_per_dim(ll, 3 * 32 * 32)


def test_tiny_training_lowers_the_held_out_nll_and_samples(
    domains: tuple[Path, Path], tmp_path: Path
) -> None:
    clean, degraded = domains
    # lr 0: the same init with ActNorms initialised on the first batch, but no update
    start = train_deflow(
        clean=clean,
        degraded=degraded,
        out=tmp_path / "m0",
        steps=1,
        lr=0.0,
        checkpoint_every=0,
        **TINY,
    )
    model = train_deflow(
        clean=clean,
        degraded=degraded,
        out=tmp_path / "m",
        steps=60,
        lr=1e-3,
        checkpoint_every=0,
        data="synthetic",
        **TINY,
    )
    before, after = _held_out_bpd(start), _held_out_bpd(model)
    # measured: clean 4.04/4.08 → 2.63/2.59, degraded 4.71/4.80 → 3.64/3.74 bits/dim
    assert bool((after < before - 0.5).all()), (before, after)
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert metrics["shift0_trace_cov"] > 10 * 48 * 0.01**2  # Σ_u grew from 1e-4·I
    card = degsdk.hub.read_config(tmp_path / "m")
    assert card.provenance["steps"] == 60 and card.provenance["data"] == "synthetic"
    loaded = degsdk.load(str(tmp_path / "m"))
    x = synthetic_images(1, 40, seed=11)
    y = loaded(x, seed=0).lr
    assert y.shape == x.shape and float((y - x).abs().mean()) > 1e-3
    torch.testing.assert_close(
        degsdk.load(str(tmp_path / "m"), temperature=0)(x, seed=0).lr, x, rtol=0, atol=1e-4
    )


def test_resume_continues_exactly(domains: tuple[Path, Path], tmp_path: Path) -> None:
    clean, degraded = domains
    kw = {**TINY, "steps": 6, "lr": 1e-3, "seed": 3}
    full = train_deflow(
        clean=clean, degraded=degraded, out=tmp_path / "full", checkpoint_every=0, **kw
    )
    train_deflow(clean=clean, degraded=degraded, out=tmp_path / "cut", checkpoint_every=3, **kw)
    assert (tmp_path / "cut" / "checkpoint" / STATE_NAME).is_file()
    resumed = train_deflow(
        clean=clean, degraded=degraded, out=tmp_path / "cut", checkpoint_every=3, resume=True, **kw
    )
    for (name, a), b in zip(full.state_dict().items(), resumed.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    with pytest.raises(degsdk.ConfigError, match="other settings: lr"):
        train_deflow(
            clean=clean,
            degraded=degraded,
            out=tmp_path / "cut",
            checkpoint_every=3,
            resume=True,
            **{**kw, "lr": 1e-2},
        )


def test_learning_rate_schedule() -> None:
    lrs = [train_module.learning_rate(1.0, s, 100) for s in (0, 49, 50, 75, 90, 95, 99)]
    assert lrs == [1.0, 1.0, 0.5, 0.25, 0.125, 0.0625, 0.0625]


def test_non_finite_steps_are_skipped_then_abort(
    domains: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean, degraded = domains
    monkeypatch.setattr(train_module, "MAX_BAD_STEPS", 3)
    real = DeFlow.log_likelihood
    calls = {"n": 0}

    def flaky(self: DeFlow, *args: object) -> torch.Tensor:
        calls["n"] += 1
        ll = real(self, *args)  # type: ignore[arg-type]
        return ll * float("nan") if calls["n"] == 2 else ll

    monkeypatch.setattr(DeFlow, "log_likelihood", flaky)
    train_deflow(
        clean=clean,
        degraded=degraded,
        out=tmp_path / "m",
        steps=4,
        lr=1e-3,
        checkpoint_every=0,
        **TINY,
    )
    assert json.loads((tmp_path / "m" / "metrics.json").read_text())["skipped_steps"] == 1
    monkeypatch.setattr(
        DeFlow, "log_likelihood", lambda self, x, *a: x.new_full((x.shape[0],), float("nan"))
    )
    with pytest.raises(degsdk.TrainingError, match="3 steps in a row"):
        train_deflow(
            clean=clean,
            degraded=degraded,
            out=tmp_path / "bad",
            steps=10,
            checkpoint_every=0,
            **TINY,
        )
    assert not (tmp_path / "bad" / "model.safetensors").exists()


def test_paired_term_and_normalisation(domains: tuple[Path, Path], tmp_path: Path) -> None:
    clean, degraded = domains
    pairs = tmp_path / "pairs"
    for i, name in enumerate(sorted(p.name for p in clean.iterdir())[:2]):
        x = degsdk.read_image(clean / name)
        noise = NOISE * torch.randn(x.shape, generator=torch.Generator().manual_seed(i))
        degsdk.write_image(pairs / "hr" / name, x)
        degsdk.write_image(pairs / "lr" / name, (x + noise).clamp(0, 1))
    model = train_deflow(
        clean=clean,
        degraded=degraded,
        out=tmp_path / "m",
        steps=3,
        lr=1e-3,
        pairs=pairs,
        normalize=True,
        checkpoint_every=0,
        **TINY,
    )
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert "train_bpd_paired_ema" in metrics
    imgs = [degsdk.read_image(p) for p in sorted(degraded.iterdir())]
    flat = torch.cat([x.reshape(3, -1) for x in imgs], 1)
    torch.testing.assert_close(model.domain_mean[1], flat.mean(1), atol=1e-5, rtol=0)
    assert degsdk.load(str(tmp_path / "m")).cfg.normalize


def test_cli(
    domains: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["train", "deflow", "--help"])
    text = capsys.readouterr().out
    for flag in (
        "--clean",
        "--degraded",
        "--clean-down",
        "--cond-down",
        "--steps",
        "--out",
        "--resume",
        "--preset",
    ):
        assert flag in text
    clean, degraded = domains
    assert (
        main(
            [
                "train",
                "deflow",
                "--clean",
                str(clean),
                "--degraded",
                str(degraded),
                "--out",
                str(tmp_path / "m"),
                "--steps",
                "2",
                "--levels",
                "2",
                "--flow-steps",
                "1",
                "--hidden",
                "8",
                "--patch",
                "16",
                "--batch-size",
                "2",
                "--clean-down",
                "2",
            ]
        )
        == 0
    )
    assert isinstance(degsdk.load(str(tmp_path / "m")), DeFlow)
    assert (
        main(
            [
                "train",
                "deflow",
                "--clean",
                str(clean),
                "--degraded",
                str(degraded),
                "--out",
                str(tmp_path / "x"),
                "--patch",
                "30",
            ]
        )
        == 2
    )

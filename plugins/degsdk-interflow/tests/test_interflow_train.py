"""Training InterFlow: the loss falls, exact resume, the data readers (folders, paired levels,
the RealSR v2 layout) and their errors, calibration, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from conftest import write_levels
from degsdk_interflow import InterFlow, from_realsr, train_interflow
from degsdk_interflow.train import learning_rate

import degsdk
from degsdk.cli import main

TINY = {"architecture": {"flow_steps": 1, "hidden": 8, "nf": 4, "blocks": 1, "gc": 4},
        "patch": 16, "batch_size": 2, "checkpoint_every": 0, "progress": False}


def _levels(d: dict[str, Path], *levels: str) -> list[str]:
    return [f"{s}={d[s]}" for s in levels]


def test_a_tiny_model_trains_and_generates(levels_dir: dict[str, Path], tmp_path: Path) -> None:
    common = {**TINY, "hr": levels_dir["hr"], "level": _levels(levels_dir, "2", "4"),
              "lr": 5e-4}
    train_interflow(**common, out=tmp_path / "m", steps=60)
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    early = train_interflow(**common, out=tmp_path / "m0", steps=3)
    assert metrics["train_nll_ema"] < 0.8 * json.loads(
        (tmp_path / "m0" / "metrics.json").read_text())["train_nll_ema"]
    assert {"train_cons_ema", "train_ib_ema", "skipped_steps"} <= set(metrics)
    m = degsdk.create("interflow", weights=str(tmp_path / "m"), level=[2.0, 4.0])
    assert isinstance(m, InterFlow) and m.cfg.trained_levels == [2.0, 4.0]
    hr = degsdk.read_image(next(levels_dir["hr"].iterdir()))[None]
    out = m(hr, seed=0).lr
    assert out.shape == hr.shape and torch.isfinite(out).all()
    assert isinstance(early, InterFlow)


def test_resume_is_exact(levels_dir: dict[str, Path], tmp_path: Path) -> None:
    common = {**TINY, "hr": levels_dir["hr"], "level": _levels(levels_dir, "2", "3", "4")}
    full = train_interflow(**common, out=tmp_path / "full", steps=6)
    # a run whose step-3 checkpoint is resumed replays steps 4–6 exactly
    ckpt_run = tmp_path / "ck"
    train_interflow(**{**common, "checkpoint_every": 3}, out=ckpt_run, steps=6)
    again = train_interflow(**{**common, "checkpoint_every": 3}, out=ckpt_run, steps=6,
                            resume=True)
    for a, b in zip(full.state_dict().values(), again.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_learning_rate_halves_at_50_75_90_percent() -> None:
    assert [learning_rate(1.0, s, 100) for s in (0, 49, 50, 75, 90, 99)] == [
        1.0, 1.0, 0.5, 0.25, 0.125, 0.125]


def test_level_pairs_as_degsdk_fit_gives_them(levels_dir: dict[str, Path],
                                              tmp_path: Path) -> None:
    pairs = {}
    for s in ("2", "4"):
        (tmp_path / s).mkdir()
        (tmp_path / s / "hr").symlink_to(levels_dir["hr"])
        (tmp_path / s / "lr").symlink_to(levels_dir[s])
        pairs[s] = tmp_path / s
    m = train_interflow(**TINY, level_pairs=_levels(pairs, "2", "4"), out=tmp_path / "m",
                        steps=2)
    assert m.cfg.trained_levels == [2.0, 4.0]


def test_lr_not_at_its_hr_size_is_an_error_naming_the_file(tmp_path: Path) -> None:
    d = write_levels(tmp_path / "d", (2.0, 4.0), n=2, size=32)
    degsdk.write_image(d["4"] / "001.png", torch.rand(3, 16, 16))
    with pytest.raises(degsdk.PairingError, match=r"001\.png: level 4 LR is 16×16"):
        train_interflow(**TINY, hr=d["hr"], level=_levels(d, "2", "4"), out=tmp_path / "m",
                        steps=1)


def test_missing_lr_and_too_few_levels_are_clear_errors(tmp_path: Path) -> None:
    d = write_levels(tmp_path / "d", (2.0, 4.0), n=2, size=32)
    (d["4"] / "001.png").unlink()
    with pytest.raises(degsdk.PairingError, match=r"no level 4 LR for HR 001\.png"):
        train_interflow(**TINY, hr=d["hr"], level=_levels(d, "2", "4"), out=tmp_path / "m",
                        steps=1)
    with pytest.raises(degsdk.ConfigError, match="at least two --level"):
        train_interflow(**TINY, hr=d["hr"], level=_levels(d, "2"), out=tmp_path / "m",
                        steps=1)
    with pytest.raises(degsdk.ConfigError, match="LEVEL=DIR"):
        train_interflow(**TINY, hr=d["hr"], level=["x=foo", "2=bar"], out=tmp_path / "m",
                        steps=1)
    assert not (tmp_path / "m").exists()


def _realsr_tree(root: Path, levels: tuple[int, ...] = (2, 3, 4)) -> None:
    """RealSR v2 layout: Canon/Train/<k>/Canon_<id>_HR.png and Canon_<id>_LR<k>.png; scene 003's
    HR differs at level 4 (as the raw release's per-level registration crops do)."""
    d = write_levels(root.parent / "src", tuple(float(k) for k in levels), n=3, size=32)
    for k in levels:
        folder = root / "Canon" / "Train" / str(k)
        for i in range(3):
            hr = degsdk.read_image(d["hr"] / f"{i:03d}.png")
            if i == 2 and k == 4:
                hr = hr.flip(-1)
            degsdk.write_image(folder / f"Canon_{i + 1:03d}_HR.png", hr)
            degsdk.write_image(folder / f"Canon_{i + 1:03d}_LR{k}.png",
                               degsdk.read_image(d[f"{k}"] / f"{i:03d}.png"))


def test_realsr_v2_layout(tmp_path: Path) -> None:
    _realsr_tree(tmp_path / "RealSR")
    with pytest.warns(UserWarning, match="1 scenes have a different HR"):
        data = from_realsr(tmp_path / "RealSR", camera="Canon", levels=[2.0, 4.0])
    assert data.levels == [2.0, 4.0] and data.names == ["Canon/Canon_001", "Canon/Canon_002"]
    assert len(from_realsr(tmp_path / "RealSR", levels=[2.0, 3.0]).names) == 3
    with pytest.warns(UserWarning):
        m = train_interflow(**TINY, realsr=tmp_path / "RealSR", realsr_level=[2.0, 4.0],
                            calibrate=["3"], out=tmp_path / "m", steps=2)
    assert m.cfg.trained_levels == [2.0, 4.0]
    assert [p[0] for p in m.cfg.calibration] == [3.0]
    with pytest.raises(degsdk.PairingError, match="no level folder"):
        from_realsr(tmp_path / "RealSR", levels=[2.0, 5.0])


def test_calibration_is_stored_in_the_model_card(levels_dir: dict[str, Path],
                                                 tmp_path: Path) -> None:
    train_interflow(**TINY, hr=levels_dir["hr"], level=_levels(levels_dir, "2", "4"),
                    calibrate=[f"3={levels_dir['3']}"], out=tmp_path / "m", steps=2)
    cfg = json.loads((tmp_path / "m" / "config.json").read_text())
    point = cfg["architecture"]["calibration"][0]
    assert point[0] == 3.0 and 0 < point[1] < 1
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    with pytest.raises(degsdk.ConfigError, match="strictly between the trained levels"):
        train_interflow(**TINY, hr=levels_dir["hr"], level=_levels(levels_dir, "2", "3"),
                        calibrate=[f"4={levels_dir['4']}"], out=tmp_path / "m2", steps=2)
    assert not (tmp_path / "m2").exists()
    curve = metrics["calibration_3"]["hf_kl"]
    assert len(curve) == 19 and min(curve, key=curve.get) == str(point[1])


def test_cli_trains(levels_dir: dict[str, Path], tmp_path: Path) -> None:
    code = main(["train", "interflow", "--hr", str(levels_dir["hr"]), "--level",
                 f"2={levels_dir['2']}", "--level", f"4={levels_dir['4']}", "--out",
                 str(tmp_path / "m"), "--steps", "2", "--patch", "16", "--batch-size", "2",
                 "--flow-steps", "1", "--hidden", "8", "--no-progress"])
    assert code == 0 and (tmp_path / "m" / "config.json").is_file()


def test_non_finite_and_exploding_steps_are_skipped(levels_dir: dict[str, Path], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import degsdk_interflow.train as tr

    real = tr.training_losses
    calls = {"n": 0}

    def flaky(*args: object, **kw: object) -> dict[str, torch.Tensor]:
        calls["n"] += 1
        terms = real(*args, **kw)  # type: ignore[arg-type]
        if calls["n"] in (2, 4):
            terms["total"] = terms["total"] * float("nan")
        if calls["n"] == 7:  # after the warm-up: 1000× the running loss
            terms["total"] = terms["total"] * 1000
        return terms

    monkeypatch.setattr(tr, "training_losses", flaky)
    monkeypatch.setattr(tr, "WARMUP", 5)  # (100 in training; shortened for the test)
    monkeypatch.setattr(tr, "MAX_BAD_STEPS", 4)
    common = {**TINY, "hr": levels_dir["hr"], "level": _levels(levels_dir, "2", "4")}
    train_interflow(**common, out=tmp_path / "m", steps=8)
    assert json.loads((tmp_path / "m" / "metrics.json").read_text())["skipped_steps"] == 3

    def always_nan(*args: object, **kw: object) -> dict[str, torch.Tensor]:
        terms = real(*args, **kw)  # type: ignore[arg-type]
        terms["total"] = terms["total"] * float("nan")
        return terms

    monkeypatch.setattr(tr, "training_losses", always_nan)
    with pytest.raises(degsdk.TrainingError, match="4 steps in a row"):
        train_interflow(**common, out=tmp_path / "m2", steps=10)

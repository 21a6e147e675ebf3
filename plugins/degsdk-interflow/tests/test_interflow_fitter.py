"""The ``interflow`` fitter of ``degsdk fit``: trained on the level pairs within its budget,
the camera's level (or the whole range) chosen by realism, and a continuous-level best.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import write_levels
from degsdk_interflow.fitter import BASE_WEIGHTS, GRID, check, fit_interflow

import degsdk
from degsdk import FitContext, FitData
from degsdk.fit import fit
from degsdk.recipes import Recipe
from degsdk.testing import synthetic_photos


def _camera(root: Path, size: int = 48) -> dict[str, object]:
    """Level pairs 2 and 4 (aligned), clean HR, real LR and test pairs at level 3."""
    d = write_levels(root / "lv", (2.0, 3.0, 4.0), n=4, size=size)
    levels = {}
    for s in (2.0, 4.0):
        (root / f"p{s:g}").mkdir()
        (root / f"p{s:g}" / "hr").symlink_to(d["hr"])
        (root / f"p{s:g}" / "lr").symlink_to(d[f"{s:g}"])
        levels[s] = root / f"p{s:g}"
    other = write_levels(root / "other", (3.0,), n=6, size=size, seed=5)
    (root / "test").mkdir()
    (root / "test" / "hr").symlink_to(other["hr"])
    (root / "test" / "lr").symlink_to(other["3"])
    clean = root / "clean"
    for i, x in enumerate(synthetic_photos(3, size, seed=9)):
        degsdk.write_image(clean / f"{i}.png", x)
    return {"levels": levels, "real_lr": other["3"], "clean_hr": clean, "test": root / "test"}


def test_interflow_fits_a_level_and_keeps_the_scale(tmp_path: Path) -> None:
    c = _camera(tmp_path)
    for k in (2,):  # (scale 1 is the end-to-end test below)
        fd = FitData(scale=k, clean_hr=c["clean_hr"], real_lr=c["real_lr"],  # type: ignore[arg-type]
                     levels=c["levels"])  # type: ignore[arg-type]
        assert check(fd) is None
        res = fit_interflow(FitContext(fd, tmp_path / f"m{k}", seconds=6.0, progress=False))
        assert len(res.fitted["level_distances"]) == GRID + 1
        assert res.fitted["trained_levels"] == [2.0, 4.0]
        assert res.fitted["init"] == BASE_WEIGHTS and "fine-tuned from" in res.notes
        shipped = degsdk.load(BASE_WEIGHTS).state_dict()
        tuned = degsdk.load(str(tmp_path / f"m{k}" / "model")).state_dict()
        assert shipped.keys() == tuned.keys()
        # a few steps moved it from the shipped weights, not from a random init
        close = [float((tuned[n] - shipped[n]).abs().max()) < 0.05 for n in shipped
                 if shipped[n].dtype.is_floating_point]
        assert sum(close) > 0.9 * len(close)
        deg = degsdk.from_config(res.degrader)
        assert deg.scale == k
        hr = synthetic_photos(1, 32)
        assert deg(hr, seed=0).lr.shape[-1] == 32 // k


def test_interflow_is_skipped_without_two_aligned_levels(tmp_path: Path) -> None:
    c = _camera(tmp_path)
    levels: dict[float, Path] = c["levels"]  # type: ignore[assignment]
    one = FitData(scale=1, clean_hr=tmp_path, levels={2.0: levels[2.0]})
    assert "two or more zoom levels" in (check(one) or "")
    reason = degsdk.get_fitter("interflow").skip_reason(FitData(scale=1, clean_hr=tmp_path))
    assert reason is not None and "--levels" in reason


def test_fit_with_levels_ranks_interflow_and_writes_a_continuous_recipe(tmp_path: Path) -> None:
    c = _camera(tmp_path)
    out = tmp_path / "fit"
    levels: dict[float, Path] = c["levels"]  # type: ignore[assignment]
    report = fit(real_lr=c["real_lr"], clean_hr=c["clean_hr"], test=c["test"], out=out,
                 levels=[f"{s:g}={p}" for s, p in levels.items()], methods=["interflow"],
                 budget="25", repeats=1, sr={"steps": 2, "patch": 16, "batch_size": 2},
                 baselines=[], mixture=False, progress=False, extractors=["degradation_stats"],
                 threads=1)
    assert report.best == "interflow"
    cfg = report.candidates["interflow"].config
    assert cfg["name"] == "interflow" and "level" in cfg["params"]
    recipe = Recipe.from_yaml(out / "best.yaml")
    from_recipe = degsdk.from_config(recipe.degrader)
    hr = synthetic_photos(1, 32)
    assert torch.equal(from_recipe(hr, seed=1, indices=[0]).lr,
                       degsdk.from_config(cfg)(hr, seed=1, indices=[0]).lr)
    summary = recipe.run(limit=2, progress=False)  # its output dir is inside --out
    assert summary.samples == 2


@pytest.mark.parametrize("level", [[2.0, 4.0], 3.0])
def test_levels_round_trip_through_a_config(level: object) -> None:
    deg = degsdk.create("interflow", level=level)
    assert degsdk.from_config(deg.to_config()).cfg.level == deg.cfg.level

"""``degsdk eval``: degrader specs, patch features, rankings, pictures and a tiny end-to-end
run whose numbers are recomputed independently from the files it wrote."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import yaml
from PIL import Image

import degsdk
from degsdk.cli import main
from degsdk.evaluation import EvalSettings, parse_degrader_spec, run_eval
from degsdk.evaluation._figures import bar_charts, crop_grid
from degsdk.evaluation._patch_features import patch_features, patch_grid
from degsdk.evaluation._protocol import rankings
from degsdk.metrics import frechet_distance, psnr, ssim
from tests.conftest import smooth_images

# The test pairs are made by this deterministic degrader, so evaluating it must find the
# generated LR identical to the real LR.
TRUE = {"name": "sequential", "params": {"ops": [
    {"name": "gaussian_blur", "params": {"sigma": 1.2}},
    {"name": "resize", "params": {"factor": 0.5, "mode": "area"}}]}}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("eval")
    train = smooth_images(2, 96, 96, seed=5)
    for i in range(2):
        degsdk.write_image(root / "train" / f"t{i}.png", train[i])
    hr = smooth_images(2, 64, 96, seed=6)
    for i in range(2):
        degsdk.write_image(root / "test" / "hr" / f"p{i}.png", hr[i])
        hr8 = degsdk.read_image(root / "test" / "hr" / f"p{i}.png")
        lr = degsdk.from_config(TRUE)(hr8[None], seed=0).lr[0]
        degsdk.write_image(root / "test" / "lr" / f"p{i}.png", lr)
    (root / "true.yaml").write_text(yaml.safe_dump(TRUE))
    return root


def test_spec_forms(data: Path, tmp_path: Path) -> None:
    e = parse_degrader_spec("camera:level=2:jpeg=null", scale=2)
    assert e.label == "camera:level=2:jpeg=null" and e.degrader.scale == 2  # scale filled in
    assert e.degrader.config.jpeg is None and e.degrader.config.level == 2.0
    e = parse_degrader_spec("mine=bicubic:level=3", scale=1)
    assert e.label == "mine" and e.degrader.to_config()["params"] == {"scale": 1, "level": 3.0}
    e = parse_degrader_spec(str(data / "true.yaml"), scale=2)
    assert e.label == "true" and e.degrader.to_config() == degsdk.from_config(TRUE).to_config()
    recipe = {"version": 1, "name": "r", "inputs": [{"path": "."}], "degrader": TRUE}
    (tmp_path / "rec.yml").write_text(yaml.safe_dump(recipe))
    e = parse_degrader_spec(f"R={tmp_path / 'rec.yml'}", scale=2)
    assert e.label == "R" and e.source.startswith("recipe")


def test_spec_errors(tmp_path: Path) -> None:
    with pytest.raises(degsdk.UnknownComponentError, match="Did you mean 'camera'"):
        parse_degrader_spec("camra", scale=2)
    with pytest.raises(degsdk.ConfigError, match="scale is 4 but the test pairs are ×2"):
        parse_degrader_spec("resize:factor=0.25", scale=2)
    with pytest.raises(degsdk.ConfigError, match="expected NAME:KEY=VALUE"):
        parse_degrader_spec("camera:level", scale=2)
    degsdk.create_sr_model("srresnet_small", scale=2, channels=4, blocks=1).save_pretrained(
        tmp_path / "sr")
    with pytest.raises(degsdk.ConfigError, match="not a degrader"):
        parse_degrader_spec(str(tmp_path / "sr"), scale=2)


def test_patch_grid_cuts_row_major_and_features_follow() -> None:
    x = torch.rand(3, 70, 100)
    p = patch_grid(x, 32)
    assert p.shape == (2 * 3, 3, 32, 32)
    assert torch.equal(p[4], x[:, 32:64, 32:64])
    ext = degsdk.create_extractor("degradation_stats")
    f = patch_features(ext, [x, x[:, :32, :64]], 32, batch_size=4)
    assert f.shape == (8, 38)
    assert torch.allclose(f[4], ext(p[4:5])[0])
    with pytest.raises(degsdk.InputError, match="smaller than the feature patch"):
        patch_grid(x[:, :20], 32)


def test_rankings_order_each_metric_by_its_direction() -> None:
    def r(label: str, p: float, fd: float, kl: float) -> dict[str, Any]:
        return {"label": label, "sr": {"psnr": p, "ssim": p / 100}, "hf_kl": kl,
                "lr": None, "frechet": {"x": fd}}

    out = rankings([r("a", 30, 2.0, 0.1), r("b", 31, 1.0, 0.3), r("c", 29, 3.0, 0.0)])
    assert out == {"sr_psnr": ["b", "a", "c"], "sr_ssim": ["b", "a", "c"],
                   "hf_kl": ["c", "a", "b"], "frechet_x": ["b", "a", "c"]}


def test_pictures() -> None:
    charts = bar_charts([("PSNR", [("a", 30.0), ("b", 31.0)], True),
                         ("KL", [("a", 0.1), ("b", math.inf)], False),
                         ("FD", [("a", 1.0), ("b", 2.0)], False)], columns=2, panel_w=300)
    assert charts.size[0] == 600 and charts.size[1] > 0
    # the best bar is green: PSNR's is "b" (second row), KL's is "a"
    arr = torch.from_numpy(np.array(charts))
    green = (arr[..., 1] > 100) & (arr[..., 0] < 80) & (arr[..., 2] < 80)
    assert green[:, :300].any() and green[:, 300:].any()
    grid = crop_grid(["HR", "LR"], [("x", [torch.zeros(3, 8, 8), None])], tile=40)
    assert isinstance(grid, Image.Image) and grid.size[1] == 22 + 40 + 12


def test_tiny_eval_end_to_end(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    argv = ["eval", "--degrader", f"true={data / 'true.yaml'}", "--degrader", "bicubic",
            "--clean-hr", str(data / "train"), "--test", str(data / "test"),
            "--steps", "4", "--batch-size", "4", "--patch", "16", "--feature-patch", "16",
            "--copies", "1", "--out", str(out)]
    assert main(argv) == 0
    assert {p.name for p in out.iterdir()} == {"report.md", "report.json", "crops.png",
                                              "metrics.png", "models"}
    rep = json.loads((out / "report.json").read_text())
    assert rep["test"]["scale"] == 2 and rep["test"]["pairs"] == 2
    res = {r["label"]: r for r in rep["degraders"]}
    # the true degrader reproduces the real LR exactly; bicubic does not
    assert res["true"]["lr"]["psnr"] == math.inf and res["true"]["lr"]["ssim"] == 1.0
    assert res["true"]["hf_kl"] == 0.0 and res["bicubic"]["hf_kl"] > 0
    assert abs(res["true"]["frechet"]["degradation_stats"]) < 1e-6
    for key in ("hf_kl", "frechet_degradation_stats", "frechet_alexnet_random", "lr_psnr"):
        assert rep["ranking"][key][0] == "true", key
    # recompute SR PSNR/SSIM from the saved model and the files on disk
    hr = [degsdk.read_image(data / "test" / "hr" / f"p{i}.png") for i in range(2)]
    lr = [degsdk.read_image(data / "test" / "lr" / f"p{i}.png") for i in range(2)]
    model = degsdk.load(str(out / "models" / "bicubic"))
    with torch.no_grad():
        sr = [model(x[None])[0].clamp(0, 1) for x in lr]
    want = sum(psnr(s, h, crop_border=2, y_channel=True)
               for s, h in zip(sr, hr, strict=True)) / 2
    assert res["bicubic"]["sr"]["psnr"] == pytest.approx(want, abs=1e-9)
    base = degsdk.create_sr_model("bicubic", scale=2)
    want = sum(ssim(base(x[None])[0], h, crop_border=2, y_channel=True)
               for x, h in zip(lr, hr, strict=True)) / 2
    assert rep["baseline"]["sr"]["ssim"] == pytest.approx(want, abs=1e-9)
    # Fréchet recomputed from the real test LR and the bicubic LR of the test HR
    ext = degsdk.create_extractor("alexnet_random")
    gen = [(degsdk.create("bicubic", scale=2)(h[None], seed=0).lr[0] * 255).round() / 255
           for h in hr]
    fd = frechet_distance(patch_features(ext, lr, 16), patch_features(ext, gen, 16))
    assert res["bicubic"]["frechet"]["alexnet_random"] == pytest.approx(fd, rel=1e-9)
    md = (out / "report.md").read_text()
    assert "| true |" in md and "![crops](crops.png)" in md


def test_same_seed_same_report_and_nothing_written_on_error(data: Path, tmp_path: Path
                                                            ) -> None:
    s = EvalSettings(steps=3, batch_size=2, patch=16, feature_patch=16, copies=1,
                     extractors=["degradation_stats"], save_models=False)
    a = run_eval(["bicubic"], data / "train", data / "test", tmp_path / "a", settings=s,
                 progress=False)
    b = run_eval(["bicubic"], data / "train", data / "test", tmp_path / "b", settings=s,
                 progress=False)
    for key in ("sr", "lr", "frechet", "hf_kl"):
        assert a["degraders"][0][key] == b["degraders"][0][key]
    assert not (tmp_path / "a" / "models").exists()
    # an explicit --real-lr equal to the test LR changes nothing; --unaligned drops LR PSNR
    c = run_eval(["bicubic"], data / "train", data / "test", tmp_path / "c0",
                 real_lr=data / "test" / "lr", settings=s.model_copy(update={"aligned": False}),
                 progress=False)
    assert c["degraders"][0]["frechet"] == a["degraders"][0]["frechet"]
    assert c["degraders"][0]["hf_kl"] == a["degraders"][0]["hf_kl"]
    assert c["degraders"][0]["lr"] is None and "lr_psnr" not in c["ranking"]
    assert "not aligned" in (tmp_path / "c0" / "report.md").read_text()
    # the second degrader fails (duplicate label) after the test data was read: no folder
    with pytest.raises(degsdk.ConfigError, match="repeated: bicubic"):
        run_eval(["bicubic", "bicubic"], data / "train", data / "test", tmp_path / "c",
                 settings=s, progress=False)
    assert not (tmp_path / "c").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert main(["eval", "--degrader", "nope", "--clean-hr", str(data / "train"), "--test",
                 str(data / "test"), "--out", str(tmp_path / "d")]) == 2
    assert not (tmp_path / "d").exists()


def test_bad_settings_are_one_line_errors(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 row 11: --steps 0 names the flag instead of a pydantic traceback."""
    for d in ("hr", "t/hr", "t/lr"):
        (tmp_path / d).mkdir(parents=True)
    assert main(["eval", "--degrader", "bicubic", "--clean-hr", str(tmp_path / "hr"), "--test",
                 str(tmp_path / "t"), "--out", str(tmp_path / "o"), "--steps", "0"]) == 2
    err = capsys.readouterr().err
    assert "--steps (steps): Input should be greater than or equal to 1" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()


def test_a_non_empty_out_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 row 20: as `degsdk run`, eval refuses to mix a new report with old files."""
    for d in ("hr", "t/hr", "t/lr", "o"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "o" / "report.md").write_text("an older report")
    assert main(["eval", "--degrader", "bicubic", "--clean-hr", str(tmp_path / "hr"), "--test",
                 str(tmp_path / "t"), "--out", str(tmp_path / "o")]) == 2
    assert "is not empty; choose an empty folder, or pass --overwrite" in capsys.readouterr().err
    assert (tmp_path / "o" / "report.md").read_text() == "an older report"


def test_eval_flags_come_from_one_options_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every EvalOptions field is a flag; the old spellings still parse, with a warning."""
    import argparse

    from degsdk.cli import _eval_cmd
    from degsdk.evaluation import EvalOptions

    sub = argparse.ArgumentParser().add_subparsers()
    _eval_cmd.add_parser(sub)
    parser = sub.choices["eval"]
    base = ["--degrader", "bicubic", "--clean-hr", "h", "--test", "t", "--out", "o"]
    new = vars(parser.parse_args([*base, "--extractors", "degradation_stats",
                                  "--no-y-channel", "--no-aligned", "--no-save-models",
                                  "--channels", "8", "--crop-size", "64"]))
    old_base = ["--degrader", "bicubic", "--train-hr", "h", "--test", "t", "--out", "o"]
    with pytest.warns(FutureWarning, match="--rgb is deprecated; use --no-y-channel"), \
            pytest.warns(FutureWarning, match="--train-hr is deprecated; use --clean-hr"):
        old = vars(parser.parse_args([*old_base, "--extractor", "degradation_stats", "--rgb",
                                      "--unaligned", "--no-models", "--channels", "8",
                                      "--crop-size", "64"]))
    fields = {k: v for k, v in new.items() if k in EvalOptions.model_fields}
    assert fields == {k: v for k, v in old.items() if k in EvalOptions.model_fields}
    s = EvalOptions.of(**fields).settings()
    assert (s.y_channel, s.aligned, s.save_models, s.channels, s.crop_size) == (
        False, False, False, 8, 64)
    assert s.extractors == ["degradation_stats"] and type(s).__name__ == "EvalSettings"
    assert set(EvalOptions.model_fields) - {"threads"} <= {
        a.dest for a in parser._actions}  # every field has its flag

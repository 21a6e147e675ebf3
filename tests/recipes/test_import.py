"""``degsdk import``: traiNNer-redux / neosr OTF options and wtp_dataset_destroyer configs
(written here, not copied) become recipes whose draws stay inside the source's ranges and whose
probabilities match the source's within sampling error over many draws; what cannot be carried
is listed."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml

import degsdk
from degsdk.cli import main
from degsdk.recipes import Recipe
from degsdk.recipes._import import import_config
from degsdk.seeding import make_generators

N = 3000


def _close(hits: int, n: int, p: float, what: str) -> None:
    """``hits`` of ``n`` agrees with probability ``p`` within 4.5 standard errors."""
    tol = 4.5 * math.sqrt(max(p * (1 - p), 1e-12) / n) + 1e-12
    assert abs(hits / n - p) <= tol, f"{what}: {hits}/{n} = {hits / n:.3f}, expected {p}"


REDUX: dict[str, Any] = {
    "name": "4x_redux_test", "scale": 4, "high_order_degradation": True,
    "lq_usm": True, "lq_usm_radius_range": [3, 9],
    "blur_prob": 0.3, "resize_prob": [0.2, 0.5, 0.3], "resize_range": [0.5, 1.4],
    "resize_mode_list": ["bilinear", "bicubic", "nearest-exact", "lanczos"],
    "resize_mode_prob": [0.1, 0.2, 0.3, 0.4],
    "gaussian_noise_prob": 0.6, "noise_range": [1, 5], "poisson_scale_range": [0.1, 0.5],
    "gray_noise_prob": 0.25, "jpeg_prob": 0.7, "jpeg_range": [60, 90],
    "blur_prob2": 0.4, "resize_prob2": [0.1, 0.1, 0.8], "resize_range2": [0.7, 1.1],
    "resize_mode_list2": ["bicubic"], "gaussian_noise_prob2": 0.3, "noise_range2": [0, 2],
    "poisson_scale_range2": [0, 0.2], "gray_noise_prob2": 0.5, "jpeg_prob2": 0.5,
    "jpeg_range2": [50, 80], "resize_mode_list3": ["bicubic", "lanczos"],
    "resize_mode_prob3": [0.8, 0.2], "dataroot_lq_prob": 0.2, "my_own_option": 3,
    "datasets": {"train": {
        "type": "realesrgandataset_traiNNer", "dataroot_gt": "data/hr", "gt_size": 192,
        "kernel_list": ["iso", "aniso", "plateau_iso"], "kernel_prob": [0.5, 0.3, 0.2],
        "kernel_range": [5, 11], "sinc_prob": 0.2, "blur_sigma": [0.3, 2.5],
        "betag_range": [0.5, 3], "betap_range": [1, 1.5], "kernel_list2": ["iso"],
        "kernel_prob2": [1], "kernel_range2": [7, 9], "sinc_prob2": 0.0,
        "blur_sigma2": [0.2, 1.0], "betag_range2": [0.5, 4], "betap_range2": [1, 2],
        "final_sinc_prob": 0.3, "final_kernel_range": [7, 9]}},
    "network_g": {"type": "span"}, "train": {"total_iter": 10},
}


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data) if path.suffix in (".yml", ".yaml") else
                    json.dumps(data))
    return path


def test_traiNNer_redux_draws_match_the_sources_ranges_and_probabilities(tmp_path: Path
                                                                         ) -> None:
    res = import_config(_write(tmp_path / "redux.yml", REDUX))
    assert res.tool == "traiNNer-redux"
    skipped = {k for k, _, _ in res.unconverted}
    assert skipped == {"dataroot_lq_prob", "my_own_option"}
    deg = degsdk.from_config(res.recipe["degrader"])
    usm, esr = deg.ops  # lq_usm: an unsharp mask before the pipeline
    gens = make_generators(0, range(N))
    m = esr.min_size()
    hr = torch.zeros(1, 3, m, m).expand(N, 3, m, m)  # sample() reads only the shape
    radii = [p["radius"] for p in usm.sample(hr[:500], gens[:500])]
    assert min(radii) >= 3 and max(radii) <= 9 and len(set(radii)) == 7
    ps = esr.sample(hr, gens)
    k1 = [p["kernel1"] for p in ps if p["kernel1"] is not None]
    _close(N - len(k1), N, 0.7, "first blur skipped")
    assert {k["size"] for k in k1} == {5, 7, 9, 11}
    _close(sum(k["type"] == "sinc" for k in k1), len(k1), 0.2, "sinc")
    plain = [k for k in k1 if k["type"] != "sinc"]
    for t, prob in zip(["iso", "aniso", "plateau_iso"], [0.5, 0.3, 0.2], strict=True):
        _close(sum(k["type"] == t for k in plain), len(plain), prob, t)
    assert all(0.3 <= k["sigma_x"] <= 2.5 for k in plain)
    kinds = Counter(p["resize1"]["kind"] for p in ps)
    for kind, prob in zip(["up", "down", "keep"], [0.2, 0.5, 0.3], strict=True):
        _close(kinds[kind], N, prob, f"resize1 {kind}")
    assert all(0.5 <= p["resize1"]["factor"] <= 1.4 for p in ps)
    modes = Counter(p["resize1"]["mode"] for p in ps)
    for m, prob in zip(REDUX["resize_mode_list"], REDUX["resize_mode_prob"], strict=True):
        _close(modes[m], N, prob, f"mode {m}")
    assert {p["resize2"]["mode"] for p in ps} == {"bicubic"}
    gauss = [p["noise1"] for p in ps if p["noise1"]["kind"] == "gaussian"]
    _close(len(gauss), N, 0.6, "gaussian noise")
    assert all(1 <= n["sigma"] <= 5 for n in gauss)
    assert all(0.1 <= p["noise1"]["scale"] <= 0.5 for p in ps if p["noise1"]["kind"] ==
               "poisson")
    _close(sum(p["noise1"]["gray"] for p in ps), N, 0.25, "gray noise")
    q1 = [p["jpeg1"] for p in ps if p["jpeg1"] is not None]
    _close(N - len(q1), N, 0.3, "first JPEG skipped")
    assert min(q1) == 60 and max(q1) == 90
    _close(sum(p["blur2"] for p in ps), N, 0.4, "second blur")
    q2 = [p["final"]["jpeg"] for p in ps if p["final"]["jpeg"] is not None]
    _close(N - len(q2), N, 0.5, "final JPEG skipped")
    assert min(q2) >= 50 and max(q2) <= 80
    final = [p["final"]["sinc"] for p in ps]
    _close(sum(f["type"] == "sinc" for f in final), N, 0.3, "final sinc")
    assert {f["size"] for f in final if f["type"] == "sinc"} <= {7, 9}
    _close(sum(p["final"]["mode"] == "lanczos" for p in ps), N, 0.2, "final lanczos")


def test_the_imported_pipeline_runs(tmp_path: Path) -> None:
    res = import_config(_write(tmp_path / "redux.yml", REDUX))
    deg = degsdk.from_config(res.recipe["degrader"])
    from tests.conftest import smooth_images
    out = deg(smooth_images(4, 128, 128), seed=3)
    assert out.lr.shape == (4, 3, 32, 32)
    assert torch.equal(deg.apply(smooth_images(4, 128, 128), out.params), out.lr)


NEOSR_TOML = """
name = "neosr_test"
model_type = "otf"
scale = 2
[datasets.train]
type = "otf"
dataroot_gt = 'gt/'
patch_size = 48
[degradations]
resize_prob = [ 0.3, 0.4, 0.3 ]
resize_range = [ 0.5, 1.5 ]
gaussian_noise_prob = 0.2
noise_range = [ 0, 2 ]
poisson_scale_range = [ 0.05, 0.25 ]
gray_noise_prob = 0.1
jpeg_range = [ 40, 95 ]
second_blur_prob = 0.4
resize_prob2 = [ 0.3, 0.4, 0.3 ]
resize_range2 = [ 0.3, 1.5 ]
gaussian_noise_prob2 = 0.2
noise_range2 = [ 0, 2 ]
poisson_scale_range2 = [ 0.05, 0.1 ]
gray_noise_prob2 = 0.1
jpeg_range2 = [ 35, 95 ]
blur_kernel_size = 7
kernel_list = [ "iso", "aniso" ]
kernel_prob = [ 0.7, 0.3 ]
sinc_prob = 0.1
blur_sigma = [ 0.2, 3 ]
betag_range = [ 0.5, 4 ]
betap_range = [ 1, 2 ]
blur_kernel_size2 = 9
kernel_list2 = [ "iso" ]
kernel_prob2 = [ 1.0 ]
sinc_prob2 = 0.1
blur_sigma2 = [ 0.2, 1.5 ]
betag_range2 = [ 0.5, 4 ]
betap_range2 = [ 1, 2 ]
final_sinc_prob = 0.8
[train]
ema = 0.999
"""


def test_neosr_maps_every_key_and_its_probabilities_hold(tmp_path: Path) -> None:
    src = tmp_path / "train_otf.toml"
    src.write_text(NEOSR_TOML)
    res = import_config(src)
    assert res.tool == "neosr" and res.unconverted == []
    p = res.recipe["degrader"]["params"]
    assert p["scale"] == 2 and p["jpeg1"] == [40, 95] and p["jpeg2"] == [35, 95]
    assert p["resize2"] == {"probs": [0.3, 0.4, 0.3], "range": [0.3, 1.5]}
    assert p["noise1"] == {"gaussian_prob": 0.2, "gaussian_sigma": [0.0, 2.0],
                           "poisson_scale": [0.05, 0.25], "gray_prob": 0.1}
    assert p["kernel1"]["sizes"] == list(range(7, 22, 2))  # as neosr's kernel code
    assert res.recipe["crop"]["size"] == 96  # patch_size is the LR side
    esr = degsdk.from_config(res.recipe["degrader"])
    m = esr.min_size()
    ps = esr.sample(torch.zeros(1, 3, m, m).expand(N, 3, m, m), make_generators(1, range(N)))
    _close(sum(q["blur2"] for q in ps), N, 0.4, "second blur")
    _close(sum(q["noise2"]["kind"] == "gaussian" for q in ps), N, 0.2, "gaussian noise 2")
    _close(sum(q["final"]["sinc"]["type"] == "sinc" for q in ps), N, 0.8, "final sinc")
    assert all(35 <= q["final"]["jpeg"] <= 95 for q in ps)


WTP: dict[str, Any] = {
    "input": "in", "output": "out",
    "process": [
        {"type": "pixelate", "size": [2, 3], "probability": 0.3},
        {"type": "blur", "filter": ["box", "median", "lens", "screen"], "kernel": [1, 2],
         "target_kernel": {"lens": [1, 1.5]}, "probability": 0.6},
        {"type": "noise", "type_noise": ["perlin"], "probability": 0.5},
        {"type": "compress", "algorithm": ["jpeg", "webp", "mpeg"],
         "target_compress": {"jpeg": [40, 60]}, "comp": [70, 90], "probability": 0.8},
    ],
    "laplace_filter": 0.02,
}


def _by_kind(params: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    return [p["ops"][k] for p in params]


def test_wtp_steps_keep_their_probabilities_and_ranges(tmp_path: Path) -> None:
    res = import_config(_write(tmp_path / "full.json", WTP))
    skipped = {k for k, _, _ in res.unconverted}
    assert skipped == {"process[1] (blur).filter", "process[2] (noise)",
                       "process[3] (compress).algorithm", "laplace_filter"}
    deg = degsdk.from_config(res.recipe["degrader"])
    n = 1500
    x = torch.rand(n, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    out = deg(x, seed=4)
    pix, blur, comp = (_by_kind(out.params, k) for k in range(3))
    _close(sum(p["applied"] for p in pix), n, 0.3, "pixelate applied")
    assert {p["params"]["size"] for p in pix if p["applied"]} == {2, 3}
    applied = [p["params"] for p in blur if p["applied"]]
    _close(len(applied), n, 0.6, "blur applied")
    choices = Counter(p["choice"] for p in applied)
    for k in range(3):  # box, median, lens: equally likely (the unknown filter dropped)
        _close(choices[k], len(applied), 1 / 3, f"blur filter {k}")
    assert all(1 <= p["params"]["radius"] <= 1.5 for p in applied if p["choice"] == 2)
    assert {p["params"]["radius"] for p in applied if p["choice"] == 0} == {1, 2}
    comp_applied = [p["params"] for p in comp if p["applied"]]
    _close(len(comp_applied), n, 0.8, "compress applied")
    jpeg = [p["params"]["quality"] for p in comp_applied if p["choice"] == 0]
    webp = [p["params"]["quality"] for p in comp_applied if p["choice"] == 1]
    _close(len(jpeg), len(comp_applied), 0.5, "jpeg chosen")
    assert min(jpeg) >= 40 and max(jpeg) <= 60 and min(webp) >= 70 and max(webp) <= 90


def test_wtp_hcl_gives_the_same_recipe_as_json(tmp_path: Path) -> None:
    pytest.importorskip("hcl2")
    hcl = tmp_path / "full.hcl"
    hcl.write_text('input = "in"\noutput = "out"\n'
                   'degradation {\n  type = "pixelate"\n  size = [2, 3]\n'
                   '  probability = 0.3\n}\n'
                   'degradation {\n  type = "compress"\n  algorithm = ["jpeg", "webp"]\n'
                   '  target_compress = {\n    jpeg = [40, 60]\n  }\n  compress = [70, 90]\n'
                   '  probability = 0.8\n}\n')
    js = {"input": "in", "output": "out", "process": [
        WTP["process"][0], {**WTP["process"][3], "algorithm": ["jpeg", "webp"]}]}
    a = import_config(hcl, name="x").recipe
    b = import_config(_write(tmp_path / "full.json", js), name="x").recipe
    assert a == b


def test_cli_writes_a_recipe_that_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    from tests.conftest import smooth_images
    hr = tmp_path / "in"
    hr.mkdir()
    for i, img in enumerate(smooth_images(2, 32, 32)):
        degsdk.write_image(hr / f"{i}.png", img)
    cfg = {"input": "in", "output": "out", "process": [
        {"type": "resize", "alg_lq": ["box", "lanczos"], "scale": 2},
        {"type": "compress", "algorithm": ["jpeg"], "comp": [50, 60]}]}
    src = _write(tmp_path / "wtp.json", cfg)
    recipe = tmp_path / "imported.yaml"
    assert main(["import", str(src), "-o", str(recipe)]) == 0
    assert f"wrote {recipe}" in capsys.readouterr().err
    text = recipe.read_text()
    assert text.startswith("# Imported by `degsdk import` from wtp.json")
    summary = Recipe.from_yaml(recipe).run(progress=False)
    assert summary.samples == 2
    assert degsdk.read_image(tmp_path / "out" / "lr" / sorted(
        (tmp_path / "out" / "lr").iterdir())[0].name).shape == (3, 16, 16)


def test_bad_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(degsdk.ConfigError, match="does not exist"):
        import_config(tmp_path / "missing.yml")
    bad = tmp_path / "x.toml"
    bad.write_text("this is = = not toml")
    with pytest.raises(degsdk.ConfigError, match="not valid TOML"):
        import_config(bad)
    paired = _write(tmp_path / "paired.yml", {"high_order_degradation": False, "scale": 4})
    with pytest.raises(degsdk.ConfigError, match="paired data"):
        import_config(paired)
    with pytest.raises(degsdk.ConfigError, match="resize modes"):
        import_config(_write(tmp_path / "r.yml", {**REDUX, "resize_mode_list": ["sinc"]}))

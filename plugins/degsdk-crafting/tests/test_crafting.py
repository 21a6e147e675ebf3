"""Crafting: eq. 4, the binned space and distribution, caching, save → load, the heat map,
recovery of a known bin, and ``degsdk craft``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from conftest import textured
from degsdk_crafting import (
    Axis,
    BinnedDistribution,
    DegradationSpace,
    bin_features,
    bin_weights_from_distances,
    craft,
    default_space,
    heatmap_image,
    top_bins_table,
)

import degsdk
from degsdk.cli import main
from degsdk.testing import check_degrader


def _small_space() -> DegradationSpace:
    """4 bins: blur σ ∈ [0, 4] × noise σ ∈ [0, 40], 2 bins each, ×2 down."""
    return DegradationSpace(
        ops=[{"name": "gaussian_blur", "params": {"sigma": 1.0}},
             {"name": "resize", "params": {"factor": 0.5}},
             {"name": "gaussian_noise", "params": {"sigma": 1.0}}],
        axes=[Axis(name="blur_sigma", op=0, param="sigma", low=0, high=4, bins=2, floor=1e-3),
              Axis(name="noise_sigma", op=2, param="sigma", low=0, high=40, bins=2)])


def test_eq4_gives_the_exact_weights() -> None:
    d = torch.tensor([2.0, 4.0, 6.0, 10.0])
    dn = [0.0, 0.25, 0.5, 1.0]
    for alpha in (1.0, 2.5, 25.0):
        raw = [math.exp((1 - v) ** alpha) - 1 for v in dn]
        expected = torch.tensor([r / sum(raw) for r in raw], dtype=torch.float64)
        torch.testing.assert_close(bin_weights_from_distances(d, alpha), expected, rtol=1e-12,
                                   atol=0)
    torch.testing.assert_close(bin_weights_from_distances(d, 0.0),
                               torch.full((4,), 0.25, dtype=torch.float64))
    assert float(bin_weights_from_distances(d, 25.0)[-1]) == 0  # the farthest bin
    torch.testing.assert_close(bin_weights_from_distances(torch.ones(3), 5.0),
                               torch.full((3,), 1 / 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="alpha"):
        bin_weights_from_distances(d, -1.0)


def test_default_space_is_the_papers_75_bins() -> None:
    space = default_space()
    assert space.num_bins == 75 and space.scale() == 4.0
    ranges = space.bin_ranges()
    assert ranges[0] == {"blur_sigma": (0.0, 1.0), "noise_sigma": (0.0, 10.0),
                         "jpeg_quality": (30.0, 50.0)}
    assert ranges[-1] == {"blur_sigma": (4.0, 5.0), "noise_sigma": (40.0, 50.0),
                          "jpeg_quality": (70.0, 90.0)}
    assert ranges[1]["jpeg_quality"] == (50.0, 70.0)  # the last axis changes fastest
    with pytest.raises(ValueError, match="no parameter 'quality'"):
        DegradationSpace(ops=[{"name": "jpeg", "params": {}}],
                         axes=[Axis(name="q", op=0, param="quality", low=30, high=90, bins=3)])
    with pytest.raises(ValueError, match=r"high 1\.0 must exceed low 2\.0"):
        Axis(name="q", op=0, param="x", low=2, high=1, bins=3)


def test_sampling_respects_bounds_and_weights() -> None:
    dist = BinnedDistribution(space=_small_space().model_dump())
    dist.set_bin_probs([0.5, 0.0, 0.3, 0.2])
    x = torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    gens = degsdk.make_generators(0, range(2000))
    params = dist.sample(x.expand(2000, -1, -1, -1), gens)
    counts = torch.bincount(torch.tensor([p["bin"] for p in params]), minlength=4)
    for b, w in enumerate([0.5, 0.0, 0.3, 0.2]):
        sd = math.sqrt(2000 * w * (1 - w))
        assert abs(int(counts[b]) - 2000 * w) <= 4 * sd + 1e-9, (b, counts)
    ranges = dist.bin_ranges
    for p in params:
        for axis, v in p["values"].items():
            lo, hi = ranges[p["bin"]][axis]
            assert lo <= v < hi
    # the drawn values reach the pipeline: noise σ equals the drawn value
    assert params[0]["ops"]["ops"][2]["sigma"] == pytest.approx(params[0]["values"]
                                                                ["noise_sigma"])
    with pytest.raises(degsdk.ConfigError, match="3 probabilities for 4 bins"):
        dist.set_bin_probs([1, 2, 3])


def test_keeps_the_contract() -> None:
    dist = degsdk.create("binned")
    x = textured(3, 32, seed=1)
    check_degrader(dist, x)
    res = dist(x, seed=2, indices=[0, 1, 2])
    assert res.lr.shape == (3, 3, 8, 8)
    # sample alone draws what draw-and-apply records
    assert dist.sample(x, degsdk.make_generators(2, [0, 1, 2])) == res.params


def test_shipped_weights_keep_the_contract() -> None:
    check_degrader(degsdk.create("binned", weights="crafting/realsrset"), textured(2, 64, seed=3))


def test_cache_gives_identical_features(clean_images: torch.Tensor, tmp_path: Path) -> None:
    space, ext = _small_space(), degsdk.create_extractor("degradation_stats")
    crops = clean_images[:6, :, :32, :32]
    fresh = bin_features(space, crops, ext, "degradation_stats", seed=1, progress=False)
    t1: dict[str, float] = {}
    first = bin_features(space, crops, ext, "degradation_stats", seed=1, cache=tmp_path,
                         progress=False, seconds=t1)
    t2: dict[str, float] = {}
    again = bin_features(space, crops, ext, "degradation_stats", seed=1, cache=tmp_path,
                         progress=False, seconds=t2)
    for a, b, c in zip(fresh, first, again, strict=True):
        assert torch.equal(a, b) and torch.equal(b, c)
    assert t1["degrade"] > 0 and t2["degrade"] == 0  # read back, not recomputed
    assert len(list(tmp_path.rglob("*.safetensors"))) == 4
    other = bin_features(space, crops, ext, "degradation_stats", seed=2, cache=tmp_path,
                         progress=False)
    assert not torch.equal(other[0], first[0])  # another seed is another cache entry


def test_crafting_recovers_the_bin_that_made_the_references(clean_images: torch.Tensor,
                                                             tmp_path: Path) -> None:
    space = _small_space()
    truth = BinnedDistribution(space=space.model_dump())
    truth.set_bin_probs([0, 0, 1, 0])  # blur 2–4, noise 0–20
    refs = truth(clean_images[12:], seed=9, indices=list(range(12))).lr
    result = craft(space, clean_images[:12], refs, degsdk.create_extractor("degradation_stats"),
                   "degradation_stats", alpha=25, cache=tmp_path, progress=False)
    assert result.top_bins(1) == [2], result.distances
    assert float(result.weights[2]) > 0.5
    again = craft(space, clean_images[:12], refs, degsdk.create_extractor("degradation_stats"),
                  "degradation_stats", alpha=0, cache=tmp_path, progress=False)
    torch.testing.assert_close(again.distances, result.distances, rtol=0, atol=0)
    torch.testing.assert_close(again.weights, torch.full((4,), 0.25, dtype=torch.float64))


def test_save_load_round_trip(tmp_path: Path) -> None:
    dist = BinnedDistribution(space=_small_space().model_dump())
    dist.set_bin_probs([0.1, 0.2, 0.3, 0.4])
    dist.save_pretrained(tmp_path / "d")
    loaded = degsdk.load(str(tmp_path / "d"))
    assert isinstance(loaded, BinnedDistribution)
    torch.testing.assert_close(loaded.bin_probs, dist.bin_probs, rtol=0, atol=0)
    assert loaded.bin_ranges == dist.bin_ranges and loaded.scale == 2.0
    x = textured(2, 32, seed=3)
    assert torch.equal(loaded(x, seed=0).lr, dist(x, seed=0).lr)


def test_heatmap_and_table() -> None:
    space = default_space()
    w = torch.zeros(75, dtype=torch.float64)
    w[7], w[30] = 0.7, 0.3
    img = heatmap_image(space, w)
    assert img.size[0] > 3 * 5 * 28 and img.size[1] > 5 * 28
    table = top_bins_table(space, w, torch.arange(75.0), k=2)
    lines = table.strip().splitlines()
    assert lines[0].startswith("| rank | bin | weight | blur_sigma")
    assert lines[2] == "| 1 | 7 | 70.00 % | 0–1 | 20–30 | 50–70 | 7 |"  # 7 = (0, 2, 1)


def test_craft_command_end_to_end(clean_images: torch.Tensor, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(6):
        degsdk.write_image(tmp_path / "clean" / f"{i}.png", clean_images[i])
    truth = degsdk.create("binned")
    w = torch.zeros(75)
    w[0] = 1
    truth.set_bin_probs(w)
    refs = truth(clean_images[6:12], seed=0, indices=list(range(6))).lr
    for i in range(6):
        degsdk.write_image(tmp_path / "ref" / f"{i}.png", refs[i])
    assert main(["craft", "--ref", str(tmp_path / "ref"), "--clean", str(tmp_path / "clean"),
                 "--out", str(tmp_path / "out"), "--patch", "12", "--crops", "6",
                 "--cache", str(tmp_path / "cache"), "--alpha", "10"]) == 0
    assert "wrote" in capsys.readouterr().out
    out = tmp_path / "out"
    info = json.loads((out / "crafting.json").read_text())
    assert len(info["weights"]) == 75 and abs(sum(info["weights"]) - 1) < 1e-9
    assert (out / "weights.png").is_file() and "| rank |" in (out / "top_bins.md").read_text()
    dist = degsdk.load(str(out))
    torch.testing.assert_close(dist.bin_probs, torch.tensor(info["weights"],
                                                              dtype=torch.float64))
    assert main(["craft", "--ref", str(tmp_path / "nothing"), "--clean",
                 str(tmp_path / "clean"), "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


def test_old_bin_weight_spellings_warn() -> None:
    dist = BinnedDistribution(space=_small_space().model_dump())
    with pytest.warns(DeprecationWarning, match="set_bin_probs"):
        dist.set_weights([1, 1, 1, 1])
    with pytest.warns(DeprecationWarning, match="bin_probs"):
        assert float(dist.bin_weights.sum()) == pytest.approx(1.0)

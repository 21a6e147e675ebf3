"""The ``realesrgan`` pipeline: sampled-parameter statistics against Real-ESRGAN's x4plus
settings, per-sample independence, replay, golden outputs per version, CPU vs CUDA."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest
import torch

import degsdk
from degsdk.seeding import make_generators
from tests.conftest import REPO, smooth_images
from tests.pipeline_helpers import expand_batch, fingerprint, golden_hr

N = 4000


@pytest.fixture(scope="module")
def drawn() -> list[dict]:
    deg = degsdk.create("realesrgan")
    return deg.sample(expand_batch(N, 148), make_generators(0, range(N)))


def _freq(values: list[object], key: object) -> float:
    return sum(v == key for v in values) / len(values)


def _close(p_hat: float, p: float, n: int = N) -> bool:
    return abs(p_hat - p) < 4.5 * math.sqrt(p * (1 - p) / n) + 1e-9


def test_stage_probabilities_match_x4plus(drawn: list[dict]) -> None:
    for stage, probs in (("resize1", (0.2, 0.7, 0.1)), ("resize2", (0.3, 0.4, 0.3))):
        kinds = [d[stage]["kind"] for d in drawn]
        for kind, p in zip(("up", "down", "keep"), probs, strict=True):
            assert _close(_freq(kinds, kind), p), (stage, kind)
        modes = Counter(d[stage]["mode"] for d in drawn)
        assert all(_close(modes[m] / N, 1 / 3) for m in ("area", "bilinear", "bicubic"))
    for stage in ("noise1", "noise2"):
        assert _close(_freq([d[stage]["kind"] for d in drawn], "gaussian"), 0.5)
        assert _close(_freq([d[stage]["gray"] for d in drawn], True), 0.4)
    assert _close(_freq([d["blur2"] for d in drawn], True), 0.8)
    assert _close(_freq([d["final"]["resize_first"] for d in drawn], True), 0.5)
    assert _close(_freq([d["final"]["sinc"]["type"] for d in drawn], "sinc"), 0.8)
    assert _close(_freq([d["kernel1"]["type"] for d in drawn], "sinc"), 0.1)


def test_ranges_match_x4plus(drawn: list[dict]) -> None:
    def vals(stage: str, key: str, kind: str | None = None) -> np.ndarray:
        return np.array([d[stage][key] for d in drawn if kind is None or d[stage]["kind"] == kind])

    for stage, lo, hi in (("resize1", 0.15, 1.5), ("resize2", 0.3, 1.2)):
        up, down = vals(stage, "factor", "up"), vals(stage, "factor", "down")
        assert up.min() >= 1 and up.max() <= hi and down.min() >= lo and down.max() <= 1
        assert abs(down.mean() - (lo + 1) / 2) < 0.02 and abs(up.mean() - (1 + hi) / 2) < 0.02
        assert set(vals(stage, "factor", "keep")) == {1.0}
    for stage, smax, pmax in (("noise1", 30, 3.0), ("noise2", 25, 2.5)):
        s, p = vals(stage, "sigma", "gaussian"), vals(stage, "scale", "poisson")
        assert s.min() >= 1 and s.max() <= smax and abs(s.mean() - (1 + smax) / 2) < 0.6
        assert p.min() >= 0.05 and p.max() <= pmax
    q = np.array([d["jpeg1"] for d in drawn] + [d["final"]["jpeg"] for d in drawn])
    assert q.min() == 30 and q.max() == 95 and abs(q.mean() - 62.5) < 0.6
    s2 = [d["kernel2"]["sigma_x"] for d in drawn if "sigma_x" in d["kernel2"]]
    assert max(s2) <= 1.5 and min(s2) >= 0.2
    omega = [d["final"]["sinc"]["omega_c"] for d in drawn if d["final"]["sinc"]["type"] == "sinc"]
    assert min(omega) >= math.pi / 3 and max(omega) <= math.pi


def test_output_shape_range_and_8bit(tmp_path: object) -> None:
    hr = smooth_images(3, 160, 176, seed=4)
    res = degsdk.create("realesrgan")(hr, seed=1)
    assert res.lr.shape == (3, 3, 40, 44)
    assert res.lr.min() >= 0 and res.lr.max() <= 1
    assert torch.equal((res.lr * 255).round() / 255, res.lr)


def test_batch_independence_and_replay() -> None:
    hr = smooth_images(4, 160, 160, seed=2)
    deg = degsdk.create("realesrgan")
    full = deg(hr, seed=9)
    assert torch.equal(deg(hr[2:3], seed=9, indices=[2]).lr[0], full.lr[2])
    params = json.loads(json.dumps(full.params))
    assert torch.equal(deg.apply(hr, params), full.lr)


def test_too_small_input_is_clear_error() -> None:
    with pytest.raises(degsdk.InputError, match="at least 148×148"):
        degsdk.create("realesrgan")(torch.rand(1, 3, 64, 64), seed=0)


def test_version_is_validated_and_recorded() -> None:
    with pytest.raises(degsdk.ConfigError, match="version"):
        degsdk.create("realesrgan", version="0")
    deg = degsdk.create("realesrgan")
    assert deg.to_config()["params"]["version"] == "1"


GOLDEN = json.loads((REPO / "tests" / "golden" / "pipelines.json").read_text())


@pytest.mark.parametrize("key", list(GOLDEN))
def test_golden_output_per_version(key: str) -> None:
    """Every pipeline version must keep giving its stored output for a fixed seed and image:
    a change of behaviour needs a new version (and a new golden entry), never an edit."""
    name, version = key.split("@")
    g = GOLDEN[key]
    res = degsdk.create(name, version=version)(golden_hr(g["size"]), seed=g["seed"],
                                               indices=[g["index"]])
    assert fingerprint(res.lr, res.params) == {k: g[k] for k in ("lr_sha256", "params_sha256")}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cpu_and_cuda_give_the_same_result() -> None:
    hr = smooth_images(2, 160, 160, seed=6)
    deg = degsdk.create("realesrgan")
    cpu = deg(hr, seed=3)
    gpu = deg(hr.cuda(), seed=3)
    assert gpu.lr.is_cuda and gpu.params == cpu.params
    # Same draws; convolution/resampling kernels differ in float rounding, and the final
    # 8-bit rounding can flip a level where a value sits at a half step.
    diff = (gpu.lr.cpu() - cpu.lr).abs()
    assert diff.max() <= 2 / 255 + 1e-6 and (diff > 0).float().mean() < 0.01


def test_variant_options_draw_last_and_skip_their_steps() -> None:
    """traiNNer-redux's options: the other draws equal Real-ESRGAN's, a skipped step is None
    in the params, Lanczos and nearest-exact resizes run, and replay holds."""
    hr = smooth_images(8, 160, 160, seed=2)
    gens = make_generators(5, range(8))
    base = degsdk.create("realesrgan").sample(hr, gens)
    var = degsdk.create("realesrgan", first_blur_prob=0.5, jpeg1_prob=0.5, jpeg2_prob=0.5)
    drawn = var.sample(hr, make_generators(5, range(8)))
    skipped = 0
    for b, v in zip(base, drawn, strict=True):
        for key in ("kernel1", "jpeg1"):
            skipped += v[key] is None
            assert v[key] is None or v[key] == b[key]
        assert {k: b[k] for k in b if k not in ("kernel1", "jpeg1", "final")} == {
            k: v[k] for k in v if k not in ("kernel1", "jpeg1", "final")}
        assert v["final"]["jpeg"] in (None, b["final"]["jpeg"])
    assert 0 < skipped < 16
    modes = degsdk.create("realesrgan", resize1={"modes": ["lanczos", "nearest-exact"]},
                          final_modes=["lanczos"], final_sinc_sizes=[5, 7])
    res = modes(hr, seed=1)
    assert res.lr.shape == (8, 3, 40, 40)
    assert {p["resize1"]["mode"] for p in res.params} <= {"lanczos", "nearest-exact"}
    assert torch.equal(modes.apply(hr, res.params), res.lr)
    assert torch.equal(var.apply(hr, var(hr, seed=2).params), var(hr, seed=2).lr)
    with pytest.raises(degsdk.ConfigError, match="final_sinc_sizes"):
        degsdk.create("realesrgan", final_sinc_sizes=[4])
    with pytest.raises(degsdk.ConfigError, match="mode_probs"):
        degsdk.create("realesrgan", resize2={"modes": ["bicubic"], "mode_probs": [1, 2]})

"""The ``realdgen`` degrader: hooks, sizes at scale 4 and 1, the partial-noise start, the DDIM
schedule, filtering, references, the Degrader contract and the weights round trip."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import SMALL, small_model, untrained, write_folder
from degsdk_realdgen.content import to_hr_grid
from degsdk_realdgen.diffusion import make_scheduler, noised_start, start_timesteps
from degsdk_realdgen.seeded_init import seeded_init

import degsdk
from degsdk.seeding import generator_from_seed
from degsdk.testing import check_degrader, check_extractor, example_images, synthetic_photos


def test_registered_through_the_hooks_alone() -> None:
    out = subprocess.run([sys.executable, "-m", "degsdk", "plugins", "--json"],
                         capture_output=True, text=True, check=True)
    info = {p["name"]: p for p in json.loads(out.stdout)}["realdgen"]
    assert info["distribution"] == "degsdk-realdgen" and not info["failures"]
    assert info["components"]["degrader"] == ["realdgen"]
    assert sorted(info["components"]["extractor"]) == ["realdgen_content",
                                                       "realdgen_degradation"]
    assert info["components"]["trainer"] == ["realdgen"]


@pytest.mark.parametrize("scale", [4, 1])
def test_sizes(scale: int) -> None:
    m = small_model(scale=scale)
    hr = example_images(2, scale, size=64)
    content = m.e_cont(hr)
    assert content.shape == (2, SMALL["cont_channels"], 64 // scale, 64 // scale)
    lr = degsdk.create("bicubic", scale=scale)(hr, seed=0).lr if scale > 1 else hr
    assert m.e_deg(lr).shape == (2, SMALL["deg_dim"])
    assert m.e_deg(lr[..., :10, :13]).shape == (2, SMALL["deg_dim"])  # any size
    cond = m.condition(m.e_deg(lr), hr)
    assert cond.shape == (2, SMALL["cond_channels"], 64 // scale, 64 // scale)
    assert m.condition_from_lr(lr).shape == cond.shape
    assert m.rec_hr(content).shape == hr.shape
    out = m(hr, seed=0).lr
    assert out.shape == (2, 3, 64 // scale, 64 // scale)


def test_partial_noise_start_is_the_forward_process() -> None:
    """x_t = √ᾱ_t·y0 + √(1 − ᾱ_t)·ε, with ᾱ from the linear β schedule in float64, and equal
    to diffusers' add_noise with the same ε."""
    sched = make_scheduler("ddpm", 500, 1e-4, 0.02)
    y0 = torch.rand(2, 3, 8, 8) * 2 - 1
    t = 299
    x = noised_start(sched, y0, t, [generator_from_seed(5), generator_from_seed(6)])
    eps = torch.cat([torch.randn(1, 3, 8, 8, generator=generator_from_seed(s)) for s in (5, 6)])
    abar = np.cumprod(1 - np.linspace(1e-4, 0.02, 500, dtype=np.float64))[t]
    ref = np.sqrt(abar) * y0.double().numpy() + np.sqrt(1 - abar) * eps.double().numpy()
    assert np.abs(x.double().numpy() - ref).max() < 1e-6
    assert torch.equal(x, sched.add_noise(y0, eps, torch.tensor([t, t])))


def test_start_timesteps_begin_at_T() -> None:
    ddpm = make_scheduler("ddpm", 500, 1e-4, 0.02)
    assert start_timesteps(ddpm, 300, 25) == list(range(299, -1, -1))
    ddim = make_scheduler("ddim", 500, 1e-4, 0.02)
    steps = start_timesteps(ddim, 300, 25)
    assert steps[0] <= 299 and steps[-1] == 0 and 20 <= len(steps) <= 30
    assert all(a > b for a, b in itertools.pairwise(steps))


def test_filtering_keeps_the_candidate_with_the_smallest_score() -> None:
    m = small_model(candidates=3)
    hr = synthetic_photos(2, 64, seed=3)
    res = m(hr, seed=1)
    for i, p in enumerate(res.params):
        assert len(p["seeds"]) == len(p["scores"]) == 3
        assert p["chosen"] == int(np.argmin(p["scores"]))
        # each candidate remade alone; its score is recomputed independently of the degrader
        with torch.no_grad():
            start = m._starts(hr[i : i + 1], [p["start_seed"]])
            deg = m.degradation_of([p["reference"]])
            cond = m.condition(deg, hr[i : i + 1])
            cands = torch.cat([m.generate(start, cond, [generator_from_seed(s)])
                               for s in p["seeds"]])
            d = (m.e_deg(cands) - deg).pow(2).mean(1)
            c = (m.e_cont(to_hr_grid(cands, 4)) - m.e_cont(hr[i : i + 1])).pow(2).mean((1, 2, 3))
        scores = (d + c).numpy()
        assert np.allclose(scores, p["scores"], rtol=1e-3, atol=1e-6)
        assert int(np.argmin(scores)) == p["chosen"]
        assert (cands[p["chosen"]] - res.lr[i]).abs().max() < 1e-4


@pytest.mark.parametrize("kw", [{}, {"scale": 1, "sampler": "ddim", "ddim_steps": 3,
                                     "candidates": 1}, {"output_scale": 2}])
def test_keeps_the_contract(kw: dict[str, object]) -> None:
    check_degrader(small_model(**kw))


def test_a_references_folder_that_cannot_serve_names_references(tmp_path: Path) -> None:
    """Issue 28 row 11: an empty folder gave an error that did not name `references`."""
    (tmp_path / "empty").mkdir()
    with pytest.raises(degsdk.ConfigError, match=r"references=.*empty: holds no images"):
        small_model(references=str(tmp_path / "empty"))
    with pytest.raises(degsdk.ConfigError, match=r"references=.*nowhere: does not exist"):
        small_model(references=str(tmp_path / "nowhere"))


def test_references_from_a_folder(tmp_path: Path) -> None:
    refs = write_folder(tmp_path / "refs", synthetic_photos(3, 24, seed=9))
    m = small_model(references=str(refs))
    assert m.reference_names() == ["000.png", "001.png", "002.png"]
    res = m(example_images(4, 4, size=32), seed=0)
    assert {p["reference"] for p in res.params} <= set(m.reference_names())
    fixed = small_model(references=str(refs), reference="001.png")
    assert {p["reference"] for p in fixed(example_images(3, 4, size=32), seed=0).params} == {
        "001.png"}
    with pytest.raises(degsdk.ConfigError, match=r"reference 'nope\.png' is not among"):
        small_model(references=str(refs), reference="nope.png")
    with pytest.raises(degsdk.ConfigError, match="does not exist"):
        small_model(references=str(tmp_path / "missing"))


def test_the_reference_changes_the_output() -> None:
    hr = example_images(1, 4, size=32)
    a = small_model(reference="a")(hr, seed=0).lr
    b = small_model(reference="b")(hr, seed=0).lr
    assert torch.equal(a, small_model(reference="a")(hr, seed=0).lr)
    assert (a - b).abs().max() > 1e-5  # (an untrained model: the condition barely matters)


def test_no_references_is_a_clear_error() -> None:
    m = untrained(trained_stages=["extractors", "ddpm"], T=4, candidates=1)
    with pytest.raises(degsdk.ConfigError, match="no references"):
        m(example_images(1, 4, size=32), seed=0)


def test_untrained_ddpm_warns() -> None:
    with pytest.warns(UserWarning, match="DDPM is untrained"):
        degsdk.create("realdgen", **SMALL)


def test_start_degrader_is_configurable() -> None:
    hr = example_images(2, 4, size=32)
    m = small_model(start={"name": "bicubic", "params": {"scale": 4}}, candidates=1)
    assert m(hr, seed=0).lr.shape == (2, 3, 8, 8)
    with pytest.raises(degsdk.ConfigError, match="start degrader 'bicubic' has scale 2"):
        small_model(start={"name": "bicubic", "params": {"scale": 2}})


@pytest.mark.parametrize("bad", [{"scale": 3}, {"T": 501}, {"unet_widths": [8, 10]}])
def test_bad_configs_are_clear_errors(bad: dict[str, object]) -> None:
    with pytest.raises(degsdk.ConfigError):
        untrained(**bad)


def test_save_load_round_trip(tmp_path: Path) -> None:
    m = small_model()
    m.save_pretrained(tmp_path / "m")
    back = degsdk.load(str(tmp_path / "m"), candidates=3)
    assert back.reference_names() == ["a", "b"] and back.cfg.candidates == 3
    hr = example_images(2, 4, size=32)
    m3 = small_model(candidates=3)
    assert torch.equal(back(hr, seed=4).lr, m3(hr, seed=4).lr)


def test_initialisation_leaves_the_global_rng_alone() -> None:
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    untrained()
    with seeded_init(7):
        torch.rand(3)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_the_content_only_ablation_ignores_the_reference() -> None:
    hr = example_images(1, 4, size=32)
    a = small_model(use_degradation=False, reference="a", candidates=1)(hr, seed=0).lr
    b = small_model(use_degradation=False, reference="b", candidates=1)(hr, seed=0).lr
    assert torch.equal(a, b)


@pytest.mark.parametrize("k", [1, 2])
def test_other_output_scales_from_a_x4_model(k: int) -> None:
    m = small_model(output_scale=k, candidates=1)
    hr = example_images(2, k, size=32)
    assert m.scale == k and m(hr, seed=0).lr.shape == (2, 3, 32 // k, 32 // k)
    assert m.content_of(hr).shape[-1] == 32 // k


def test_shipped_weights_keep_the_contract() -> None:
    m = degsdk.load("realdgen/x4", sampler="ddim", ddim_steps=3, candidates=2)
    assert m.cfg.trained_stages == ["extractors", "ddpm"] and len(m.reference_names()) == 16
    check_degrader(m, example_images(2, 4, size=32))
    for name in ("realdgen_degradation", "realdgen_content"):
        check_extractor(degsdk.create_extractor(name), example_images(2, 1, size=24))


def test_the_paper_preset_has_the_papers_extractor_sizes() -> None:
    from degsdk_realdgen import PRESETS

    m = untrained(**PRESETS["paper"])
    assert len(m.e_deg.blocks) - 1 == 16  # residual blocks, then the closing conv
    assert m.e_deg(example_images(1, 1, size=16)).shape == (1, 2048)
    assert m.e_cont(example_images(1, 1, size=32)).shape == (1, 3, 8, 8)  # VQ-VAE f4, 3 ch


def test_a_model_without_reconstruction_heads_generates_the_same(tmp_path: Path) -> None:
    m = small_model(candidates=2)
    lean = m.rebuilt(reconstruction_heads=False)
    assert lean.rec_hr is None and lean.rec_lr is None
    assert not any(k.startswith(("rec_hr.", "rec_lr.")) for k in lean.state_dict())
    assert lean.stored_references.dtype == torch.uint8  # 8-bit photos, stored as 8 bits
    hr = example_images(2, 4, size=32)
    assert torch.equal(lean(hr, seed=2).lr, m(hr, seed=2).lr)
    lean.save_pretrained(tmp_path / "lean")
    assert torch.equal(degsdk.load(str(tmp_path / "lean"))(hr, seed=2).lr, m(hr, seed=2).lr)

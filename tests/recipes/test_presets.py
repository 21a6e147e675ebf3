"""The community presets: recipes/traiNNer-redux-otf-x4.yaml and recipes/neosr-otf-x4.yaml
are what ``degsdk import`` makes of the tools' default OTF values (written out here from the
cited files), each cites its source file, and each runs on the committed samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from degsdk.recipes import Recipe
from degsdk.recipes._import import import_config

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
_RESIZE_MODES = ["bilinear", "bicubic", "nearest-exact", "lanczos"]
# traiNNer-redux scripts/options/train_default_options_otf1.yml: its degradation values.
REDUX_OTF1: dict[str, Any] = {
    "scale": 4, "high_order_degradation": True, "lq_usm": False,
    "lq_usm_radius_range": [1, 25], "blur_prob": 0.0, "resize_prob": [0.2, 0.7, 0.1],
    "resize_mode_list": _RESIZE_MODES, "resize_mode_prob": [0.25] * 4,
    "resize_range": [0.4, 1.5], "gaussian_noise_prob": 0.0, "noise_range": [0, 0],
    "poisson_scale_range": [0, 0], "gray_noise_prob": 0.0, "jpeg_prob": 1.0,
    "jpeg_range": [75, 95], "blur_prob2": 0.0, "resize_prob2": [0.3, 0.4, 0.3],
    "resize_mode_list2": _RESIZE_MODES, "resize_mode_prob2": [0.25] * 4,
    "resize_range2": [0.6, 1.2], "gaussian_noise_prob2": 0, "noise_range2": [0, 0],
    "poisson_scale_range2": [0, 0], "gray_noise_prob2": 0.0, "jpeg_prob2": 1.0,
    "jpeg_range2": [75, 95], "resize_mode_list3": _RESIZE_MODES,
    "resize_mode_prob3": [0.25] * 4,
}
_KERNELS = ["iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso",
            "plateau_aniso"]
# neosr options/train_span_otf.toml: its [degradations] table.
NEOSR_DEGRADATIONS: dict[str, Any] = {
    "resize_prob": [0.3, 0.4, 0.3], "resize_range": [0.5, 1.5], "gaussian_noise_prob": 0.2,
    "noise_range": [0, 2], "poisson_scale_range": [0.05, 0.25], "gray_noise_prob": 0.1,
    "jpeg_range": [40, 95], "second_blur_prob": 0.4, "resize_prob2": [0.3, 0.4, 0.3],
    "resize_range2": [0.3, 1.5], "gaussian_noise_prob2": 0.2, "noise_range2": [0, 2],
    "poisson_scale_range2": [0.05, 0.1], "gray_noise_prob2": 0.1, "jpeg_range2": [35, 95],
    "blur_kernel_size": 7, "kernel_list": _KERNELS,
    "kernel_prob": [0.45, 0.25, 0.12, 0.03, 0.12, 0.03], "sinc_prob": 0.1,
    "blur_sigma": [0.2, 3], "betag_range": [0.5, 4], "betap_range": [1, 2],
    "blur_kernel_size2": 9, "kernel_list2": _KERNELS,
    "kernel_prob2": [0.45, 0.25, 0.12, 0.03, 0.12, 0.03], "sinc_prob2": 0.1,
    "blur_sigma2": [0.2, 1.5], "betag_range2": [0.5, 4], "betap_range2": [1, 2],
    "final_sinc_prob": 0.8,
}
CASES = {
    "traiNNer-redux-otf-x4.yaml": ("redux.yml", REDUX_OTF1,
                                   "train_default_options_otf1.yml"),
    "neosr-otf-x4.yaml": ("neosr.toml", {"scale": 4, "degradations": NEOSR_DEGRADATIONS},
                          "train_span_otf.toml"),
}


def _toml(data: dict[str, Any]) -> str:
    top = [f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [f"[{k}]\n" + "\n".join(f"{kk} = {json.dumps(vv)}" for kk, vv in v.items())
              for k, v in data.items() if isinstance(v, dict)]
    return "\n".join(top + tables) + "\n"


@pytest.mark.parametrize("preset", sorted(CASES))
def test_preset_is_the_import_of_its_source_and_cites_it(preset: str, tmp_path: Path) -> None:
    name, values, source_file = CASES[preset]
    src = tmp_path / name
    src.write_text(_toml(values) if name.endswith(".toml") else yaml.safe_dump(values))
    imported = import_config(src).recipe
    text = (RECIPES / preset).read_text()
    committed = yaml.safe_load(text)
    assert committed["degrader"] == imported["degrader"]
    assert source_file in text and "degsdk import" in text


@pytest.mark.parametrize("preset", ["traiNNer-redux-otf-x4.yaml", "neosr-otf-x4.yaml",
                                    "realesrgan-x4.yaml", "bsrgan-x4.yaml"])
def test_presets_cite_a_source_and_run_on_the_samples(preset: str, tmp_path: Path) -> None:
    text = (RECIPES / preset).read_text()
    assert any(w in text for w in ("Source:", "options/", "utils_blindsr"))
    recipe = Recipe.from_yaml(RECIPES / preset, sets=[f"output.dir={tmp_path / 'out'}",
                                                      "run.workers=1"])
    summary = recipe.run(limit=2, progress=False)
    assert summary.samples == 2 and len(list((tmp_path / "out" / "lr").iterdir())) == 2

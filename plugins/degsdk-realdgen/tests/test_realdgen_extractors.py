"""``realdgen_degradation`` and ``realdgen_content`` as registered Extractors: the contract, the
model's own networks, and use in a Fréchet distance."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import SMALL

import degsdk
from degsdk.testing import check_extractor, example_images


@pytest.mark.parametrize("name", ["realdgen_degradation", "realdgen_content"])
def test_extractors_keep_the_contract(name: str, extractors_dir: Path) -> None:
    ext = degsdk.create_extractor(name, weights=str(extractors_dir))
    check_extractor(ext, example_images(3, 1, size=24))


def test_extractors_are_the_models_networks(extractors_dir: Path) -> None:
    with pytest.warns(UserWarning, match="DDPM is untrained"):
        model = degsdk.load(str(extractors_dir))
    lr = example_images(2, 1, size=20)
    deg = degsdk.create_extractor("realdgen_degradation", weights=str(extractors_dir))
    cont = degsdk.create_extractor("realdgen_content", weights=str(extractors_dir))
    assert deg.dim == SMALL["deg_dim"] and cont.dim == SMALL["cont_channels"]
    with torch.no_grad():
        assert torch.equal(deg(lr), model.e_deg(lr))
        up = torch.nn.functional.interpolate(lr, scale_factor=4, mode="bicubic")
        maps = cont(lr)
        assert maps.shape == (2, SMALL["cont_channels"], 20, 20)
        # the content map reads the ×4-upsampled LR (the plugin's LR → E_cont convention)
        assert (maps - model.e_cont(up.clamp(0, 1))).abs().mean() < 0.05


def test_an_untrained_folder_is_refused(tmp_path: Path) -> None:
    with pytest.warns(UserWarning):
        degsdk.create("realdgen", **SMALL).save_pretrained(tmp_path / "raw")
    with pytest.raises(degsdk.ConfigError, match="extractors are untrained"):
        degsdk.create_extractor("realdgen_degradation", weights=str(tmp_path / "raw"))

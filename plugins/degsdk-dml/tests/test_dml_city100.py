"""The embedded ``dml/city100`` weights: registered by the plugin, loaded offline from inside
the installed package, with a model card that states the data, steps and held-out metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import torch
from degsdk_dml import DML

import degsdk

LOAD_OFFLINE = """
import json, torch, degsdk
m = degsdk.load("dml/city100")
hr = torch.rand(1, 3, 48, 40, generator=torch.Generator().manual_seed(0))
lr = m(hr, seed=0).lr
print(json.dumps({"folder": str(m.weights_info.folder), "shape": list(lr.shape),
                  "sigma": m.cfg.noise_sigma}))
"""


def test_registered_and_loads_offline_from_the_package() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"}
    out = subprocess.run([sys.executable, "-c", LOAD_OFFLINE], capture_output=True, text=True,
                         check=True, env=env)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    import degsdk_dml

    package = os.path.dirname(degsdk_dml.__file__)
    assert info["folder"].startswith(package), info["folder"]
    assert info["shape"] == [1, 3, 48, 40] and info["sigma"] == 5.0
    assert "dml/city100" in degsdk.list_weights()


def test_card_states_data_steps_and_held_out_metrics() -> None:
    folder = degsdk.resolve("dml/city100").folder
    cfg = degsdk.hub.read_config(folder)
    prov = cfg.provenance
    assert cfg.architecture == {"scale": 1, "num_kernels": 8, "kernel_size": 15, "width": 16,
                                "levels": 2}
    assert prov["val_pairs"] == ["085", "097"] and len(prov["train_pairs"]) == 7
    assert not set(prov["val_pairs"]) & set(prov["train_pairs"])
    assert prov["steps"] > 1000 and "City100" in prov["data"]
    # held-out LR PSNR vs the real LR (benchmarks/dml_claims.py --only b recomputes it: 31.05)
    assert 30.0 < prov["metrics"]["val_lr_psnr_rgb"] < 40.0
    card = (folder / "README.md").read_text()
    assert "City100" in card and "val_lr_psnr_rgb" in card
    assert (folder / "model.safetensors").stat().st_size < 1_000_000  # small enough to embed


def test_learned_camera_is_a_normalised_blur() -> None:
    model = degsdk.load("dml/city100", noise_sigma=0)
    assert isinstance(model, DML)
    k = model.kernels()
    torch.testing.assert_close(k.sum((-2, -1)), torch.ones(8))
    flat = torch.full((1, 3, 64, 64), 0.5)
    with torch.no_grad():
        out = model(flat, seed=0).lr
    # a blur keeps a flat field flat away from the borders (weights near 1 per pixel in sum)
    centre = out[..., 16:-16, 16:-16]
    assert float(centre.std()) < 1e-3
    hr = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        lr = model(hr, seed=0).lr
    assert float(lr.std()) < float(hr.std())  # it blurs

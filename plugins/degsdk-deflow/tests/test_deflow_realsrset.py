"""The embedded ``deflow/realsrset`` weights: registered by the plugin, loaded offline from
inside the installed package, with a card that states the data, steps and metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import torch
from degsdk_deflow import DeFlow

import degsdk

LOAD_OFFLINE = """
import json, torch, degsdk
m = degsdk.load("deflow/realsrset")
x = torch.rand(1, 3, 40, 36, generator=torch.Generator().manual_seed(0))
y = m(x, seed=0).lr
print(json.dumps({"folder": str(m.weights_info.folder), "shape": list(y.shape),
                  "tau": m.cfg.temperature}))
"""


def test_registered_and_loads_offline_from_the_package() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"}
    out = subprocess.run([sys.executable, "-c", LOAD_OFFLINE], capture_output=True, text=True,
                         check=True, env=env)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    import degsdk_deflow

    assert info["folder"].startswith(os.path.dirname(degsdk_deflow.__file__)), info["folder"]
    assert info["shape"] == [1, 3, 40, 36] and info["tau"] == 1.0
    assert "deflow/realsrset" in degsdk.list_weights()


def test_card_states_data_steps_and_metrics() -> None:
    folder = degsdk.resolve("deflow/realsrset").folder
    cfg = degsdk.hub.read_config(folder)
    prov = cfg.provenance
    assert prov["steps"] >= 1000 and "RealSRSet" in prov["data"]
    assert prov["clean_down"] == 2 and prov["cond_down"] == 4
    assert prov["metrics"]["shift0_trace_cov"] > 6 * 0.01 ** 2  # Σ_u was learned
    assert "RealSRSet" in (folder / "README.md").read_text()
    assert (folder / "model.safetensors").stat().st_size < 8_000_000


def test_shipped_model_degrades_and_zero_temperature_is_identity() -> None:
    model = degsdk.load("deflow/realsrset")
    assert isinstance(model, DeFlow)
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1)) * 0.5 + 0.25
    with torch.no_grad():
        y = model(x, seed=0).lr
        cold = degsdk.load("deflow/realsrset", temperature=0)(x, seed=0).lr
    torch.testing.assert_close(cold, x, rtol=0, atol=1e-4)
    assert float((y - x).abs().mean()) > 1e-3

"""The embedded ``crafting/realsrset`` distribution: registered, loads offline from the
installed package, a proper distribution over the paper's 75 bins, with its heat map."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import torch
from degsdk_crafting import BinnedDistribution

import degsdk

LOAD_OFFLINE = """
import json, torch, degsdk
d = degsdk.load("crafting/realsrset")
x = torch.rand(2, 3, 64, 48, generator=torch.Generator().manual_seed(0))
print(json.dumps({"folder": str(d.weights_info.folder), "shape": list(d(x, seed=0).lr.shape),
                  "sum": float(d.bin_probs.sum())}))
"""


def test_registered_and_loads_offline_from_the_package() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"}
    out = subprocess.run([sys.executable, "-c", LOAD_OFFLINE], capture_output=True, text=True,
                         check=True, env=env)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    import degsdk_crafting

    assert info["folder"].startswith(os.path.dirname(degsdk_crafting.__file__))
    assert info["shape"] == [2, 3, 16, 12] and abs(info["sum"] - 1) < 1e-9


def test_distribution_card_and_heatmap() -> None:
    dist = degsdk.load("crafting/realsrset")
    assert isinstance(dist, BinnedDistribution) and dist.scale == 4.0
    w = dist.bin_probs
    assert w.shape == (75,) and float(w.min()) >= 0
    assert float(w.max()) < 1  # a spread, not a single bin (α = 25 on varied references)
    folder = dist.weights_info.folder
    info = json.loads((folder / "crafting.json").read_text())
    torch.testing.assert_close(w, torch.tensor(info["weights"], dtype=torch.float64))
    assert info["alpha"] == 25 and (folder / "weights.png").is_file()
    prov = degsdk.hub.read_config(folder).provenance
    assert "RealSRSet" in prov["data"] and prov["extractor"] == "degradation_stats"

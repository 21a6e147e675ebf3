"""docs/plugins.md's example plugin, built, installed and run exactly as the page writes it.

The page's files (fenced blocks with ``title="path"``) are written to a temp folder and its
``title="shell"`` lines are run there one by one. The only difference from a user's machine is
where pip installs: ``PIP_TARGET`` points into the temp folder (on ``PYTHONPATH``), so the
test environment itself is left untouched.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import torch

import degsdk
from tests.conftest import REPO

BLOCK = re.compile(r'```(\w+) title="([^"]+)"\n(.*?)```', re.S)


def _blocks() -> dict[str, str]:
    text = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    return {title: body for _, title, body in BLOCK.findall(text)}


def test_plugin_example_installs_and_runs_as_written(tmp_path: Path) -> None:
    blocks = _blocks()
    files = {t: b for t, b in blocks.items() if t.startswith("degsdk-vignette/")}
    assert set(files) == {"degsdk-vignette/pyproject.toml", "degsdk-vignette/degsdk_vignette.py",
                          "degsdk-vignette/tests/test_vignette.py"}
    for title, body in files.items():
        (tmp_path / title).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / title).write_text(body, encoding="utf-8")
    photos = tmp_path / "photos"
    photos.mkdir()
    degsdk.write_image(photos / "p.png", torch.rand(3, 24, 24, generator=torch.Generator()))

    site = tmp_path / "site"
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
           "PIP_TARGET": str(site), "PYTHONPATH": str(site),
           # The example needs degsdk, which is already installed here; build offline.
           "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0"}
    env.pop("DEGSDK_LOAD_PLUGINS", None)
    outputs = []
    for line in blocks["shell"].strip().splitlines():
        res = subprocess.run(line, shell=True, cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=240)
        assert res.returncode == 0, f"`{line}` failed:\n{res.stdout}\n{res.stderr}"
        outputs.append(res.stdout)

    assert (site / "degsdk_vignette.py").is_file()
    assert "vignette (degsdk-vignette 0.1.0)" in outputs[1]
    assert "degraders: vignette" in outputs[1]
    lr = degsdk.read_image(tmp_path / "vignetted" / "lr" / "p.png")
    hr = degsdk.read_image(tmp_path / "vignetted" / "hr" / "p.png")
    assert lr.shape == hr.shape and lr[:, 0, 0].max() < hr[:, 0, 0].max()
    assert re.search(r"3 passed", outputs[3])

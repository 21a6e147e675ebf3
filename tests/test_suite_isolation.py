"""The suite does not depend on what else is installed (issue 16 row 17): the plugin-loading
tests pass with a broken third-party plugin on the path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_plugin_tests_pass_with_a_broken_foreign_plugin_installed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "foreign_broken-0.1.0.dist-info"
    info.mkdir(parents=True)
    (site / "foreign_broken.py").write_text("raise RuntimeError('foreign plugin is broken')\n")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: foreign-broken\n"
                                   "Version: 0.1.0\n")
    (info / "entry_points.txt").write_text("[degsdk]\nforeign = foreign_broken\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    env.pop("DEGSDK_LOAD_PLUGINS", None)
    env.pop("DEGSDK_STRICT_PLUGINS", None)
    listed = subprocess.run([sys.executable, "-m", "degsdk", "plugins", "--json"], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=120)
    foreign = [p for p in json.loads(listed.stdout) if p["name"] == "foreign"]
    assert foreign and foreign[0]["failures"], "the broken plugin should be seen (and fail)"
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_plugins.py", "tests/test_cli.py"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:]

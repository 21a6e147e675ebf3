"""Fixtures of the recipe tests: three sample photos cropped to 160×224."""

from __future__ import annotations

from pathlib import Path

import pytest

import degsdk
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def hr_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hr")
    for f in sorted(SAMPLES.glob("*.png"))[:3]:
        img = degsdk.read_image(f)[:, :160, :224]
        degsdk.write_image(d / f.name, img)
    return d

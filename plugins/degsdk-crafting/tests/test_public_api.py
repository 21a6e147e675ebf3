"""degsdk-crafting uses only degsdk's public API (docs/plugins.md#the-public-api)."""

from pathlib import Path

from degsdk.testing import find_private_imports

PLUGIN = Path(__file__).resolve().parents[1]


def test_imports_only_the_public_api() -> None:
    assert find_private_imports([PLUGIN / "src", PLUGIN / "tests", PLUGIN / "benchmarks"]) == []

"""The docs drift that a test can catch: plugin tables against the plugins' folders, entry points
and registered components; the hook tables against the hook specs; file links and cited paths
against the repository."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from degsdk._hookspecs import HOOK_KINDS
from degsdk._plugins import get_registry
from tests.conftest import REPO

PLUGIN_DIRS = sorted(p.name for p in (REPO / "plugins").glob("degsdk-*") if p.is_dir())
DOCS = sorted([*(REPO / "docs").rglob("*.md"), REPO / "README.md", REPO / "plugins" / "README.md",
               *(REPO / "plugins").glob("degsdk-*/README.md"), REPO / "recipes" / "README.md",
               REPO / "benchmarks" / "README.md"])
KIND_WORDS = {"degrader": "degrader", "extractor": "extractor", "SR model": "sr_model",
              "trainer": "trainer", "weights": "weights", "command": "command",
              "fitter": "fitter"}


def _entry_point(plugin: str) -> tuple[str, str]:
    meta = tomllib.loads((REPO / "plugins" / plugin / "pyproject.toml").read_text())
    (name, target), = meta["project"]["entry-points"]["degsdk"].items()
    return name, target


def _plugins_table() -> dict[str, tuple[str, str]]:
    text = (REPO / "plugins" / "README.md").read_text()
    rows = re.findall(r"^\| \[`(degsdk-[\w-]+)`\]\([^)]*\) \| `(\w+)` \| (.+) \|$", text, re.M)
    return {dist: (ep, registers) for dist, ep, registers in rows}


def test_plugins_readme_table_matches_the_plugins() -> None:
    table = _plugins_table()
    assert sorted(table) == PLUGIN_DIRS
    reg = get_registry()
    for dist, (ep, registers) in table.items():
        assert _entry_point(dist)[0] == ep, dist
        listed: dict[str, set[str]] = {}
        kinds = "|".join(KIND_WORDS)
        for word, name in re.findall(rf"({kinds}) `([^`]+)`", registers):
            listed.setdefault(KIND_WORDS[word], set()).add(name)
        if ep not in reg.plugins:
            continue  # not installed here: its folder and entry point were checked above
        actual = {k: set(v) for k, v in reg.plugins[ep].components.items() if v}
        assert listed == actual, dist


def test_main_readme_lists_every_plugin() -> None:
    text = (REPO / "README.md").read_text()
    listed = set(re.findall(r"^\| \[(degsdk-[\w-]+)\]\(plugins/", text, re.M))
    assert sorted(listed) == PLUGIN_DIRS


def _passage(path: Path, start: str, end: str) -> str:
    text = (REPO / path).read_text()
    assert start in text, f"{path}: the passage starting {start!r} is gone"
    return text.split(start, 1)[1].split(end, 1)[0].lower()


def test_every_fitter_is_named_where_fit_methods_are_listed() -> None:
    """Issue 28 row 14: the README's fit paragraph and docs/plugins.md listed the fit methods
    without InterFlow and RealDGen. Every plugin's fitter is named in both; every fitter,
    built-in ones included, has its entry in docs/fit.md's list of what each method fits."""
    fitters = get_registry().plugins
    plugin_fitters = {n for ep, rec in fitters.items() if ep != "builtin"
                      for n in rec.components.get("fitter", ())}
    all_fitters = {n for rec in fitters.values() for n in rec.components.get("fitter", ())}
    assert {"dml", "deflow", "interflow", "realdgen", "crafting"} <= plugin_fitters
    readme = _passage(Path("README.md"), "`fit` fits every method your data allows", "scores")
    plugins_md = _passage(Path("docs/plugins.md"), "plugins and the built-in", "fitters are")
    plugins_md = (REPO / "docs" / "plugins.md").read_text().lower().split(
        "plugins and the built-in")[0].rsplit("\n\n", 1)[-1] + plugins_md
    for name in sorted(plugin_fitters):
        assert name in readme, f"README's fit paragraph does not name {name}"
        assert name in plugins_md, f"docs/plugins.md's list of fitters does not name {name}"
    fit_md = (REPO / "docs" / "fit.md").read_text()
    for name in sorted(all_fitters):
        assert f"   - `{name}`:" in fit_md, f"docs/fit.md does not say what {name} fits"


def test_hook_tables_and_counts_match_the_hook_specs() -> None:
    plugins_md = (REPO / "docs" / "plugins.md").read_text()
    documented = set(re.findall(r"^\| `(degsdk_register_\w+)\(register\)`", plugins_md, re.M))
    assert documented == set(HOOK_KINDS)
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
             8: "eight"}
    arch = (REPO / "docs" / "architecture.md").read_text()
    counts = re.findall(r"the (\w+) `degsdk_register_\*` hooks", arch)
    assert counts and all(c == words[len(HOOK_KINDS)] for c in counts)


def test_architecture_layer_diagram_is_the_enforced_contract() -> None:
    """docs/architecture.md's diagram lists the layers of the import-linter contract in
    pyproject.toml, in order (the test that enforces the contract is test_architecture.py)."""
    contract = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = contract["contracts"][0]["layers"]
    arch = (REPO / "docs" / "architecture.md").read_text()
    diagram = arch.split("## Layers", 1)[1].split("```", 2)[1].strip().splitlines()
    drawn = [re.split(r"\s{2,}", line.strip())[0] for line in diagram]
    assert [d for d in drawn if not d.startswith("plugins/")] == layers


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
CITED = re.compile(r"`((?:docs|degsdk|plugins|recipes|benchmarks|tests|samples|research)/"
                   r"[\w./-]+\.(?:md|py|yaml|json|sh|toml|png))`")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_links_and_cited_files_exist(doc: Path) -> None:
    text = doc.read_text()
    missing = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # a URL
        if not (doc.parent / target).exists():
            missing.append(target)
    for path in CITED.findall(text):
        if not ((REPO / path).exists() or (doc.parent / path).exists()):
            missing.append(path)
    assert missing == []

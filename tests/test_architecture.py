"""The layering of docs/architecture.md, enforced: the layers contract (import-linter, in
pyproject.toml), no import cycles (function-level imports included), plugins and the default
plugins import only the public API, and every module is public or ``_``-private. Each rule also
has a test that breaks it on purpose and shows it is caught."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

from degsdk.testing import find_private_imports
from tests.conftest import REPO

CORE = REPO / "degsdk"
PLUGIN_SOURCES = [REPO / "plugins", CORE / "default_plugins"]


def import_cycles(package: str) -> list[list[str]]:
    """Strongly connected groups of modules of ``package`` (imports inside functions count)."""
    graph = grimp.build_graph(package, cache_dir=None)
    adj = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in adj[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for m in sorted(adj):
        if m not in index:
            visit(m)
    return groups


def lint_imports(root: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, capture_output=True, text=True, env=env)


def _copy_core(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(CORE, root / "degsdk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_layers_are_kept() -> None:
    proc = lint_imports(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_layer_violation_inside_a_function_is_caught(tmp_path: Path) -> None:
    root = _copy_core(tmp_path)
    errors = root / "degsdk" / "_errors.py"
    errors.write_text(errors.read_text() + textwrap.dedent("""

        def _reach_up():
            from .cli import main  # the bottom layer reaching the top, inside a function
            return main
        """))
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = lint_imports(root, env)
    assert proc.returncode != 0
    assert "degsdk._errors -> degsdk.cli" in proc.stdout


def test_no_import_cycles() -> None:
    assert import_cycles("degsdk") == []


def test_a_function_level_cycle_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "cyclepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n    return a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("cyclepkg") == [["cyclepkg.a", "cyclepkg.b"]]


def test_plugins_use_the_public_api_only() -> None:
    assert find_private_imports(PLUGIN_SOURCES) == []


def test_plugins_do_not_import_each_other() -> None:
    offenders = []
    for plugin in (REPO / "plugins").glob("degsdk-*"):
        own = plugin.name.replace("-", "_")
        for f in plugin.rglob("*.py"):
            for m in re.findall(r"^\s*(?:from|import)\s+(degsdk_\w+)", f.read_text(), re.M):
                if m != own:
                    offenders.append(f"{f.relative_to(REPO)}: {m}")
    assert offenders == []


def test_a_private_import_is_caught(tmp_path: Path) -> None:
    src = tmp_path / "bad_plugin.py"
    src.write_text(textwrap.dedent("""
        import degsdk
        from degsdk import Degrader
        from degsdk.hub import load
        from degsdk._interfaces import SampleParams
        from degsdk.ops import _resize
        import degsdk.default_plugins.builtin

        def f():
            from degsdk.hub._model_folder import WEIGHTS_NAME
            return degsdk._components.create, WEIGHTS_NAME
        """))
    found = [line.split(": ", 1)[1] for line in find_private_imports([src])]
    assert found == ["degsdk._interfaces", "degsdk.ops._resize", "degsdk.default_plugins.builtin",
                     "degsdk.hub._model_folder", "degsdk._components"]


def public_modules() -> list[str]:
    """Modules under degsdk/ with no ``_``-prefixed part: the public API (and the default
    plugins, which are a plugin, not API)."""
    out = []
    for f in sorted(CORE.rglob("*.py")):
        parts = f.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__" or any(p.startswith("_") for p in parts):
            continue
        if parts[:2] == ("degsdk", "default_plugins"):
            continue
        out.append(".".join(parts))
    return out


def test_docs_list_the_public_api() -> None:
    """docs/plugins.md's public-API table names every public package (or module) and no other:
    a new public module must be documented, or made private with a leading underscore."""
    text = (REPO / "docs" / "plugins.md").read_text()
    table = text.split("## The public API", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(degsdk[\w.]*)`", table, re.M))
    tops = {m for m in public_modules() if m.count(".") <= 1}
    nested = {m for m in public_modules() if m.count(".") > 1}
    assert documented == tops
    assert all(any(m.startswith(d + ".") for d in documented) for m in nested)


def test_importing_degsdk_does_not_load_the_default_plugins() -> None:
    code = ("import sys, degsdk; assert 'degsdk.ops' not in sys.modules; "
            "assert 'degsdk.default_plugins.builtin' not in sys.modules; "
            "degsdk.list_degraders(); assert 'degsdk.default_plugins.builtin' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)

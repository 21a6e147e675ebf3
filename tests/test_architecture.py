"""Layering rules: the core never imports the built-in plugin by name."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO

CORE = REPO / "degsdk"


def test_no_core_module_imports_the_builtin_ops() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        if path.is_relative_to(CORE / "ops"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(n == "ops" or n.startswith("ops.") or n.startswith("degsdk.ops")
                   for n in names):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_importing_degsdk_does_not_load_the_ops() -> None:
    code = ("import sys, degsdk; assert 'degsdk.ops' not in sys.modules; "
            "degsdk.list_degraders(); assert 'degsdk.ops.plugin' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)

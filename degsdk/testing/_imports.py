"""Which imports of degsdk a plugin's source makes that are not public API."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

NOT_API = ("degsdk.default_plugins",)
"""Public-looking packages that are not API: the default plugins are plugins, not a library."""


def is_private(module: str) -> bool:
    """True when ``module`` (a dotted name under ``degsdk``) is not public API: a part of its
    path starts with ``_`` (``degsdk._interfaces``, ``degsdk.hub._load``) or it lies under
    :data:`NOT_API`."""
    parts = module.split(".")
    if parts[0] != "degsdk":
        return False
    if any(p.startswith("_") and not (p.startswith("__") and p.endswith("__")) for p in parts):
        return True
    return any(module == m or module.startswith(m + ".") for m in NOT_API)


def _names_in(tree: ast.AST) -> Iterable[tuple[int, str]]:
    """(line, dotted name) of every degsdk module or attribute an import or attribute chain
    names, function-level imports included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for a in node.names:
                yield node.lineno, f"{node.module}.{a.name}"
        elif isinstance(node, ast.Attribute):
            chain = []
            cur: ast.AST = node
            while isinstance(cur, ast.Attribute):
                chain.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id == "degsdk":
                yield node.lineno, ".".join(["degsdk", *reversed(chain)])


def find_private_imports(paths: Iterable[str | Path]) -> list[str]:
    """Every use of a non-public degsdk module in the ``.py`` files under ``paths`` (files or
    folders), as ``"file:line: name"``. A plugin's tests can assert that this is empty::

        assert degsdk.testing.find_private_imports([Path(__file__).parents[1] / "src"]) == []
    """
    found: list[str] = []
    for root in map(Path, paths):
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for f in files:
            tree = ast.parse(f.read_text(encoding="utf-8"), filename=str(f))
            by_line: dict[int, set[str]] = {}
            for line, name in _names_in(tree):
                if is_private(name):
                    by_line.setdefault(line, set()).add(name)
            for line in sorted(by_line):
                names = by_line[line]
                # report the module, not also each name taken from it
                for name in sorted(n for n in names
                                   if not any(n.startswith(o + ".") for o in names)):
                    found.append(f"{f}:{line}: {name}")
    return found

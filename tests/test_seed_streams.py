"""The named seed streams are distinct, and no code derives a seed from a bare stream number:
``derive_seed(seed, 7)`` or ``derive_seed(seed, 0, 3)`` would share draws with whatever else
uses that number."""

from __future__ import annotations

import ast
from pathlib import Path

from degsdk.seeding import Stream, streams

REPO = Path(__file__).resolve().parents[1]


def test_stream_numbers_are_distinct() -> None:
    numbers = streams()
    assert {"CROP", "EVAL_TEST", "FIT_REALISM", "CALIBRATE_SIMULATION"} <= set(numbers)
    dupes = {n for n in numbers.values() if list(numbers.values()).count(n) > 1}
    assert not dupes, f"seed streams share a number: {numbers}"
    assert Stream.CROP == 1  # part of every recorded dataset's identity: never renumbered


def _bare_stream_calls(source: str) -> list[int]:
    """Lines of ``derive_seed`` calls whose index is an integer literal other than 0 with no
    stream, or whose stream path holds anything but ``Stream.NAME``."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id",
                                                       getattr(node.func, "attr", None))
                == "derive_seed"):
            continue
        args = node.args
        path = args[2:]
        literal_index = len(args) > 1 and isinstance(args[1], ast.Constant) and args[1].value
        named = all(isinstance(a, ast.Attribute) and getattr(a.value, "id", "") == "Stream"
                    for a in path)
        if (literal_index and not path) or not named:
            bad.append(node.lineno)
    return bad


def test_the_check_catches_a_bare_stream() -> None:
    assert _bare_stream_calls("derive_seed(seed, 7)") == [1]
    assert _bare_stream_calls("derive_seed(seed, 0, 3)") == [1]
    assert _bare_stream_calls("derive_seed(seed, 0, Stream.CROP)\nderive_seed(seed, i)") == []


def test_no_code_uses_a_bare_stream_number() -> None:
    files = [*(REPO / "degsdk").rglob("*.py"), *(REPO / "plugins").glob("degsdk-*/src/*/*.py")]
    found = {str(f.relative_to(REPO)): lines for f in files
             if (lines := _bare_stream_calls(f.read_text(encoding="utf-8")))}
    assert not found, f"derive_seed with a bare stream number (name it in Stream): {found}"

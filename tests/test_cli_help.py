"""Every ``--help`` of every command, trainer and plugin command reads right (issue 28, rows
5–7): each option is described (not just its own name), a ``--no-X`` switch says what it does,
repeatable options print their defaults plainly, and no text keeps reStructuredText's double
backticks."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

import degsdk
from degsdk.cli import main
from degsdk.cli._main import BUILTIN_COMMANDS, build_parser


def _parsers() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    top = build_parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in sub.choices.items():
        if name == "train" or name not in BUILTIN_COMMANDS:
            continue  # trainers and plugin commands: their own parsers below
        yield f"degsdk {name}", parser
    for name in degsdk.list_trainers():
        yield f"degsdk train {name}", degsdk.get_trainer(name).parser(f"degsdk train {name}")
    for name in degsdk.list_commands():
        yield f"degsdk {name}", degsdk.get_command(name).parser(f"degsdk {name}")


PARSERS = dict(_parsers())
BOOL_OFF = re.compile(r"^do not [a-z]")


def _problems(prog: str, parser: argparse.ArgumentParser) -> list[str]:
    text = parser.format_help()
    out = []
    if "``" in text:
        out.append("raw double backticks")
    if "turn off:" in text or "(default: [])" in text or "(default: {})" in text \
            or re.search(r"\(default: \[", text):
        out.append("a switch or a repeatable option's default printed raw")
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        flag = max(action.option_strings, key=len)
        words = re.sub(r"\(default:.*", "", action.help or "", flags=re.S).strip()
        bare = flag.lstrip("-").replace("-", " ")
        if len(words.split()) < 2 or words.lower() == bare:
            out.append(f"{flag}: not described ({words!r})")
        if flag.startswith("--no-") and isinstance(action, argparse._StoreFalseAction) and (
                not re.search(r"\b(do not|instead|skip)\b", words)
                or re.match(r"do not ([A-Z]|(the|a|an) |\w+ \w+:)", words)):
            # "do not PSNR/SSIM on …", "do not the test LR …", "do not stage ddpm: …" need
            # the field's own off_help
            out.append(f"{flag}: does not say what the switch does ({words!r})")
    return out


@pytest.mark.parametrize("prog", sorted(PARSERS))
def test_every_option_is_described(prog: str) -> None:
    assert _problems(prog, PARSERS[prog]) == []


def test_the_no_switches_say_what_they_do(capsys: pytest.CaptureFixture[str]) -> None:
    """Row 5: --no-mixture read "turn off: score a 50/50 mixture…"."""
    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--no-mixture do not score a 50/50 mixture" in out
    assert "--no-progress do not show progress bars" in out


def test_eval_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Row 6: --seed, --batch-size, --lr described; no ``…``; lists printed plainly."""
    with pytest.raises(SystemExit):
        main(["eval", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "``" not in out and "(default: [])" not in out
    assert "(default: degradation_stats, alexnet_random)" in out
    for flag in ("--seed", "--batch-size", "--lr"):
        m = re.search(re.escape(flag) + r" [A-Z_]+ (.*?) \(default", out)
        assert m and len(m.group(1).split()) >= 3, f"{flag}: {m and m.group(1)!r}"

"""The degradation card (``card.json``): written by every dataset run (``degsdk run`` and
``degsdk degrade``), its hashes recomputed here independently, its draws equal to the
manifest's, the same for any worker count, and ``verify_card`` catching a changed file or an
edited card."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from degsdk.cli import main
from degsdk.recipes import Recipe
from degsdk.recipes._card import cite_line, verify_card
from tests.conftest import SAMPLES
from tests.recipes.test_recipes import recipe_dict


def _aggregate(folder: Path, base: Path) -> str:
    """sha256 of "<relative path>\\t<sha256>\\n" lines sorted by path, from the files."""
    lines = sorted(f"{f.relative_to(base).as_posix()}\t"
                   f"{hashlib.sha256(f.read_bytes()).hexdigest()}\n"
                   for f in folder.rglob("*") if f.is_file())
    return hashlib.sha256("".join(lines).encode()).hexdigest()


@pytest.fixture(scope="module")
def made(hr_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("card") / "set"
    Recipe.from_dict(recipe_dict(hr_dir, out)).run(progress=False)
    return out


def test_a_run_writes_a_card_with_what_a_model_card_cites(made: Path, hr_dir: Path) -> None:
    card = json.loads((made / "card.json").read_text())
    run = json.loads((made / "run.json").read_text())
    assert card["card"] == "degsdk degradation card" and card["card_version"] == 1
    assert card["dataset"] == {"name": "t", "made_by": "degsdk run", "pairs": 12, "scale": 2,
                               "layout": "hr/ + lr/ (same file names)", "format": "png",
                               "bit_depth": 8}
    assert card["pipeline"]["degrader"] == run["degrader"]
    assert card["pipeline"]["hr_transform"]["name"] == "usm"
    assert card["parameters"]["degrader.sequential.ops[3].jpeg.quality"] == [40, 90]
    assert card["parameters"]["degrader.sequential.ops[2].gaussian_noise.sigma"] == [1, 10]
    assert card["seeds"]["degrader"] == 5
    assert card["software"]["degsdk"] and "builtin" in card["software"]["plugins"]
    assert card["inputs"] == {"images": 3, "sha256": _aggregate(hr_dir, hr_dir.parent)}
    for sub in ("hr", "lr"):
        assert card["outputs"][sub] == {"files": 12, "sha256": _aggregate(made / sub, made)}
    assert "t: 12 LR/HR pairs (×2)" in cite_line(card) and card["card_id"][:16] in cite_line(card)


def test_the_draws_are_the_manifests(made: Path) -> None:
    card = json.loads((made / "card.json").read_text())
    rows = [json.loads(line) for line in (made / "manifest.jsonl").read_text().splitlines()]
    quality = [r["params"]["ops"][3]["quality"] for r in rows]
    assert card["drawn"]["ops[3].quality"] == {"n": 12, "min": min(quality),
                                               "max": max(quality),
                                               "mean": pytest.approx(sum(quality) / 12)}
    assert min(quality) >= 40 and max(quality) <= 90
    assert not any(k.endswith(".seed") for k in card["drawn"])


def test_the_card_does_not_depend_on_the_worker_count(made: Path, hr_dir: Path,
                                                      tmp_path: Path) -> None:
    Recipe.from_dict(recipe_dict(hr_dir, tmp_path / "w2", run={"workers": 2})).run(
        progress=False)
    assert (tmp_path / "w2" / "card.json").read_bytes() == (made / "card.json").read_bytes()


def test_verify_card_catches_a_changed_file_or_an_edited_card(made: Path,
                                                              tmp_path: Path) -> None:
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(made, copy)
    assert verify_card(copy)["card_id"]
    lr = sorted((copy / "lr").iterdir())[0]
    lr.write_bytes(lr.read_bytes() + b"\0")
    with pytest.raises(Exception, match="do not match the card"):
        verify_card(copy)
    shutil.copy(made / "lr" / lr.name, lr)
    card = json.loads((copy / "card.json").read_text())
    card["seeds"]["degrader"] = 6
    (copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(Exception, match="card_id does not match"):
        verify_card(copy)


def test_degrade_writes_a_card_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = sorted(SAMPLES.glob("*.png"))[:2]
    out = tmp_path / "pairs"
    assert main(["degrade", *map(str, src), "--out", str(out), "--with", "jpeg", "--set",
                 "quality=[50,60]", "--seed", "3"]) == 0
    assert "card.json" in capsys.readouterr().out
    card: dict[str, Any] = verify_card(out)
    assert card["dataset"]["made_by"] == "degsdk degrade" and card["dataset"]["pairs"] == 2
    assert card["seeds"] == {"seed": 3}
    assert card["parameters"]["degrader.jpeg.quality"] == [50, 60]
    assert 50 <= card["drawn"]["quality"]["min"] <= card["drawn"]["quality"]["max"] <= 60
    names = sorted(f"{f.name}\t{hashlib.sha256(f.read_bytes()).hexdigest()}\n" for f in src)
    assert card["inputs"]["sha256"] == hashlib.sha256("".join(names).encode()).hexdigest()

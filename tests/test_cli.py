"""The ``degsdk`` CLI in-process: degrade (outputs, replay, errors that write nothing),
plugins, train."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pytest
import torch
import yaml
from pydantic import Field

import degsdk
from degsdk.cli import main
from tests.conftest import REPO, SAMPLES


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    g = torch.Generator().manual_seed(0)
    for name in ("b", "a"):
        degsdk.write_image(d / f"{name}.png", torch.rand(3, 32, 48, generator=g))
    return d


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_degrade_writes_pairs_params_and_sheet(tmp_path: Path, inputs: Path) -> None:
    out = tmp_path / "out"
    quickstart = yaml.safe_load((REPO / "recipes" / "quickstart.yaml").read_text())
    (tmp_path / "pipeline.yaml").write_text(yaml.safe_dump(quickstart["degrader"]))
    code = main(["degrade", str(inputs), "--out", str(out), "--config",
                 str(tmp_path / "pipeline.yaml"), "--seed", "7", "--contact-sheet"])
    assert code == 0
    assert _listing(out) == ["card.json", "contact_sheet.png", "hr", "hr/a.png", "hr/b.png", "lr",
                             "lr/a.png", "lr/b.png", "params.json"]
    assert degsdk.find_pairs(out, scale=4)[0].name == "a"
    record = json.loads((out / "params.json").read_text())
    assert record["seed"] == 7 and record["images"]["a"]["index"] == 0
    # Replay image "b" from the record alone: same pipeline, same params → the saved LR.
    deg = degsdk.from_config(record["degrader"])
    hr = degsdk.read_image(out / "hr" / "b.png")[None]
    lr = deg.apply(hr, [record["images"]["b"]["params"]])
    saved = degsdk.read_image(out / "lr" / "b.png")
    assert torch.equal((lr[0] * 255).round(), (saved * 255).round())
    # And the Python API with the same seed/index gives the same LR.
    assert torch.equal(deg(hr, seed=7, indices=[1]).lr, lr)
    assert not list(tmp_path.glob(".out.staging-*"))


def test_degrade_with_name_and_sets(tmp_path: Path, inputs: Path) -> None:
    out = tmp_path / "o"
    assert main(["degrade", str(inputs / "a.png"), "--out", str(out), "--with", "resize",
                 "--set", "factor=0.5", "--set", "mode=area", "--bit-depth", "16"]) == 0
    assert degsdk.read_image(out / "lr" / "a.png").shape == (3, 16, 24)
    cfg = json.loads((out / "params.json").read_text())["degrader"]
    assert cfg == {"name": "resize", "params": {"factor": 0.5, "mode": "area",
                                                "antialias": True}}


def test_degrade_and_run_take_threads_and_write_the_same_folders(
        tmp_path: Path, inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 28 row 7: `degrade` and `run` had no --threads, and wrote hr/ lr/ and HR/ LR/."""
    seen: list[int] = []
    real = torch.set_num_threads
    monkeypatch.setattr(torch, "set_num_threads", lambda n: (seen.append(n), real(n))[1])
    before = torch.get_num_threads()
    assert main(["degrade", str(inputs), "--out", str(tmp_path / "d"), "--with", "jpeg",
                 "--threads", "1"]) == 0
    assert 1 in seen and torch.get_num_threads() == before
    recipe = yaml.safe_load((REPO / "recipes" / "quickstart.yaml").read_text())
    recipe["inputs"] = [{"path": str(SAMPLES)}]
    recipe["output"]["dir"] = str(tmp_path / "r")
    recipe["run"] = {**recipe.get("run", {}), "workers": 1}  # in this process: threads seen
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(recipe))
    seen.clear()
    assert main(["run", str(tmp_path / "r.yaml"), "--limit", "2", "--threads", "2"]) == 0
    assert 2 in seen
    made = {p.name for p in (tmp_path / "r").iterdir() if p.is_dir()}
    assert {"hr", "lr"} <= made and {p.name for p in (tmp_path / "d").iterdir()
                                     if p.is_dir()} == {"hr", "lr"}
    with pytest.raises(degsdk.ConfigError, match="threads must be a whole number"):
        degsdk.recipes.RecipeRunner(degsdk.recipes.load_recipe(tmp_path / "r.yaml"), threads=0)


def test_mod_crop_is_explicit(tmp_path: Path) -> None:
    src = tmp_path / "odd.png"
    degsdk.write_image(src, torch.rand(3, 30, 42))
    out = tmp_path / "o"
    args = ["degrade", str(src), "--out", str(out), "--with", "resize", "--set", "factor=0.25"]
    assert main(args) == 2 and not out.exists()
    assert main([*args, "--mod-crop"]) == 0
    assert degsdk.read_image(out / "hr" / "odd.png").shape == (3, 28, 40)
    assert degsdk.read_image(out / "lr" / "odd.png").shape == (3, 7, 10)


BAD_CASES: dict[str, tuple[list[str], str]] = {
    "unknown degrader": (["--with", "blurr"], "no degrader named 'blurr'"),
    "bad param": (["--with", "gaussian_blur", "--set", "sigma=-1"], "gaussian_blur: invalid"),
    "unknown param": (["--with", "jpeg", "--set", "qualty=5"], "qualty"),
    "bad --set": (["--with", "jpeg", "--set", "quality"], "expected KEY=VALUE"),
    "not divisible": (["--with", "resize", "--set", "factor=0.2"], "or pass --mod-crop"),
    "missing config": (["--config", "nope.yaml"], "nope.yaml: cannot read config"),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_is_clear_error_and_writes_nothing(
        case: str, tmp_path: Path, inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra, expected = BAD_CASES[case]
    before = _listing(tmp_path)
    assert main(["degrade", str(inputs), "--out", str(tmp_path / "out"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("degsdk: error:") and expected in err
    assert "Traceback" not in err
    assert _listing(tmp_path) == before


def test_corrupt_image_is_named_and_nothing_written(
        tmp_path: Path, inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray((inputs / "b.png").read_bytes())
    mid = len(data) // 2
    data[mid : mid + 64] = bytes(64)  # damaged pixel data, intact header
    (inputs / "c.png").write_bytes(bytes(data))
    before = _listing(tmp_path)
    assert main(["degrade", str(inputs), "--out", str(tmp_path / "out"), "--with", "jpeg"]) == 2
    assert "c.png: cannot" in capsys.readouterr().err
    assert _listing(tmp_path) == before


def test_failure_midway_leaves_no_partial_output(
        tmp_path: Path, inputs: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A failure after some images were done (here: the disk fills up on the third write)
    leaves neither the output folder nor staging files behind."""
    import degsdk.cli._degrade as cli_degrade

    real_write = cli_degrade.write_image
    count = {"n": 0}

    def flaky_write(path: Path, image: torch.Tensor, bit_depth: int = 8) -> Path:
        count["n"] += 1
        if count["n"] == 3:
            raise degsdk.ImageWriteError(f"{path}: cannot write (No space left on device)")
        return real_write(path, image, bit_depth)

    monkeypatch.setattr(cli_degrade, "write_image", flaky_write)
    before = _listing(tmp_path)
    assert main(["degrade", str(inputs), "--out", str(tmp_path / "out"), "--with", "jpeg"]) == 2
    assert "No space left" in capsys.readouterr().err
    assert count["n"] == 3
    assert _listing(tmp_path) == before


def test_yaml_config_errors_name_the_file(tmp_path: Path, inputs: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "p.yaml"
    cfg.write_text("name: sequential\nparams:\n  ops:\n    - {name: jpeg, params: {quality: 0}}\n")
    assert main(["degrade", str(inputs), "--out", str(tmp_path / "o"), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert f"{cfg}.params.ops[0]: jpeg: invalid parameters" in err and "quality" in err
    cfg.write_text("name: [unclosed\n")
    assert main(["degrade", str(inputs), "--out", str(tmp_path / "o"), "--config", str(cfg)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_plugins_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"]) == 0
    text = capsys.readouterr().out
    assert "builtin (degsdk " in text and "gaussian_blur" in text
    assert main(["plugins", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any(r["name"] == "builtin" and not r["failures"] for r in data)


class ToyOptions(degsdk.Options):
    """Options declared once: the CLI, --help, defaults and validation come from here."""

    data: Path = Field(description="training folder")
    steps: int = Field(10, ge=1, description="training steps")
    mode: Literal["fast", "slow"] = Field("slow", description="how hard to try")
    fast: bool = Field(False, description="small model")
    progress: bool = Field(True, description="show a progress bar")
    tags: list[str] = Field(default_factory=list, description="labels (repeatable)")


@pytest.fixture
def toy_trainer(fresh_plugins: None) -> Iterator[list[ToyOptions]]:
    calls: list[ToyOptions] = []

    class Plugin:
        @degsdk.hookimpl
        def degsdk_register_trainers(self, register: Callable[..., None]) -> None:
            register("toy", degsdk.Trainer("Fit a toy model.", calls.append, ToyOptions))

    degsdk.register_plugin(Plugin(), name="toy-plugin")
    yield calls


def test_train_lists_and_runs_trainers(toy_trainer: list[ToyOptions],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    assert "registered trainers:" in out and "toy" in out and "Fit a toy model." in out
    with pytest.raises(SystemExit) as exc:
        main(["train", "toy", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--steps STEPS" in out and "training steps (default: 10)" in out and "--fast" in out
    assert "--no-progress" in out and "{fast,slow}" in out and "--data PATH" in out
    assert main(["train", "toy", "--data", "d", "--steps", "3", "--fast", "--mode", "fast",
                 "--no-progress", "--tags", "a", "--tags", "b"]) == 0
    assert toy_trainer == [ToyOptions(data=Path("d"), steps=3, mode="fast", fast=True,
                                      progress=False, tags=["a", "b"])]
    capsys.readouterr()
    assert main(["train", "toy", "--data", "d"]) == 0  # the model's defaults apply
    assert capsys.readouterr().out == "degsdk train toy: finished\n"  # issue 16 row 19
    assert toy_trainer[-1] == ToyOptions(data=Path("d"))
    assert main(["train", "toy", "--data", "d", "--steps", "0"]) == 2  # validated by the model
    assert "--steps (steps): Input should be greater than or equal to 1 (got '0')" in (
        capsys.readouterr().err)
    assert main(["train", "nope"]) == 2
    assert "no trainer named 'nope'" in capsys.readouterr().err


def test_options_validate_python_calls_with_the_flag_names() -> None:
    assert ToyOptions.of(data="x", steps=2).steps == 2
    base = ToyOptions(data=Path("x"))
    assert ToyOptions.of(base) is base and ToyOptions.of(base, steps=5).steps == 5
    with pytest.raises(degsdk.ConfigError, match=r"--data \(data\): Field required"):
        ToyOptions.of(steps=2)
    with pytest.raises(degsdk.ConfigError, match=r"--colour \(colour\): Extra inputs"):
        ToyOptions.of(data="x", colour="red")


def test_legacy_trainer_options_still_work_with_a_warning(
        fresh_plugins: None, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[dict[str, object]] = []
    with pytest.warns(DeprecationWarning, match="declare a degsdk.Options model"):
        legacy = degsdk.Trainer("Old style.", lambda **kw: calls.append(kw),
                                (degsdk.TrainerOption("steps", "training steps", int, 10),
                                 degsdk.TrainerOption("fast", "small model", flag=True)))

    class Plugin:
        @degsdk.hookimpl
        def degsdk_register_trainers(self, register: Callable[..., None]) -> None:
            register("legacy", legacy)

    degsdk.register_plugin(Plugin(), name="legacy-plugin")
    assert main(["train", "legacy", "--steps", "3", "--fast"]) == 0
    assert calls == [{"steps": 3, "fast": True}]


class AlphaOptions(degsdk.Options):
    alpha: float = Field(25.0, description="sharpness")


def test_plugin_commands_become_verbs(fresh_plugins: None,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[object] = []

    def fail(options: degsdk.Options) -> None:
        raise degsdk.ConfigError("--ref: folder holds no images")

    class Plugin:
        @degsdk.hookimpl
        def degsdk_register_commands(self, register: Callable[..., None]) -> None:
            register("toycraft", degsdk.Command("Craft a toy thing.", calls.append,
                                                AlphaOptions))
            register("toyfail", degsdk.Command(description="Fails.", run=fail))
            register("train", degsdk.Command(description="Shadows a built-in.",
                                              run=lambda o: calls.append({"bad": 1})))

    degsdk.register_plugin(Plugin(), name="toy-commands")
    assert main(["toycraft", "--alpha", "3"]) == 0
    assert calls == [AlphaOptions(alpha=3.0)]
    with pytest.raises(SystemExit):
        main(["toycraft", "--help"])
    assert "sharpness (default: 25.0)" in capsys.readouterr().out
    assert main(["toyfail"]) == 2
    assert "degsdk: error: --ref: folder holds no images" in capsys.readouterr().err
    assert main(["train", "--help"]) == 0  # built-in verbs win
    assert {"bad": 1} not in calls
    assert main(["plugins"]) == 0
    assert "commands: toycraft, toyfail, train" in capsys.readouterr().out
    from degsdk.cli._main import BUILTIN_COMMANDS, build_parser

    parser = build_parser(with_plugins=False)
    choices = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(BUILTIN_COMMANDS) == set(choices)
    # Issue 16 row 18: degsdk --help lists the plugin verbs, marked with their plugin.
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "toycraft" in out and "Craft a toy thing. [plugin toy-commands]" in out
    assert "Shadows a built-in" not in out


def test_quickstart_samples_are_small_and_divisible() -> None:
    files = degsdk.list_images([SAMPLES])
    assert len(files) == 4
    assert sum(f.stat().st_size for f in files) < 3_000_000
    for f in files:
        h, w = degsdk.io.image_size(f)
        assert h % 8 == 0 and w % 8 == 0


def test_degrade_refuses_a_non_empty_out_unless_overwrite(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    """Issue 16 row 2: a second run into the same --out must not leave a mixed dataset."""
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a", "b"):
        degsdk.write_image(src / f"{name}.png", torch.rand(3, 16, 16))
    out = tmp_path / "o"
    assert main(["degrade", str(src), "--out", str(out), "--with", "gaussian_blur"]) == 0
    assert main(["degrade", str(src / "a.png"), "--out", str(out), "--with", "jpeg"]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in (out / "lr").iterdir()) == ["a.png", "b.png"]
    assert main(["degrade", str(src / "a.png"), "--out", str(out), "--with", "jpeg",
                 "--overwrite"]) == 0
    assert sorted(p.name for p in (out / "lr").iterdir()) == ["a.png"]
    assert list(json.loads((out / "params.json").read_text())["images"]) == ["a"]
    assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name] == []


def test_degrade_output_folder_errors_are_one_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 rows 6 and 9: an --out under a file, or a read-only folder, and an image smaller
    than the scale with --mod-crop, are one-line errors naming the path."""
    src = tmp_path / "in"
    src.mkdir()
    degsdk.write_image(src / "a.png", torch.rand(3, 16, 16))
    (tmp_path / "file").write_text("x")
    assert main(["degrade", str(src), "--out", str(tmp_path / "file" / "o"),
                 "--with", "jpeg"]) == 2
    err = capsys.readouterr().err
    assert "cannot create the output folder" in err and "Traceback" not in err
    assert main(["degrade", str(src), "--out", str(tmp_path / "file"), "--with", "jpeg"]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    if os.geteuid() != 0:  # root ignores permissions
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        assert main(["degrade", str(src), "--out", str(ro / "o"), "--with", "jpeg"]) == 2
        assert "cannot create the output folder" in capsys.readouterr().err
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    degsdk.write_image(tiny / "t.png", torch.rand(3, 1, 1))
    assert main(["degrade", str(tiny), "--out", str(tmp_path / "t"), "--with", "bicubic",
                 "--mod-crop"]) == 2
    err = capsys.readouterr().err
    assert "t.png: 1×1 pixels is smaller than the degrader's scale 4" in err
    assert main(["degrade", str(tiny), "--out", str(tmp_path / "t"), "--with", "bicubic"]) == 2
    assert "smaller than the scale 4" in capsys.readouterr().err


def test_sigterm_leaves_no_staging_folder(tmp_path: Path) -> None:
    """Issue 16 row 20 (and the fault tests): SIGTERM unwinds like Ctrl-C, so the staging
    folder beside --out is removed and --out is not created."""
    src = tmp_path / "in"
    src.mkdir()
    img = torch.rand(3, 256, 256)
    for i in range(80):
        degsdk.write_image(src / f"{i:03d}.png", img)
    proc = subprocess.Popen([sys.executable, "-m", "degsdk", "degrade", str(src), "--out",
                             str(tmp_path / "o"), "--with", "bsrgan"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp_path.glob(".o.staging-*/lr/*.png")):
        time.sleep(0.05)
    assert list(tmp_path.glob(".o.staging-*")), "the run should be under way"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "degsdk: interrupted" in err
    assert list(tmp_path.glob(".o.staging-*")) == [] and not (tmp_path / "o").exists()

"""Every Python block in README.md, docs/ and plugins/*/README.md runs, and so do the README's
command lines that need no large data (issue 28 row 4).

Each block runs as written, in a fresh namespace, in a workspace folder that holds small
stand-ins for the folders the docs name (``photos/``, ``clean_hr/``, ``my_camera_lr/``,
``real_pairs/`` …). Where a block's budget is a user's (``steps=2000``, a 2-hour fit), the
test runs it with a small one: ``SHRINK`` lists each such change, and a change whose text is
no longer in the doc fails the test, so the list cannot go stale. A block with
``title="FILE"`` is a file of a worked example that its own test writes out and runs; it is
listed in ``FILE_TESTS``. A README command line that needs a real camera's data or hours is in
``NOT_RUN`` with the reason.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import degsdk
from degsdk.cli import main
from tests.conftest import REPO, smooth_images

DOCS = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md"),
               *(REPO / "plugins").glob("degsdk-*/README.md")])
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.M | re.S)

SHRINK: dict[str, list[tuple[str, str]]] = {
    # doc → (text as written, what the test runs instead): the user's budget, a small one here
    "docs/evaluation.md": [("steps=2000", "steps=4, copies=1, extractors=['degradation_stats']")],
    "docs/recipes.md": [(".run()", ".run(limit=2, progress=False)")],
    "plugins/degsdk-crafting/README.md": [
        ("random_crops(clean, 100, 288", "random_crops(clean, 4, 288"),
        ("reference_patches(refs, 72)", "reference_patches(refs, 72)[:6]")],
    "plugins/degsdk-realdgen/README.md": [('references="my_camera_lr/")',
                                           'references="my_camera_lr/", sampler="ddim", '
                                           'ddim_steps=2, candidates=1)')],
    "README.md": [("--steps 2000", "--steps 4 --copies 1 --extractors degradation_stats")],
}
FILE_TESTS = {  # title="…" blocks → the test that writes them out and runs them
    "example_trainer.py": "tests/test_docs_trainer_example.py",
    "degsdk-vignette/degsdk_vignette.py": "tests/test_docs_plugin_example.py",
    "degsdk-vignette/tests/test_vignette.py": "tests/test_docs_plugin_example.py",
    "degsdk-vignette/pyproject.toml": "tests/test_docs_plugin_example.py",
    "shell": "tests/test_docs_plugin_example.py",
}
TRAIN_OTF = """\
name: my_otf
scale: 4
high_order_degradation: true
resize_prob: [0.2, 0.7, 0.1]
resize_range: [0.5, 1.5]
resize_prob2: [0.3, 0.4, 0.3]
jpeg_range2: [75, 95]
datasets:
  train: {type: realesrgandataset_traiNNer, dataroot_gt: photos, gt_size: 64}
"""
NOT_RUN = {  # README command lines left out, and why
    "degsdk fit": "fits every method to a real camera's data within a budget of hours "
                  "(tests/fit runs it on a synthetic camera)",
    "degsdk run fit/best.yaml": "needs the folder a fit wrote (tests/fit runs best.yaml)",
    "make quickstart": "sets up a fresh .venv and runs the quickstart recipe; not run from "
                       "inside the suite (tests/recipes runs every committed recipe)",
    "make test": "the command that runs this test",
}


def _blocks(lang: str) -> list[tuple[str, int, str, str]]:
    """(doc relative to the repo, line, title, body) of every ``lang`` block."""
    out = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        rel = doc.relative_to(REPO).as_posix()
        for m in FENCE.finditer(text):
            if m.group(1) == lang:
                title = re.search(r'title="([^"]+)"', m.group(2))
                out.append((rel, text[: m.start()].count("\n") + 1,
                            title.group(1) if title else "", m.group(3)))
    return out


PYTHON = [b for b in _blocks("python") if not b[2]]


def _shrunk(doc: str, body: str) -> str:
    for old, new in SHRINK.get(doc, []):
        body = body.replace(old, new)
    return body


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folders the docs name, with small images: photos, clean HR (large enough for the
    crafting crops), a camera's real LR, aligned real pairs, a model folder, the recipes."""
    ws = tmp_path_factory.mktemp("docs")
    samples = sorted((REPO / "samples" / "hr").glob("*.png"))
    for i, path in enumerate(samples[:2]):
        img = degsdk.read_image(path)
        degsdk.write_image(ws / "photos" / f"photo{i}.png", img[:, :128, :128])
    degsdk.write_image(ws / "photo.png", degsdk.read_image(samples[0])[:, 136:376, 136:376])
    for name, n, side, seed in (("clean_hr", 4, 320, 0), ("clean_photos", 4, 320, 1),
                                ("my_camera_lr", 4, 96, 2)):
        for i, img in enumerate(smooth_images(n, side, side, seed=seed)):
            degsdk.write_image(ws / name / f"{i:03d}.png", img)
    blur = degsdk.create("gaussian_blur", sigma=1.0)
    pairs = smooth_images(4, 96, 96, seed=3)
    for i, (hr, lr) in enumerate(zip(pairs, blur(pairs, seed=0).lr, strict=True)):
        degsdk.write_image(ws / "real_pairs" / "hr" / f"{i}.png", hr)
        degsdk.write_image(ws / "real_pairs" / "lr" / f"{i}.png", lr)
    shutil.copytree(REPO / "recipes", ws / "recipes")
    shutil.copytree(REPO / "samples", ws / "samples")
    degsdk.load("dml/city100").save_pretrained(ws / "my-model")
    plugins_md = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    vignette = re.search(r'```python title="degsdk-vignette/degsdk_vignette.py"\n(.*?)```',
                         plugins_md, re.S)
    assert vignette is not None
    (ws / "degsdk_vignette.py").write_text(vignette.group(1), encoding="utf-8")
    return ws


@pytest.fixture
def in_workspace(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(workspace)
    monkeypatch.syspath_prepend(str(workspace))  # "importable from here", as the docs say
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield workspace


@pytest.mark.parametrize(("doc", "line", "body"), [(d, n, b) for d, n, _, b in PYTHON],
                         ids=[f"{d}:{n}" for d, n, _, _ in PYTHON])
def test_python_block_runs(doc: str, line: int, body: str, in_workspace: Path) -> None:
    code = compile(_shrunk(doc, body), f"{doc}:{line}", "exec")
    exec(code, {"__name__": "__docs__"})  # the docs' own code


def test_every_shrink_still_matches_its_doc() -> None:
    for doc, changes in SHRINK.items():
        text = (REPO / doc).read_text(encoding="utf-8")
        for old, _ in changes:
            assert old in text, f"{doc}: {old!r} is no longer there; update SHRINK"


def test_every_titled_block_has_the_test_that_runs_it() -> None:
    titled = {title for *_, title, _ in _blocks("python") if title} | {
        title for *_, title, _ in [*_blocks("toml"), *_blocks("bash")] if title}
    assert titled == set(FILE_TESTS)
    for title, test in FILE_TESTS.items():
        assert title in (REPO / test).read_text(encoding="utf-8"), f"{test} does not run {title}"


def _readme_commands() -> list[str]:
    lines = []
    for doc, _, title, body in _blocks("bash"):
        if doc != "README.md" or title:
            continue
        for raw in body.replace("\\\n", " ").splitlines():
            cmd = raw.split("  #", 1)[0].strip()
            if cmd:
                lines.append(cmd)
    return lines


README_COMMANDS = _readme_commands()
RUN = [c for c in README_COMMANDS if not any(c.startswith(start) for start in NOT_RUN)]


@pytest.mark.parametrize("command", RUN)
def test_readme_command_runs(command: str, in_workspace: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    text = _shrunk("README.md", command).replace("/data/HR", str(in_workspace / "photos"))
    argv = shlex.split(text)
    assert argv[0] == "degsdk", f"not a degsdk command: {command}"
    for folder in ("pairs", "eval", "cam"):
        shutil.rmtree(in_workspace / folder, ignore_errors=True)
    if "my_pipeline.yaml" in argv and not Path("my_pipeline.yaml").exists():
        degsdk.save_config(degsdk.create("gaussian_blur", sigma=[0.5, 1.5]), "my_pipeline.yaml")
    if "my_pairs/" in argv and not Path("my_pairs").exists():
        shutil.copytree("real_pairs", "my_pairs")
    if ("train_otf.yml" in argv or "my_otf.yaml" in argv) and not Path("train_otf.yml").exists():
        Path("train_otf.yml").write_text(TRAIN_OTF)  # a user's traiNNer-redux options
    if argv[1:3] == ["run", "my_otf.yaml"] and not Path("my_otf.yaml").exists():
        assert main(["import", "train_otf.yml", "-o", "my_otf.yaml"]) == 0
    try:
        rc = main(argv[1:])
    except SystemExit as exc:  # --help
        rc = exc.code  # type: ignore[assignment]
    out = capsys.readouterr()
    assert rc == 0, f"{command}\n{out.out}\n{out.err}"


def test_the_readme_commands_are_all_seen() -> None:
    """Each NOT_RUN entry still names a README line, so the list cannot hide a new one."""
    for start in NOT_RUN:
        assert any(c.startswith(start) for c in README_COMMANDS), start
    assert len(README_COMMANDS) >= 10 and len(RUN) == len(README_COMMANDS) - len(NOT_RUN)

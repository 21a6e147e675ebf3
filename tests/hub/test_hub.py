"""``hf://`` refs through the real ``huggingface_hub`` client against a local Hub stand-in:
download + cache, offline, revision pinning, subfolders, tampering; embedded package weights;
the ``pull``/``export``/``push`` CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import torch

import degsdk
from degsdk.cli import main
from tests.hub.conftest import FakeHub
from tests.hub.toy_models import ToyLearnedBlur, ToySR, randomize

COMMIT = "a" * 40
COMMIT2 = "b" * 40


@pytest.fixture
def published(toys: None, fake_hub: FakeHub, tmp_path: Path) -> FakeHub:
    """org/toy-sr: main → COMMIT (channels 4); COMMIT2 holds a retrained model under sub/."""
    a = randomize(ToySR(channels=4), seed=1).save_pretrained(tmp_path / "a", repo_id="org/toy-sr")
    b = randomize(ToySR(channels=4), seed=2).save_pretrained(tmp_path / "b")
    fake_hub.add_folder("org/toy-sr", a, COMMIT)
    fake_hub.add_folder("org/toy-sr", b, COMMIT2, branch="v2", prefix="sub/")
    return fake_hub


def _gets(hub: FakeHub) -> int:
    return len(hub.requests)


def test_download_cache_and_offline(published: FakeHub, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    model = degsdk.load("hf://org/toy-sr")
    info = model.weights_info
    assert info.revision == COMMIT and info.source == "hub"
    assert str(info.folder).startswith(str(tmp_path / "hf-cache"))
    assert "models--org--toy-sr" in str(info.folder)
    assert any(m == "GET" and p.endswith("/resolve/main/model.safetensors")
               for m, p in published.requests)
    x = torch.rand(1, 3, 8, 8)
    ref = randomize(ToySR(channels=4), seed=1)
    assert torch.equal(model(x), ref(x))

    n = _gets(published)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    again = degsdk.load("hf://org/toy-sr")  # served from the cache, no request
    assert _gets(published) == n and again.weights_info.revision == COMMIT
    with pytest.raises(degsdk.WeightsError, match="HF_HUB_OFFLINE is set and it is not in the "
                                                  "cache"):
        degsdk.load("hf://org/never-downloaded")


def test_a_plugin_registers_a_name_for_hub_weights(published: FakeHub,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Large weights stay on the Hub: the plugin registers ``hf://org/repo@<commit>`` under a
    short name, and the real huggingface_hub client fetches it once, then serves it from its
    cache offline."""

    class BigWeights:
        @degsdk.hookimpl
        def degsdk_register_weights(self, register: Any) -> None:
            register("toy/big", f"hf://org/toy-sr@{COMMIT2}/sub")

    degsdk.register_plugin(BigWeights(), name="big-weights")
    assert degsdk.list_weights()["toy/big"] == f"hf://org/toy-sr@{COMMIT2}/sub"
    model = degsdk.create_sr_model("toy_sr", weights="toy/big")
    info = model.weights_info
    assert info.source == "hub" and info.revision == COMMIT2 and info.ref == "toy/big"
    assert any(m == "GET" and p.endswith(f"/resolve/{COMMIT2}/sub/model.safetensors")
               for m, p in published.requests)
    ref = randomize(ToySR(channels=4), seed=2)
    x = torch.rand(1, 3, 8, 8)
    assert torch.equal(model(x), ref(x))
    n = _gets(published)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert torch.equal(degsdk.load("toy/big")(x), ref(x))  # from the cache, no request
    assert _gets(published) == n


def test_pinned_commit_and_subfolder(published: FakeHub) -> None:
    m2 = degsdk.load(f"hf://org/toy-sr@{COMMIT2}/sub")
    assert m2.weights_info.revision == COMMIT2
    n = _gets(published)
    # A cached 40-hex revision is resolved without any network call.
    assert degsdk.load(f"hf://org/toy-sr@{COMMIT2}/sub").weights_info.revision == COMMIT2
    assert _gets(published) == n
    assert degsdk.load("hf://org/toy-sr@v2/sub").weights_info.sha256 == m2.weights_info.sha256


def test_tampered_download_is_refused(published: FakeHub) -> None:
    sha = degsdk.resolve("hf://org/toy-sr").sha256
    files = published.files[("org/toy-sr", COMMIT)]
    data = bytearray(files["model.safetensors"])
    data[-2] ^= 0xFF
    files["model.safetensors"] = bytes(data)
    # Served as a new commit under a new branch name, so the client downloads it afresh.
    published.files[("org/toy-sr", "c" * 40)] = dict(files)
    published.branches[("org/toy-sr", "evil")] = "c" * 40
    with pytest.raises(degsdk.WeightsError, match="does not match the expected"):
        degsdk.load(f"hf://org/toy-sr@evil#sha256={sha}")


def test_missing_repo_and_file_are_clear(published: FakeHub) -> None:
    with pytest.raises(degsdk.WeightsError, match=r"hf://org/nope: cannot get config\.json"):
        degsdk.load("hf://org/nope")
    with pytest.raises(degsdk.WeightsError, match=r"the repository has no not-there/config\.json "
                                                  r"at revision main"):
        degsdk.load("hf://org/toy-sr@main/not-there")


def test_cli_pull_export_push(published: FakeHub, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["pull", "hf://org/toy-sr", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["revision"] == COMMIT and Path(info["folder"], "model.safetensors").is_file()
    out = tmp_path / "export"
    assert main(["export", "hf://org/toy-sr", str(out), "--repo-id", "me/toy"]) == 0
    card = (out / "README.md").read_text()
    assert 'degsdk.load("hf://me/toy")' in card and COMMIT in card
    assert "wrote" in capsys.readouterr().out

    calls: list[tuple[str, dict[str, Any]]] = []

    class FakeApi:
        def create_repo(self, **kw: Any) -> None:
            calls.append(("create_repo", kw))

        def upload_folder(self, **kw: Any) -> str:
            calls.append(("upload_folder", kw))
            return "https://hub.example/me/toy/commit/1"

    monkeypatch.setattr("degsdk.hub._push.HfApi", FakeApi)
    assert main(["push", str(out), "me/toy", "--private"]) == 0
    assert capsys.readouterr().out.strip() == "https://hub.example/me/toy/commit/1"
    assert calls[0] == ("create_repo", {"repo_id": "me/toy", "private": True, "exist_ok": True})
    assert calls[1][1]["folder_path"] == str(out) and "model.safetensors" in calls[1][1][
        "allow_patterns"]
    assert main(["push", str(tmp_path), "me/toy"]) == 2  # not a model folder
    assert "not a model folder" in capsys.readouterr().err


def test_embedded_weights_load_offline_in_a_fresh_process(tmp_path: Path) -> None:
    """A plugin ships a model folder inside its package and registers a short name: a fresh
    process loads it with the Hub unreachable and offline mode on."""
    site = tmp_path / "site"
    pkg = site / "degsdk_toyweights"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent('''
        from pathlib import Path
        import degsdk
        from tests.hub.toy_models import ToyLearnedBlur

        @degsdk.hookimpl
        def degsdk_register_degraders(register):
            register("toy_learned_blur", ToyLearnedBlur)

        @degsdk.hookimpl
        def degsdk_register_weights(register):
            register("toy/embedded", str(Path(__file__).parent / "weights" / "blur"))
    '''))
    info = site / "degsdk_toyweights-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: degsdk-toyweights\n"
                                   "Version: 0.1.0\n")
    (info / "entry_points.txt").write_text("[degsdk]\ntoyweights = degsdk_toyweights\n")
    deg = randomize(ToyLearnedBlur(kernel_size=3), seed=9)
    deg.registered_name = "toy_learned_blur"
    deg.save_pretrained(pkg / "weights" / "blur")
    code = ("import degsdk, torch; d = degsdk.load('toy/embedded'); "
            "print(d.weights_info.source, d.kernel.sum().item())")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.getcwd()]),
           "HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"}
    env.pop("DEGSDK_LOAD_PLUGINS", None)
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    source, total = res.stdout.split()
    expected = float(deg.kernel.detach().sum())
    assert source == "path" and float(total) == pytest.approx(expected, rel=1e-6)


def test_unreachable_hub_fails_fast_or_serves_the_cache(published: FakeHub,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16 row 15: without a network, a ref that is not cached is a WeightsError at once
    (not after the client's retries); one that is cached still loads."""
    degsdk.load("hf://org/toy-sr")  # cached now (branch main)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("HF_ENDPOINT", dead)
    t0 = time.perf_counter()
    with pytest.raises(degsdk.WeightsError, match=r"cannot be reached .*not in the cache"):
        degsdk.load(f"hf://nobody/nothing@{'c' * 40}")
    assert time.perf_counter() - t0 < 5
    assert degsdk.load("hf://org/toy-sr").weights_info.revision == COMMIT  # from the cache


def test_a_cached_pinned_commit_needs_no_reachability_check(
        published: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check runs once per ref, and not at all when the pinned commit is in the cache (the
    client serves it without a request), so an offline machine loads it at once."""
    import degsdk.hub._resolve as resolve_mod

    checks: list[int] = []
    real = resolve_mod.hub_reachable
    monkeypatch.setattr(resolve_mod, "hub_reachable", lambda: checks.append(1) or real())
    degsdk.load(f"hf://org/toy-sr@{COMMIT2}/sub")
    assert checks == [1]  # one check for three files
    monkeypatch.setattr(resolve_mod, "hub_reachable", lambda: pytest.fail("checked again"))
    assert degsdk.load(f"hf://org/toy-sr@{COMMIT2}/sub").weights_info.revision == COMMIT2

"""Plugin loading through real entry points: isolation of broken plugins, name clashes,
DEGSDK_LOAD_PLUGINS, strict mode, and runtime registration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

import degsdk
from degsdk._plugins import plugin_records

GOOD = """
import degsdk
from degsdk.ops import GaussianNoise

class Invert(degsdk.Degrader):
    name = "invert"
    def sample(self, hr, generators):
        return [{} for _ in generators]
    def apply(self, hr, params):
        return 1.0 - hr

@degsdk.hookimpl
def degsdk_register_degraders(register):
    register("invert", Invert)

@degsdk.hookimpl
def degsdk_register_weights(register):
    register("good-x4", "hf://example/good@0123")
"""

CLASH = """
import degsdk
from degsdk.ops import JPEG

@degsdk.hookimpl
def degsdk_register_degraders(register):
    register("jpeg", JPEG)            # taken by the built-in plugin: refused
    register("my_jpeg", JPEG)         # fine
"""

RAISES_IN_HOOK = """
import degsdk
from degsdk.ops import JPEG

@degsdk.hookimpl
def degsdk_register_degraders(register):
    register("half_registered", JPEG)
    raise RuntimeError("hook exploded")
"""


def _records() -> dict[str, degsdk._plugins.PluginRecord]:  # type: ignore[name-defined]
    return {r.name: r for r in plugin_records()}


def _load(monkeypatch: pytest.MonkeyPatch, site: Path) -> list[warnings.WarningMessage]:
    """Load plugins with ``site`` on the path; the plugin warnings about the distributions in
    ``site`` (other plugins installed on this machine, broken or not, do not count)."""
    monkeypatch.syspath_prepend(str(site))
    ours = [d.name.split("-")[0].replace("_", "-") for d in site.glob("*.dist-info")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        degsdk.reload_plugins()
    return [w for w in caught if issubclass(w.category, degsdk.PluginLoadWarning)
            and any(f"({dist} " in str(w.message) for dist in ours)]


def test_builtin_plugin_arrives_through_entry_point(fresh_plugins: None) -> None:
    rec = _records()["builtin"]
    assert rec.distribution == "degsdk" and rec.module == "degsdk.default_plugins.builtin"
    assert {"gaussian_blur", "resize", "gaussian_noise", "jpeg", "sequential"} <= set(
        rec.components["degrader"])


def test_good_plugin_registers_components(fresh_plugins: None, monkeypatch: pytest.MonkeyPatch,
                                          make_dist: Callable[..., Path]) -> None:
    site = make_dist("degsdk-good", "degsdk_good", GOOD, entry="good", version="1.2.3")
    assert _load(monkeypatch, site) == []
    rec = _records()["good"]
    assert (rec.distribution, rec.version) == ("degsdk-good", "1.2.3")
    assert "invert" in degsdk.list_degraders()
    assert degsdk.list_weights()["good-x4"] == "hf://example/good@0123"
    x = torch.rand(2, 3, 4, 4)
    assert torch.equal(degsdk.create("invert")(x, seed=0).lr, 1 - x)


def test_plugin_raising_at_import_is_recorded(fresh_plugins: None,
                                              monkeypatch: pytest.MonkeyPatch,
                                              make_dist: Callable[..., Path]) -> None:
    site = make_dist("degsdk-broken", "degsdk_broken", "raise ImportError('no module named x')")
    make_dist("degsdk-good", "degsdk_good", GOOD, entry="good")
    caught = _load(monkeypatch, site)
    assert len(caught) == 1
    msg = str(caught[0].message)
    assert "'degsdk_broken' (degsdk-broken 0.1.0) failed to import" in msg and "\n" not in msg
    rec = _records()["degsdk_broken"]
    assert rec.failures == ["failed to import: ImportError: no module named x"]
    assert "invert" in degsdk.list_degraders() and "jpeg" in degsdk.list_degraders()


def test_name_clash_is_refused_and_names_both_plugins(
        fresh_plugins: None, monkeypatch: pytest.MonkeyPatch,
        make_dist: Callable[..., Path]) -> None:
    site = make_dist("degsdk-clash", "degsdk_clash", CLASH, entry="clash")
    caught = _load(monkeypatch, site)
    assert any("'jpeg' from plugin 'clash' refused" in str(w.message)
               and "registered by plugin 'builtin'" in str(w.message) for w in caught)
    reg = degsdk._plugins.get_registry()
    assert reg.get("degrader", "jpeg").plugin == "builtin"  # the first one stays
    assert reg.get("degrader", "my_jpeg").plugin == "clash"  # the rest of the plugin works
    assert not _records()["clash"].ok


def test_exception_in_hook_rolls_back(fresh_plugins: None, monkeypatch: pytest.MonkeyPatch,
                                      make_dist: Callable[..., Path]) -> None:
    site = make_dist("degsdk-half", "degsdk_half", RAISES_IN_HOOK, entry="half")
    caught = _load(monkeypatch, site)
    assert "failed in degsdk_register_degraders: RuntimeError: hook exploded" in str(
        caught[0].message)
    assert "half_registered" not in degsdk.list_degraders()
    assert _records()["half"].components.get("degrader", []) == []


def test_load_plugins_env_restricts(fresh_plugins: None, monkeypatch: pytest.MonkeyPatch,
                                    make_dist: Callable[..., Path]) -> None:
    site = make_dist("degsdk-good", "degsdk_good", GOOD, entry="good")
    monkeypatch.setenv("DEGSDK_LOAD_PLUGINS", "")
    _load(monkeypatch, site)
    assert "invert" not in degsdk.list_degraders()
    assert "jpeg" in degsdk.list_degraders()  # built-ins always load
    monkeypatch.setenv("DEGSDK_LOAD_PLUGINS", "degsdk-good")
    degsdk.reload_plugins()
    assert "invert" in degsdk.list_degraders()


def test_strict_mode_reraises(fresh_plugins: None, monkeypatch: pytest.MonkeyPatch,
                              make_dist: Callable[..., Path]) -> None:
    site = make_dist("degsdk-broken", "degsdk_broken", "raise ImportError('boom')")
    monkeypatch.setenv("DEGSDK_STRICT_PLUGINS", "1")
    monkeypatch.setenv("DEGSDK_LOAD_PLUGINS", "degsdk-broken")  # not others installed here
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(ImportError, match="boom"):
        degsdk.reload_plugins()


def test_runtime_registration_and_unregistration(fresh_plugins: None) -> None:
    class Plugin:
        @degsdk.hookimpl
        def degsdk_register_degraders(self, register: Callable[..., None]) -> None:
            register("noise_again", degsdk.ops.GaussianNoise)

    rec = degsdk.register_plugin(Plugin(), name="runtime-test")
    assert rec.ok and "noise_again" in degsdk.list_degraders()
    degsdk.unregister_plugin("runtime-test")
    assert "noise_again" not in degsdk.list_degraders()


def test_components_say_which_plugin_registered_what_with_its_contract_case(
        fresh_plugins: None) -> None:
    case = degsdk.ContractCase({"sigma": [1, 2]}, size=32)

    class Plugin:
        @degsdk.hookimpl
        def degsdk_register_degraders(self, register: Callable[..., None]) -> None:
            register("noise_cased", degsdk.ops.GaussianNoise, contract=case)
            register("noise_badcase", degsdk.ops.GaussianNoise, contract={"sigma": 1})

    rec = degsdk.register_plugin(Plugin(), name="cased-test")
    mine = degsdk.components("degrader", plugin="cased-test")
    assert list(mine) == ["noise_cased"] and mine["noise_cased"].contract == case
    assert mine["noise_cased"].factory is degsdk.ops.GaussianNoise
    assert degsdk.components("degrader")["gaussian_noise"].plugin == "builtin"
    assert any("contract= takes a degsdk.ContractCase" in f for f in rec.failures)
    degsdk.unregister_plugin("cased-test")
    assert not degsdk.components("degrader", plugin="cased-test")


def test_unknown_component_suggests(fresh_plugins: None) -> None:
    with pytest.raises(degsdk.UnknownComponentError, match="Did you mean 'jpeg'"):
        degsdk.create("jpg")
    with pytest.raises(degsdk.UnknownComponentError, match=r"no SR model named 'x'"):
        degsdk.create_sr_model("x")


def test_cli_keeps_working_with_a_broken_plugin(tmp_path: Path,
                                                make_dist: Callable[..., Path]) -> None:
    """End to end in a fresh process: `degsdk plugins` lists the failure, `degrade` works."""
    site = make_dist("degsdk-broken", "degsdk_broken", "import no_such_module_xyz")
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("DEGSDK_LOAD_PLUGINS", None)
    cli = [sys.executable, "-m", "degsdk"]
    out = subprocess.run([*cli, "plugins", "--json"], env=env, capture_output=True, text=True,
                         check=True)
    listed = {r["name"]: r for r in json.loads(out.stdout)}
    assert listed["degsdk_broken"]["failures"] == [
        "failed to import: ModuleNotFoundError: No module named 'no_such_module_xyz'"]
    assert "jpeg" in listed["builtin"]["components"]["degrader"]
    warning_lines = [ln for ln in out.stderr.splitlines() if "degsdk_broken" in ln]
    assert len(warning_lines) == 1 and warning_lines[0].startswith("degsdk: warning:")

    src = tmp_path / "in"
    src.mkdir()
    degsdk.write_image(src / "a.png", torch.rand(3, 16, 16))
    res = subprocess.run([*cli, "degrade", str(src), "--out", str(tmp_path / "out"),
                          "--with", "resize", "--set", "factor=0.5", "--seed", "1"],
                         env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert degsdk.read_image(tmp_path / "out" / "lr" / "a.png").shape == (3, 8, 8)

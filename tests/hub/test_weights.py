"""Model folders and refs without a Hub: save→load round trips for every component kind,
strict loading, integrity, overrides, short names, ``create(name, weights=…)``."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import safetensors.torch
import torch
import yaml

import degsdk
from degsdk.hub import FORMAT_VERSION, parse_ref, read_config
from tests.hub.toy_models import ToyFeatures, ToyLearnedBlur, ToySR, randomize


@pytest.fixture
def blur_dir(toys: None, tmp_path: Path) -> Path:
    deg = randomize(ToyLearnedBlur(kernel_size=5, noise_sigma=3.0))
    return deg.save_pretrained(tmp_path / "blur", provenance={
        "license": "apache-2.0", "datasets": ["samples/hr"], "metrics": {"psnr": 30.5},
        "steps": 10})


def test_round_trip_every_kind(toys: None, tmp_path: Path) -> None:
    x = torch.rand(2, 3, 16, 16)
    sr = randomize(ToySR(scale=3, channels=4), seed=1)
    ext = randomize(ToyFeatures(dim=7), seed=2)
    deg = randomize(ToyLearnedBlur(kernel_size=3), seed=3)
    for obj, run in ((sr, lambda m: m(x)), (ext, lambda m: m(x)),
                     (deg, lambda m: m(x, seed=4).lr)):
        folder = obj.save_pretrained(tmp_path / obj.name)
        assert sorted(p.name for p in folder.iterdir()) == ["README.md", "config.json",
                                                           "model.safetensors"]
        back = degsdk.load(str(folder))
        assert type(back) is type(obj)
        assert torch.equal(run(back), run(obj))
        assert back.weights_info.sha256 and back.weights_info.revision is None
    assert degsdk.load(str(tmp_path / "toy_sr")).scale == 3
    assert ToyFeatures.from_pretrained(str(tmp_path / "toy_features")).dim == 7
    with pytest.raises(degsdk.WeightsError, match="not a ToySR"):
        ToySR.from_pretrained(str(tmp_path / "toy_features"))


def test_config_and_model_card(blur_dir: Path) -> None:
    cfg = read_config(blur_dir)
    assert cfg.kind == "degrader" and cfg.name == "toy_learned_blur"
    assert cfg.format_version == FORMAT_VERSION
    assert cfg.architecture == {"kernel_size": 5} and cfg.options == {"noise_sigma": 3.0}
    card = (blur_dir / "README.md").read_text()
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["library_name"] == "degsdk" and meta["license"] == "apache-2.0"
    assert meta["datasets"] == ["samples/hr"] and "degsdk.load(" in card
    assert meta["model-index"][0]["results"][0]["metrics"] == [{"type": "psnr", "value": 30.5}]


def test_overrides_change_options_not_architecture(blur_dir: Path) -> None:
    deg = degsdk.load(str(blur_dir), noise_sigma=0.0)
    assert deg.config.noise_sigma == 0.0
    assert degsdk.load(str(blur_dir), kernel_size=5).config.kernel_size == 5  # same value: ok
    with pytest.raises(degsdk.ConfigError, match="kernel_size belong to the architecture"):
        degsdk.load(str(blur_dir), kernel_size=7)


def test_create_with_weights_and_config_round_trip(blur_dir: Path) -> None:
    deg = degsdk.create("toy_learned_blur", weights=str(blur_dir), noise_sigma=1.0)
    cfg = deg.to_config()
    assert cfg == {"name": "toy_learned_blur",
                   "params": {"weights": str(blur_dir), "noise_sigma": 1.0}}
    again = degsdk.from_config(cfg)
    x = torch.rand(1, 3, 8, 8)
    assert torch.equal(again(x, seed=0).lr, deg(x, seed=0).lr)
    with pytest.raises(degsdk.ConfigError, match="weights: Extra inputs are not permitted"):
        degsdk.create("gaussian_blur", weights=str(blur_dir))  # not learned: a plain param

    class Alias:
        @degsdk.hookimpl
        def degsdk_register_degraders(self, register: object) -> None:
            register("toy_alias", ToyLearnedBlur)  # type: ignore[operator]

    degsdk.register_plugin(Alias(), name="alias")
    with pytest.raises(degsdk.ConfigError, match="hold degrader 'toy_learned_blur', not "
                                                 "'toy_alias'"):
        degsdk.create("toy_alias", weights=str(blur_dir))
    # one_of's branch probabilities are `probs`; `weights` is always a weights ref
    assert degsdk.create("one_of", ops=[{"name": "jpeg"}], probs=[1.0]).probs == [1.0]


def test_strict_loading_names_tensors(toys: None, tmp_path: Path) -> None:
    folder = randomize(ToySR(channels=4)).save_pretrained(tmp_path / "sr")
    state = safetensors.torch.load_file(str(folder / "model.safetensors"))
    bad = dict(state)
    bad.pop("body.0.bias")
    bad["extra.weight"] = torch.zeros(1)
    safetensors.torch.save_file(bad, str(folder / "model.safetensors"))
    cfg = json.loads((folder / "config.json").read_text())
    cfg["weights_sha256"] = ""  # a hand-made folder: no recorded hash, so strict loading speaks
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(degsdk.WeightsError,
                       match=r"missing tensors: body\.0\.bias; unexpected tensors: extra\.weight"):
        degsdk.load(str(folder))
    cfg["architecture"]["channels"] = 5
    safetensors.torch.save_file(state, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(degsdk.WeightsError, match=r"shape mismatches: body\.0\.bias \(file \(4,\)"):
        degsdk.load(str(folder))
    cfg["architecture"]["channels"] = 4
    ints = {**state, "body.0.bias": torch.zeros(4, dtype=torch.int64)}
    safetensors.torch.save_file(ints, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(degsdk.WeightsError, match=r"dtype mismatches: body\.0\.bias \(file "
                       r"torch\.int64, model torch\.float32\)"):
        degsdk.load(str(folder))


def test_truncated_tampered_and_newer_format(blur_dir: Path) -> None:
    weights = blur_dir / "model.safetensors"
    good = weights.read_bytes()
    sha = degsdk.load(str(blur_dir)).weights_info.sha256
    assert degsdk.load(f"{blur_dir}#sha256={sha}").weights_info.sha256 == sha
    tampered = bytearray(good)
    tampered[-3] ^= 0xFF
    weights.write_bytes(bytes(tampered))
    with pytest.raises(degsdk.WeightsError, match="does not match the expected"):
        degsdk.load(f"{blur_dir}#sha256={sha}")
    weights.write_bytes(good[: len(good) // 2])
    with pytest.raises(degsdk.WeightsError, match="corrupt or truncated"):
        degsdk.load(str(blur_dir))
    weights.write_bytes(good)
    cfg = json.loads((blur_dir / "config.json").read_text())
    (blur_dir / "config.json").write_text(json.dumps({**cfg, "format_version": 99}))
    with pytest.raises(degsdk.WeightsError, match="format_version 99 is newer"):
        degsdk.load(str(blur_dir))


def test_never_unpickles(toys: None, tmp_path: Path) -> None:
    folder = tmp_path / "legacy"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"kind": "sr_model", "name": "toy_sr"}))
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04pickle")
    with pytest.raises(degsdk.WeightsError, match=r"missing model\.safetensors"):
        degsdk.load(str(folder))


def test_ref_parsing_and_short_names(blur_dir: Path) -> None:
    r = parse_ref("hf://org/model@0123abc/sub/dir")
    assert (r.source, r.repo_id, r.revision, r.subfolder) == ("hub", "org/model", "0123abc",
                                                              "sub/dir")
    assert parse_ref("hf://org/model").revision == "main"
    assert parse_ref(f"file://{blur_dir}").path == blur_dir
    with pytest.raises(degsdk.WeightsError, match="hf://owner/name"):
        parse_ref("hf://only-one-part")
    with pytest.raises(degsdk.WeightsError, match="sha256=<64 hex"):
        parse_ref(f"{blur_dir}#sha256=abc")

    class Names:
        @degsdk.hookimpl
        def degsdk_register_weights(self, register: object) -> None:
            register("toy/blur", str(blur_dir))  # type: ignore[operator]

    degsdk.register_plugin(Names(), name="names")
    assert degsdk.load("toy/blur").weights_info.ref == "toy/blur"
    assert parse_ref("toy/blur").short_name == "toy/blur"
    with pytest.raises(degsdk.UnknownComponentError, match=r"Known names: (.*, )?toy/blur"):
        degsdk.load("toy/unknown")


def test_save_is_atomic_and_replaces_files(toys: None, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "m"
    randomize(ToySR(channels=4)).save_pretrained(target)
    before = (target / "model.safetensors").read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safetensors.torch, "save_file", boom)
    with pytest.raises(OSError, match="No space left"):
        randomize(ToySR(channels=4), seed=5).save_pretrained(target)
    assert (target / "model.safetensors").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no staging folder left


def test_saved_folder_gets_plain_permissions(toys: None, tmp_path: Path) -> None:
    """Staging (mkdtemp/safetensors) must not leave the folder 0700 or the weights 0600."""
    old = os.umask(0o022)
    try:
        folder = randomize(ToySR(channels=4)).save_pretrained(tmp_path / "m")
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    for f in folder.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f.name


def test_register_embedded_weights(toys: None, tmp_path: Path) -> None:
    from degsdk.hub import register_embedded_weights

    randomize(ToySR(channels=4)).save_pretrained(tmp_path / "weights" / "b")
    randomize(ToySR(channels=4)).save_pretrained(tmp_path / "weights" / "a")
    (tmp_path / "weights" / "notes").mkdir()  # no model.safetensors: skipped
    got: list[tuple[str, str]] = []
    register_embedded_weights(lambda n, r: got.append((n, r)), "toy", tmp_path / "weights")
    assert got == [("toy/a", f"file://{tmp_path / 'weights' / 'a'}"),
                   ("toy/b", f"file://{tmp_path / 'weights' / 'b'}")]
    register_embedded_weights(lambda n, r: got.append((n, r)), "toy", tmp_path / "missing")
    assert len(got) == 2
    assert isinstance(degsdk.load(got[0][1].removeprefix("file://")), ToySR)


def test_registered_sha256_is_verified(blur_dir: Path) -> None:
    good = degsdk.resolve(str(blur_dir)).sha256
    wrong = "0" * 64

    class Names:
        @degsdk.hookimpl
        def degsdk_register_weights(self, register: object) -> None:
            register("toy/pinned", f"{blur_dir}#sha256={good}")  # type: ignore[operator]
            register("toy/stale", f"{blur_dir}#sha256={wrong}")  # type: ignore[operator]

    degsdk.register_plugin(Names(), name="pinned-names")
    assert degsdk.load("toy/pinned").weights_info.sha256 == good
    with pytest.raises(degsdk.WeightsError, match=f"does not match the expected {wrong}"):
        degsdk.load("toy/stale")


def test_push_to_hub_uploads_a_complete_folder(toys: None) -> None:
    seen: dict[str, object] = {}

    class FakeApi:
        def create_repo(self, **kw: object) -> None:
            seen["create"] = kw

        def upload_folder(self, **kw: object) -> str:
            folder = Path(str(kw["folder_path"]))
            seen["files"] = sorted(p.name for p in folder.iterdir())
            seen["card"] = (folder / "README.md").read_text()
            return "commit-url"

    sr = randomize(ToySR(channels=4))
    assert sr.push_to_hub("me/toy-sr", provenance={"license": "mit"}, api=FakeApi()) == (
        "commit-url")
    assert seen["files"] == ["README.md", "config.json", "model.safetensors"]
    assert 'degsdk.load("hf://me/toy-sr")' in str(seen["card"]) and "license: mit" in str(
        seen["card"])


def test_model_config_old_spelling_warns(toys: None) -> None:
    blur = ToyLearnedBlur()
    with pytest.warns(DeprecationWarning, match="pretrained_config"):
        assert blur.model_config() == blur.pretrained_config()


def test_a_changed_weights_file_is_refused_by_its_recorded_hash(blur_dir: Path) -> None:
    """Issue 16 row 16: a model folder records the sha256 of its weights (config.json and the
    card) and loading checks it, with or without a hash in the ref; a folder from before the
    hash was recorded still loads."""
    cfg = json.loads((blur_dir / "config.json").read_text())
    weights = blur_dir / "model.safetensors"
    good = weights.read_bytes()
    assert cfg["weights_sha256"] == hashlib.sha256(good).hexdigest()
    assert cfg["weights_sha256"] in (blur_dir / "README.md").read_text()
    flipped = bytearray(good)
    flipped[-3] ^= 0xFF  # still a valid safetensors file, other values
    weights.write_bytes(bytes(flipped))
    with pytest.raises(degsdk.WeightsError, match="does not match the weights_sha256"):
        degsdk.load(str(blur_dir))
    (blur_dir / "config.json").write_text(json.dumps({**cfg, "weights_sha256": ""}))
    assert degsdk.load(str(blur_dir)) is not None  # an old folder: nothing to check against


def test_relative_weights_paths_work_from_any_directory(
        blur_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16 row 7: a recipe's `weights: <folder>` is relative to the recipe file, and a
    config saved from degsdk.load('<folder>') records a path that loads from anywhere."""
    rdir = tmp_path / "recipes"
    rdir.mkdir()
    shutil.copytree(blur_dir, rdir / "blurm")
    hr = tmp_path / "hr"
    hr.mkdir()
    degsdk.write_image(hr / "a.png", torch.rand(3, 32, 32))
    (rdir / "r.yaml").write_text(yaml.safe_dump({
        "version": 1, "name": "rel", "seed": 0, "inputs": [{"path": "../hr"}],
        "crop": {"mode": "none"},
        "degrader": {"name": "sequential", "params": {"ops": [
            {"name": "toy_learned_blur", "params": {"weights": "blurm"}}]}},
        "output": {"dir": "../out"}, "run": {"workers": 1}}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    degsdk.Recipe.from_yaml(rdir / "r.yaml").run(progress=False)
    assert len(degsdk.find_pairs(tmp_path / "out")) == 1
    monkeypatch.chdir(rdir)
    cfg = degsdk.load("blurm").to_config()
    assert cfg["params"]["weights"] == str((rdir / "blurm").resolve())
    monkeypatch.chdir(elsewhere)
    assert degsdk.from_config(cfg).to_config() == cfg

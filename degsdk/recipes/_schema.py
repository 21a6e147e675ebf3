"""The recipe schema (pydantic v2). Field names are public API; unknown keys are errors.

A recipe turns folders of clean HR images into an LR/HR training set::

    version: 1
    name: my-set
    seed: 0
    inputs: [{path: data/hr, glob: "*.png", recursive: false, min_size: 256}]
    crop: {mode: random, size: 256, per_image: 4}
    hr_transform: {name: usm, params: {}}          # optional
    degrader: {name: realesrgan, params: {}}
    output: {dir: out/my-set, layout: basicsr, format: png, bit_depth: 8, preview: 8}
    run: {batch_size: 8, workers: 2, device: cpu, backend: local}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pydantic
import torch
import yaml

from .._bounded import compose_yaml, load_yaml
from .._config import weights_relative_to
from .._errors import ConfigError
from .._quote import quote

RECIPE_VERSION = 1


class _Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")


class InputSource(_Strict):
    """A folder of HR images."""

    path: str = pydantic.Field(description="folder of HR images (relative to the recipe file)")
    glob: str = pydantic.Field(default="*", description="file pattern inside the folder")
    recursive: bool = pydantic.Field(default=False, description="search sub-folders too")
    min_size: int = pydantic.Field(default=0, ge=0,
                                   description="skip images whose shorter side is smaller")


class Crop(_Strict):
    """HR crops: ``random`` positions (``per_image`` of them), a ``grid`` of tiles (row-major,
    at most ``per_image`` when > 0), or ``none`` (the whole image). Every HR is then cut to a
    multiple of the degrader's scale (top-left; recorded in the manifest)."""

    mode: Literal["random", "grid", "none"] = pydantic.Field(
        default="none", description="random positions, a grid of tiles, or the whole image")
    size: int | None = pydantic.Field(default=None, ge=8, description="crop side (pixels)")
    per_image: int = pydantic.Field(default=1, ge=0, description="crops per image (0: all)")

    @pydantic.model_validator(mode="after")
    def _size_needed(self) -> Crop:
        if self.mode != "none" and self.size is None:
            raise ValueError(f"crop mode {quote(self.mode)} needs a size")
        return self


class Output(_Strict):
    """Where and how the set is written."""

    dir: str = pydantic.Field(description="output folder (relative to the recipe file)")
    layout: Literal["basicsr"] = pydantic.Field(
        default="basicsr", description="hr/ + lr/ with matching names + meta_info.txt")
    format: Literal["png", "jpg", "webp"] = pydantic.Field(
        default="png", description="png, jpg (quality 95, 4:4:4) or webp (lossless)")
    bit_depth: Literal[8, 16] = pydantic.Field(default=8, description="16 needs png")
    preview: int = pydantic.Field(default=8, ge=0, description="pairs in preview.png (0: none)")

    @pydantic.model_validator(mode="after")
    def _depth(self) -> Output:
        if self.bit_depth == 16 and self.format != "png":
            raise ValueError("bit_depth 16 needs format png")
        return self


class Run(_Strict):
    """How the set is computed; none of this changes the output bytes."""

    batch_size: int = pydantic.Field(default=8, ge=1, description="samples per degrader call")
    workers: int = pydantic.Field(default=1, ge=1, description="processes (or Ray tasks)")
    device: str = pydantic.Field(default="cpu", description="torch device of the degrader")
    backend: Literal["local", "ray"] = pydantic.Field(
        default="local", description="local processes, or Ray (pip install degsdk[ray])")
    address: str | None = pydantic.Field(default=None, description="Ray cluster address")

    @pydantic.field_validator("device")
    @classmethod
    def _device_available(cls, v: str) -> str:
        return check_device(v)


def available_devices() -> list[str]:
    """The torch devices this machine has: cpu, then cuda:0… and mps where present."""
    out = ["cpu"]
    if torch.cuda.is_available():
        out += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        out.append("mps")
    return out


def check_device(name: str) -> str:
    """``name`` if it is a torch device this machine has; else a ``ValueError`` listing those
    it has."""
    have = available_devices()
    try:
        dev = torch.device(name)
    except (RuntimeError, ValueError):
        raise ValueError(f"{quote(name)} is not a torch device; this machine has "
                         f"{', '.join(have)}") from None
    full = f"{dev.type}:{dev.index or 0}" if dev.type == "cuda" else dev.type
    if full not in have:
        raise ValueError(f"device {quote(name)} is not available here; this machine has "
                         f"{', '.join(have)}")
    return name


class RecipeSpec(_Strict):
    """A dataset recipe's validated content (the YAML schema)."""

    version: Literal[1] = pydantic.Field(default=RECIPE_VERSION,
                                         description="recipe format version")
    name: str = pydantic.Field(min_length=1, description="the dataset's name")
    seed: int = pydantic.Field(default=0, ge=0, description="seed of every random draw")
    inputs: list[InputSource] = pydantic.Field(min_length=1, description="HR image folders")
    crop: Crop = pydantic.Field(default_factory=Crop, description="how HR crops are cut")
    hr_transform: dict[str, Any] | None = pydantic.Field(
        default=None, description="degrader config applied to the HR before saving/degrading")
    degrader: dict[str, Any] = pydantic.Field(description="degrader config {name, params}")
    output: Output = pydantic.Field(description="where and how the set is written")
    run: Run = pydantic.Field(default_factory=Run,
                              description="how it is computed (never changes the bytes)")



# ------------------------------------------------------------------ loading with line numbers
def _node_at(node: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
        else:
            return node
        if node is None:
            return None
    return node


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    cur: Any = data
    for i, k in enumerate(keys):
        last = i == len(keys) - 1
        if isinstance(cur, list):
            if not k.isdigit() or int(k) >= len(cur):
                raise ConfigError(f"--set {dotted}: {'.'.join(keys[:i]) or 'recipe'} is a list; "
                                  f"expected an index below {len(cur)}, got {quote(k)}")
            if last:
                cur[int(k)] = value
            else:
                cur = cur[int(k)]
        elif isinstance(cur, dict):
            if last:
                cur[k] = value
            else:
                cur = cur.setdefault(k, {})
        else:
            raise ConfigError(f"--set {dotted}: {'.'.join(keys[:i])} is not a mapping or list")


def apply_sets(data: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    """Apply ``a.b=value`` overrides (YAML scalars; list items by index, e.g. inputs.0.path)."""
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {quote(item)}: expected KEY=VALUE, e.g. run.workers=2")
        value = load_yaml(raw, f"--set {quote(key.strip(), 60)}")
        _set_path(data, key.strip(), value)
    return data


def parse_recipe(text: str, source: str = "recipe", sets: list[str] | None = None,
                 base_dir: Path | None = None) -> RecipeSpec:
    """Validate recipe YAML; errors give the field path and the YAML line."""
    root = compose_yaml(text, source)
    return validate_recipe(load_yaml(text, source), source, sets, base_dir, root)


def validate_recipe(data: Any, source: str = "recipe", sets: list[str] | None = None,
                    base_dir: Path | None = None, root: yaml.Node | None = None) -> RecipeSpec:
    """Validate recipe data (a mapping, as ``load_yaml`` reads it: within the limits of
    ``check_bounded``; ``sets`` are applied to it in place); ``root``, the YAML node tree, adds
    line numbers to the errors."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    data = apply_sets(data, list(sets or []))
    try:
        recipe = RecipeSpec.model_validate(data)
    except pydantic.ValidationError as exc:
        lines = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e["loc"]) or "(recipe)"
            node = _node_at(root, tuple(e["loc"]))
            at = f" (line {node.start_mark.line + 1})" if node is not None else ""
            msg = e["msg"].removeprefix("Value error, ")
            given = e.get("input")
            shown = "" if isinstance(given, dict | list) else f" (got {quote(given)})"
            lines.append(f"  {loc}{at}: {msg}{shown}")
        raise ConfigError(f"{source}: invalid recipe:\n" + "\n".join(lines)) from None
    if base_dir is not None:  # relative paths are relative to the recipe file
        for inp in recipe.inputs:
            if not Path(inp.path).is_absolute():
                inp.path = str((base_dir / inp.path).resolve())
        if not Path(recipe.output.dir).is_absolute():
            recipe.output.dir = str((base_dir / recipe.output.dir).resolve())
        recipe.degrader = weights_relative_to(recipe.degrader, base_dir)
        if recipe.hr_transform is not None:
            recipe.hr_transform = weights_relative_to(recipe.hr_transform, base_dir)
    return recipe


def load_recipe(path: str | Path, sets: list[str] | None = None) -> RecipeSpec:
    """Read and validate a recipe YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read recipe ({exc.strerror or exc})") from None
    return parse_recipe(text, str(p), sets, base_dir=p.resolve().parent)

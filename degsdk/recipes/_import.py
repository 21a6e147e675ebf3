"""``degsdk import``: another tool's degradation config → a degsdk recipe with the same
distributions, and a list of every option that could not be carried.

Sources: traiNNer-redux OTF options (YAML), neosr OTF options (TOML), BasicSR/Real-ESRGAN
options (YAML) and wtp_dataset_destroyer configs (JSON, or HCL with python-hcl2).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import yaml

from .._bounded import check_bounded, load_yaml
from .._errors import ConfigError
from .._quote import quote
from ._import_otf import BASICSR, NEOSR, REDUX, from_otf_options
from ._import_result import ImportResult
from ._import_wtp import from_wtp

KINDS = ("auto", "traiNNer-redux", "neosr", "basicsr", "wtp")


def read_source(path: Path) -> tuple[dict[str, Any], str]:
    """Parse ``path`` by its extension: (data, format)."""
    if not path.is_file():
        raise ConfigError(f"{path}: does not exist or is not a file")
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            data, fmt = tomllib.loads(text), "toml"
        elif suffix == ".json":
            data, fmt = json.loads(text), "json"
        elif suffix == ".hcl":
            data, fmt = _load_hcl(text), "hcl"
        elif suffix in (".yml", ".yaml"):
            data, fmt = load_yaml(text, str(path)), "yaml"
        else:
            raise ConfigError(f"{path}: unknown format {suffix or '(none)'}; expected .yml, "
                              ".yaml, .toml, .json or .hcl")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not valid {suffix[1:].upper()}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    check_bounded(data, str(path))
    return data, fmt


def _load_hcl(text: str) -> dict[str, Any]:
    try:
        import hcl2
    except ImportError:
        raise ConfigError("HCL configs need python-hcl2 (pip install python-hcl2), or convert "
                          "the config to JSON") from None
    try:
        data = hcl2.loads(text)
    except Exception as exc:  # the parser's own error types vary by version
        raise ConfigError(f"not valid HCL: {str(exc).splitlines()[0]}") from None
    return dict(_plain_hcl(data))


def _plain_hcl(node: Any) -> Any:
    """python-hcl2's output as plain values: strings without the quotes newer versions keep,
    no ``__is_block__`` markers."""
    if isinstance(node, dict):
        return {k: _plain_hcl(v) for k, v in node.items() if not k.startswith("__")}
    if isinstance(node, list):
        return [_plain_hcl(v) for v in node]
    if isinstance(node, str) and len(node) >= 2 and node[0] == node[-1] == '"':
        return node[1:-1]
    return node


def detect(data: dict[str, Any], fmt: str) -> str:
    """Which tool wrote ``data``."""
    if "process" in data or "degradation" in data:
        return "wtp"
    if fmt == "toml" or isinstance(data.get("degradations"), dict):
        return "neosr"
    if "high_order_degradation" in data or "resize_mode_list" in data:
        return "traiNNer-redux"
    if isinstance(data.get("datasets"), dict) or "resize_prob" in data:
        return "basicsr"
    raise ConfigError("cannot tell which tool this config is for; pass --from traiNNer-redux, "
                      "neosr, basicsr or wtp")


def import_config(path: str | Path, kind: str = "auto", name: str | None = None
                  ) -> ImportResult:
    """Import ``path`` (a traiNNer-redux, neosr, BasicSR or wtp_dataset_destroyer config)."""
    if kind not in KINDS:
        raise ConfigError(f"--from {quote(kind)}: expected one of {', '.join(KINDS)}")
    path = Path(path)
    data, fmt = read_source(path)
    tool = detect(data, fmt) if kind == "auto" else kind
    recipe_name = name or str(data.get("name") or path.stem).replace(" ", "-")
    if tool == "wtp":
        return from_wtp(data, recipe_name)
    return from_otf_options(data, {"traiNNer-redux": REDUX, "neosr": NEOSR,
                                   "basicsr": BASICSR}[tool], recipe_name)


def recipe_text(result: ImportResult, source: str) -> str:
    """The recipe as YAML, headed by comments: the source, each option not carried and why,
    and the mapping notes."""
    lines = [f"# Imported by `degsdk import` from {source} ({result.tool}).",
             "# Set inputs.0.path and output.dir (or pass --set to degsdk run)."]
    if result.unconverted:
        lines.append(f"# Not carried ({len(result.unconverted)}):")
        lines += [f"#   {k} = {_short(v)}: {why}" for k, v, why in result.unconverted]
    else:
        lines.append("# Not carried: none.")
    if result.notes:
        lines.append("# Notes:")
        lines += [f"#   {n}" for n in result.notes]
    if result.ignored:
        lines.append(f"# Training settings, not part of a recipe: {', '.join(result.ignored)}")
    body = yaml.dump(result.recipe, Dumper=_NoAliases, sort_keys=False,
                     default_flow_style=None, width=100)
    return "\n".join(lines) + "\n" + body


class _NoAliases(yaml.SafeDumper):
    """Writes a value shared by several ops in full each time (no &anchors)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "…"

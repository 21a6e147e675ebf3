"""Weight references, resolved in this order:

1. ``hf://owner/name[@revision][/subfolder]`` — a Hugging Face Hub repository;
2. ``file://PATH`` or any path that exists on disk — a model folder;
3. otherwise a short name registered by a plugin (``degsdk_register_weights``), whose value is
   itself a ref of kind 1 or 2.

Any ref may end in ``#sha256=<64 hex>``: the digest ``model.safetensors`` must have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pydantic

from .._errors import UnknownComponentError, WeightsError
from .._plugins import get_registry
from .._quote import quote
from ..io._paths import path_kind

_HF = re.compile(r"^hf://(?P<repo>[\w.-]+/[\w.-]+)(?:@(?P<rev>[\w.-]+))?(?:/(?P<sub>.+?))?/?$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class WeightsRef:
    """A parsed reference: ``source`` is ``"hub"`` or ``"path"``."""

    text: str
    source: str
    repo_id: str | None = None
    revision: str | None = None
    subfolder: str | None = None
    path: Path | None = None
    sha256: str | None = None
    short_name: str | None = None


def _expand(path: str) -> Path:
    """``~`` expanded where it names a home folder; as given otherwise (``~nobody``)."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        return Path(path)


def _split_digest(text: str) -> tuple[str, str | None]:
    if "#" not in text:
        return text, None
    body, _, frag = text.partition("#")
    key, _, value = frag.partition("=")
    if key != "sha256" or not _SHA.match(value.lower()):
        raise WeightsError(f"weights ref {quote(text)}: the fragment must be "
                           "'#sha256=<64 hex digits>'")
    return body, value.lower()


def parse_ref(text: str, _depth: int = 0) -> WeightsRef:
    """Parse ``text`` into a ``WeightsRef`` (short names are looked up in the registry)."""
    if not isinstance(text, str) or not text.strip():
        raise WeightsError(f"weights ref must be a non-empty string, got {quote(text)}")
    body, sha = _split_digest(text.strip())
    if body.startswith("hf://"):
        m = _HF.match(body)
        if not m:
            raise WeightsError(f"weights ref {quote(text)}: expected hf://owner/name[@revision]"
                               "[/subfolder]")
        return WeightsRef(text, "hub", repo_id=m["repo"], revision=m["rev"] or "main",
                          subfolder=m["sub"], sha256=sha)
    if body.startswith("file://"):
        return WeightsRef(text, "path", path=_expand(body[len("file://"):]), sha256=sha)
    if path_kind(_expand(body)) is not None:
        return WeightsRef(text, "path", path=_expand(body), sha256=sha)
    reg = get_registry()  # short names registered by plugins
    known = {n: str(reg.get("weights", n).factory) for n in reg.names("weights")}
    if body not in known:
        names = ", ".join(sorted(known)) or "(none registered)"
        raise UnknownComponentError(
            f"weights ref {quote(text)} is not hf://…, not an existing path, and not a registered "
            f"weights name. Known names: {names}")
    if _depth > 3:
        raise WeightsError(f"weights name {quote(body)}: registered refs point to each other "
                           "in a loop")
    inner = parse_ref(known[body], _depth + 1)
    if sha and inner.sha256 and sha != inner.sha256:
        raise WeightsError(f"weights ref {quote(text)}: its sha256 differs from the registered one")
    return WeightsRef(inner.text, inner.source, inner.repo_id, inner.revision, inner.subfolder,
                      inner.path, sha or inner.sha256, short_name=body)


def _ref_before(value: object) -> object:
    if isinstance(value, WeightsRef) or not isinstance(value, str | Path):
        return value
    try:
        return parse_ref(str(value))  # a Path given from Python is a folder
    except (WeightsError, UnknownComponentError) as err:
        raise ValueError(str(err)) from None  # so Options.of names the flag


WeightsRefOption = Annotated[WeightsRef, pydantic.BeforeValidator(_ref_before)]
"""An ``Options`` field type: a weights ref (``hf://…``, a model folder, a registered name)
parsed when the options are validated, so a bad ref fails there and only the parsed
:class:`WeightsRef` travels on (``str(Path("hf://o/r"))`` would have lost a slash)."""

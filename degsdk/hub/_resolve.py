"""Turn a weights ref into a local model folder, through ``huggingface_hub`` for ``hf://`` refs.

The Hub settings are read from the environment at call time (``HF_ENDPOINT``, ``HF_HUB_CACHE``
/ ``HF_HOME``, ``HF_HUB_OFFLINE``), so they can change within a process. Offline, or with a
40-hex revision already cached, no network request is made.
"""

from __future__ import annotations

import os
import re
import socket
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .._errors import WeightsError
from ._model_folder import CARD_NAME, CONFIG_NAME, WEIGHTS_NAME, file_sha256, read_config
from ._refs import WeightsRef, parse_ref

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class ResolvedWeights:
    """Where a ref's files are, and what they are: ``revision`` is the Hub commit (None for a
    folder), ``sha256`` the digest of ``model.safetensors``."""

    ref: str
    folder: Path
    revision: str | None
    sha256: str
    source: str

    def as_dict(self) -> dict[str, str | None]:
        return {"ref": self.ref, "folder": str(self.folder), "revision": self.revision,
                "sha256": self.sha256, "source": self.source}


def hub_offline() -> bool:
    v = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return v.strip().lower() in {"1", "true", "yes", "on"}


def _hub_kwargs() -> dict[str, object]:
    kw: dict[str, object] = {}
    if os.environ.get("HF_ENDPOINT"):
        kw["endpoint"] = os.environ["HF_ENDPOINT"].rstrip("/")
    cache = os.environ.get("HF_HUB_CACHE") or (
        os.path.join(os.environ["HF_HOME"], "hub") if os.environ.get("HF_HOME") else None)
    if cache:
        kw["cache_dir"] = cache
    return kw


def _endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the Hub endpoint opens within ``timeout`` seconds. Checked
    before a download, so a machine without network fails (or falls back to the cache) at
    once, instead of after the client's retries."""
    url = urllib.parse.urlsplit(_endpoint())
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def _cached_commit(ref: WeightsRef) -> bool:
    """Whether ``ref`` pins a commit whose config and weights are in the cache: then the client
    serves them without any request, and no reachability check is needed."""
    import huggingface_hub

    if not (ref.revision and _COMMIT.match(ref.revision)):
        return False
    cache_dir = _hub_kwargs().get("cache_dir")
    for name in (CONFIG_NAME, WEIGHTS_NAME):
        path = f"{ref.subfolder}/{name}" if ref.subfolder else name
        found = huggingface_hub.try_to_load_from_cache(
            str(ref.repo_id), path, cache_dir=cache_dir, revision=ref.revision)  # type: ignore[arg-type]
        if not isinstance(found, str):
            return False
    return True


def _download(ref: WeightsRef, filename: str, required: bool = True,
              unreachable: bool = False) -> Path | None:
    """One file of ``ref`` through the client; ``unreachable``: the Hub did not answer the
    reachability check, so only the cache is used (and a miss says so at once)."""
    import huggingface_hub
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError

    offline = hub_offline() or unreachable
    try:
        path = huggingface_hub.hf_hub_download(
            repo_id=str(ref.repo_id), filename=filename, subfolder=ref.subfolder,
            revision=ref.revision, local_files_only=offline, **_hub_kwargs())  # type: ignore[arg-type]
    except LocalEntryNotFoundError:  # (a subclass of EntryNotFoundError: caught first)
        if not required:
            return None
        why = (f"the Hub at {_endpoint()} cannot be reached (no network?) and it is not in "
               "the cache; connect, or load it on a machine that can and copy the cache"
               if unreachable else
               "HF_HUB_OFFLINE is set and it is not in the cache" if offline else
               "it is not in the cache and the Hub could not be reached")
        raise WeightsError(f"{ref.text}: cannot get {filename}: {why}") from None
    except EntryNotFoundError:
        if not required:
            return None
        where = f"{ref.subfolder}/{filename}" if ref.subfolder else filename
        raise WeightsError(f"{ref.text}: the repository has no {where} at revision "
                           f"{ref.revision}") from None
    except Exception as exc:  # the client's HTTP/repository errors
        if not required:
            return None
        raise WeightsError(f"{ref.text}: cannot get {filename} "
                           f"({type(exc).__name__}: {' '.join(str(exc).split())[:300]})") from None
    return Path(path)


def _commit_of(path: Path) -> str | None:
    parts = path.parts
    if "snapshots" in parts:
        i = parts.index("snapshots")
        if i + 1 < len(parts) and _COMMIT.match(parts[i + 1]):
            return parts[i + 1]
    return None


def resolve(ref: str) -> ResolvedWeights:
    """Find (downloading if needed) the model folder ``ref`` names and verify its digest."""
    parsed = parse_ref(ref)
    if parsed.source == "hub":
        # one reachability check per ref, and none for a cached pinned commit
        unreachable = not (hub_offline() or _cached_commit(parsed) or hub_reachable())
        cfg = _download(parsed, CONFIG_NAME, unreachable=unreachable)
        weights = _download(parsed, WEIGHTS_NAME, unreachable=unreachable)
        _download(parsed, CARD_NAME, required=False, unreachable=unreachable)
        assert cfg is not None and weights is not None
        folder, revision = weights.parent, _commit_of(weights)
    else:
        folder = Path(parsed.path or "")
        if not folder.is_dir():
            raise WeightsError(f"{ref}: {folder} is not a model folder (expected a directory "
                               f"with {CONFIG_NAME} and {WEIGHTS_NAME})")
        weights, revision = folder / WEIGHTS_NAME, None
        if not weights.is_file():
            raise WeightsError(f"{folder}: missing {WEIGHTS_NAME}")
    digest = file_sha256(weights)
    if parsed.sha256 and digest != parsed.sha256:
        raise WeightsError(f"{weights}: sha256 {digest} does not match the expected "
                           f"{parsed.sha256} from {ref!r} — the file was changed or is "
                           "incomplete")
    recorded = read_config(folder).weights_sha256
    if recorded and digest != recorded:
        raise WeightsError(f"{weights}: sha256 {digest} does not match the weights_sha256 "
                           f"{recorded} recorded in its {CONFIG_NAME} — the file was changed, "
                           "corrupt or truncated")
    return ResolvedWeights(ref=ref, folder=folder, revision=revision, sha256=digest,
                           source=parsed.source)

"""Fixtures for weight tests: toy components registered as a plugin, and a local stand-in for
the Hugging Face Hub that answers the client's file-resolve requests, so the real
``huggingface_hub`` download and cache code runs without a network."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import degsdk
from tests.hub.toy_models import ToyPlugin


@pytest.fixture
def toys(fresh_plugins: None) -> Iterator[None]:
    degsdk.register_plugin(ToyPlugin(), name="toys")
    yield


@dataclass
class FakeHub:
    """Repos: ``files[(repo_id, commit)][path] = bytes``; branches map names to commits."""

    url: str = ""
    files: dict[tuple[str, str], dict[str, bytes]] = field(default_factory=dict)
    branches: dict[tuple[str, str], str] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def add_folder(self, repo_id: str, folder: Path, commit: str, branch: str = "main",
                   prefix: str = "") -> None:
        files = self.files.setdefault((repo_id, commit), {})
        for f in sorted(folder.iterdir()):
            if f.is_file():
                files[prefix + f.name] = f.read_bytes()
        self.branches[(repo_id, branch)] = commit

    def _lookup(self, path: str) -> tuple[int, dict[str, str], bytes]:
        parts = path.lstrip("/").split("/")
        if len(parts) < 5 or parts[2] != "resolve":
            return 404, {"X-Error-Code": "RepoNotFound"}, b""
        repo, rev, name = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
        commit = self.branches.get((repo, rev), rev)
        if not any(r == repo for r, _ in self.files):
            return 404, {"X-Error-Code": "RepoNotFound"}, b""
        if (repo, commit) not in self.files:
            return 404, {"X-Error-Code": "RevisionNotFound"}, b""
        data = self.files[(repo, commit)].get(name)
        if data is None:
            return 404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": commit}, b""
        etag = hashlib.sha256(data).hexdigest()
        return 200, {"X-Repo-Commit": commit, "ETag": f'"{etag}"',
                     "Content-Length": str(len(data)),
                     "Content-Type": "application/octet-stream"}, data


@pytest.fixture
def fake_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A Hub endpoint on 127.0.0.1 (HF_ENDPOINT) with an empty cache (HF_HUB_CACHE)."""
    hub = FakeHub()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, with_body: bool) -> None:
            hub.requests.append((self.command, self.path))
            status, headers, body = hub._lookup(self.path.split("?")[0])
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if status != 200:
                self.send_header("Content-Length", "0")
            self.end_headers()
            if with_body and status == 200:
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self._answer(False)

        def do_GET(self) -> None:
            self._answer(True)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()

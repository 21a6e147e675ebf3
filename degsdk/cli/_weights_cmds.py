"""``degsdk pull REF``, ``degsdk export REF DIR``, ``degsdk push DIR REPO_ID``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..hub import load, push_folder, resolve


def add_parser(sub: Any) -> None:
    p = sub.add_parser("pull", help="fetch weights into the cache and print the local folder",
                       description="Resolve a weights ref (hf://owner/name[@rev][/sub], a "
                       "folder, or a registered name), download it into the Hugging Face "
                       "cache if needed, verify it, and print where it is.")
    p.add_argument("ref")
    p.add_argument("--json", action="store_true", help="print ref, folder, revision, sha256")
    p.set_defaults(run=run_pull)

    p = sub.add_parser("export", help="write a hub-ready model folder (with model card)",
                       description="Load REF strictly and write config.json, "
                       "model.safetensors and README.md into DIR.")
    p.add_argument("ref")
    p.add_argument("dir", type=Path)
    p.add_argument("--repo-id", help="repo id to show in the model card's load example")
    p.set_defaults(run=run_export)

    p = sub.add_parser("push", help="upload a model folder to the Hugging Face Hub",
                       description="Validate DIR as a model folder and upload it to REPO_ID "
                       "(creating the repository if needed) through huggingface_hub.")
    p.add_argument("dir", type=Path)
    p.add_argument("repo_id")
    p.add_argument("--private", action="store_true",
                   help="create the repository as private (if it does not exist)")
    p.add_argument("--message", help="commit message")
    p.set_defaults(run=run_push)


def run_pull(args: argparse.Namespace) -> int:
    r = resolve(args.ref)
    print(json.dumps(r.as_dict(), indent=2) if args.json else r.folder)
    return 0


def run_export(args: argparse.Namespace) -> int:
    obj = load(args.ref)
    provenance = dict(getattr(obj, "_provenance", {}) or {})
    info = obj.weights_info
    provenance.setdefault("exported_from", {"ref": info.ref, "revision": info.revision,
                                            "sha256": info.sha256})
    folder = obj.save_pretrained(args.dir, provenance=provenance, repo_id=args.repo_id)
    print(f"wrote {folder}/ (config.json, model.safetensors, README.md)")
    return 0


def run_push(args: argparse.Namespace) -> int:
    print(push_folder(args.dir, args.repo_id, private=args.private,
                      commit_message=args.message))
    return 0

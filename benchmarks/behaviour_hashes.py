"""Hash what degsdk makes, to prove a refactor preserved behaviour.

For every committed recipe (run on the committed sample photos, ``--limit`` samples each) it
hashes the written hr/ and lr/ files and manifest.jsonl; for every registered degrader it
hashes the LR bytes and the params JSON on fixed inputs (the sample photos, cropped) with a
fixed seed and indices. Learned degraders use their shipped weights.

    .venv/bin/python benchmarks/behaviour_hashes.py                  # compare with the record
    .venv/bin/python benchmarks/behaviour_hashes.py --write          # record anew

The record is ``benchmarks/behaviour_hashes.json``, made before the platform refactor
(issue 15). A difference is allowed only where a degrader's ``version`` was bumped on purpose
(``CHANGED_ON_PURPOSE`` below, named in docs/benchmarks.md, and only in the field it names);
the script prints every other entry that differs and exits 1.

Uses only the top-level API (``degsdk.create``, ``degsdk.Recipe``, ``degsdk.read_image``), so
the same script runs before and after a change of module layout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch

import degsdk

REPO = Path(__file__).resolve().parents[1]
RECORD = Path(__file__).with_suffix(".json")
SEED = 1234
INDICES = [3, 0, 11, 5]
SIZE = 192

# Degraders that cannot be made from their defaults alone: the parameters used here.
PARAMS: dict[str, dict[str, Any]] = {
    "sequential": {"ops": [{"name": "gaussian_blur", "params": {"sigma": [0.5, 2]}},
                           {"name": "resize", "params": {"factor": 0.5}},
                           {"name": "gaussian_noise", "params": {"sigma": [1, 10]}}]},
    "one_of": {"ops": [{"name": "gaussian_blur", "params": {"sigma": [0.5, 2]}},
                       {"name": "jpeg", "params": {"quality": [30, 90]}}],
               "probs": [0.3, 0.7]},
    "random_apply": {"op": {"name": "gaussian_noise", "params": {"sigma": [1, 10]}}, "p": 0.5},
    "shuffle": {"ops": [{"name": "gaussian_blur", "params": {"sigma": [0.5, 2]}},
                        {"name": "gaussian_noise", "params": {"sigma": [1, 10]}},
                        {"name": "resize", "params": {"factor": 0.5}}]},
    "dml": {"weights": "dml/city100"},
    "deflow": {"weights": "deflow/realsrset"},
    "binned": {"weights": "crafting/realsrset"},
    "interflow": {"weights": "interflow/camera24"},
    "realdgen": {"weights": "realdgen/x4", "sampler": "ddim", "ddim_steps": 5},
}


# Entries that changed on purpose since the record (each named in docs/benchmarks.md): what
# may differ, and why. Everything else must be byte-identical.
CHANGED_ON_PURPOSE: dict[str, tuple[str, str, dict[str, Any]]] = {
    "degraders/bsrgan": ("params_sha256", "version 2 (the default) records the op order by "
                         "name; the draws and the LR are version 1's", {"version": "1"}),
    "degraders/bsrgan_plus": ("params_sha256", "version 2 (the default) records the op order "
                              "by name; the draws and the LR are version 1's", {"version": "1"}),
    "degraders/deflow": ("lr_sha256", "version 2 (the default) runs the batch as one batch, "
                         "within its batch_tolerance 1e-5 of version 1; the 8-bit recipe "
                         "outputs are unchanged", {"version": "1"}),
}
"""entry → (the one field that may differ, why, the parameters that give the recorded bytes)."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _inputs() -> torch.Tensor:
    photos = sorted((REPO / "samples" / "hr").glob("*.png"))
    crops = [degsdk.read_image(p)[None, :, :SIZE, :SIZE] for p in photos]
    return torch.cat(crops)


def degrader_hashes(names: list[str] | None = None,
                    extra: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    hr = _inputs()
    out: dict[str, Any] = {}
    for name in sorted(degsdk.list_degraders()) if names is None else names:
        params = {**PARAMS.get(name, {}), **(extra or {}).get(name, {})}
        try:
            deg = degsdk.create(name, **params)
        except degsdk.DegsdkError as exc:  # e.g. a plugin's weights are not installed
            out[name] = {"skipped": str(exc).splitlines()[0]}
            continue
        try:
            with torch.no_grad():
                res = deg(hr, seed=SEED, indices=INDICES)
        except degsdk.DegsdkError as exc:  # e.g. needs an input this script does not give
            out[name] = {"skipped": str(exc).splitlines()[0]}
            continue
        out[name] = {
            "lr_sha256": _sha(res.lr.contiguous().numpy().tobytes()),
            "params_sha256": _sha(json.dumps(res.params, sort_keys=True).encode()),
        }
    return out


def recipe_hashes(limit: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted((REPO / "recipes").glob("*.yaml")):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                recipe = degsdk.Recipe.from_yaml(path, sets=[
                    f"output.dir={tmp}/out", "run.workers=1",
                    "inputs.0.path=" + str(REPO / "samples" / "hr")])
            except degsdk.DegsdkError as exc:
                out[path.name] = {"skipped": str(exc).splitlines()[0]}
                continue
            recipe.run(limit=limit, progress=False)
            root = Path(tmp) / "out"
            files = sorted(p for p in root.rglob("*")
                           if p.is_file() and (p.parent.name in ("hr", "lr", "HR", "LR")
                                               or p.name == "manifest.jsonl"))
            out[path.name] = {str(p.relative_to(root)): _sha(p.read_bytes()) for p in files}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="record the hashes anew")
    ap.add_argument("--limit", type=int, default=4, help="samples per recipe")
    ap.add_argument("--record", type=Path, default=RECORD, help="the record to compare with "
                    "or write (default: %(default)s)")
    args = ap.parse_args(argv)
    now = {"degraders": degrader_hashes(), "recipes": recipe_hashes(args.limit)}
    if args.write:
        args.record.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"wrote {args.record}")
        return 0
    before = json.loads(args.record.read_text())
    diffs, intended = [], []
    for section in ("degraders", "recipes"):
        for key in sorted(set(before[section]) | set(now[section])):
            a, b = before[section].get(key), now[section].get(key)
            if a == b:
                continue
            entry = f"{section}/{key}"
            if entry in CHANGED_ON_PURPOSE and a is not None and b is not None:
                field, why, old_params = CHANGED_ON_PURPOSE[entry]
                name = key
                before_again = degrader_hashes([name], {name: old_params})[name]
                if before_again == a and {k: v for k, v in a.items() if k != field} == {
                        k: v for k, v in b.items() if k != field}:
                    intended.append(f"{entry}: {field} changed on purpose: {why}; with "
                                    f"{old_params} it gives the recorded bytes")
                    continue
            what = "added" if a is None else "removed" if b is None else "differs"
            diffs.append(f"{entry}: {what}")
    n = sum(len(now[s]) for s in now)
    print(f"{n - len(diffs) - len(intended)} of {n} entries identical to the record")
    for line in intended + diffs:
        print("  " + line)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())

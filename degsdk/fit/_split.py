"""The held-out split of ``degsdk fit``: part of the pairs and of the real LR is kept for
scoring and never shown to a fitter. Files are grouped by content (sha256), so an image given
both as a pair's LR and as unpaired real LR lands on the same side; the order comes from
``sha256(seed:digest)``, so the split does not depend on file names or listing order.

The two sides are materialised as folders (symbolic links, copies where links fail) under
``out/split/``: ``real_lr_fit/``, ``real_lr_heldout/`` (held-out real LR plus the LR of the
held-out pairs), ``pairs_fit/{hr,lr}/`` and ``pairs_heldout/{hr,lr}/``."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import ConfigError
from ..hub._model_folder import file_sha256
from ..io import ImagePair, find_pairs, image_size, list_images


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes (hex)."""
    return file_sha256(path)


def _order(seed: int, digest: str) -> str:
    return hashlib.sha256(f"{seed}:{digest}".encode()).hexdigest()


def held_out_count(n: int, fraction: float) -> int:
    """How many of ``n`` items are held out: ``round(fraction·n)``, at least 1 and at most
    n − 1 when n ≥ 2; none of a single item."""
    if n < 2 or fraction <= 0:
        return 0
    return min(n - 1, max(1, round(fraction * n)))


@dataclass
class Split:
    """Which files fit and which score. Pairs are ``ImagePair``s; real LR are paths."""

    fit_pairs: list[ImagePair]
    heldout_pairs: list[ImagePair]
    fit_real_lr: list[Path]
    heldout_real_lr: list[Path]
    pair_scale: int | None

    def as_dict(self) -> dict[str, Any]:
        """File names on each side (for ``fit.json`` and the report)."""
        return {"pairs_fit": [p.name for p in self.fit_pairs],
                "pairs_heldout": [p.name for p in self.heldout_pairs],
                "real_lr_fit": [p.name for p in self.fit_real_lr],
                "real_lr_heldout": [p.name for p in self.heldout_real_lr],
                "pair_scale": self.pair_scale}


def split_data(real_lr: Path, pairs: Path | None, holdout: float, seed: int) -> Split:
    """Split the pairs folder and the real LR folder (module doc)."""
    all_pairs = find_pairs(pairs) if pairs is not None else []
    pair_scale = None
    if all_pairs:
        pair_scale = image_size(all_pairs[0].hr)[1] // image_size(all_pairs[0].lr)[1]
    pair_digest = {p.name: file_digest(p.lr) for p in all_pairs}
    ordered = sorted(all_pairs, key=lambda p: _order(seed, pair_digest[p.name]))
    n_hold = held_out_count(len(ordered), holdout)
    heldout_pairs, fit_pairs = ordered[:n_hold], ordered[n_hold:]
    held_digests = {pair_digest[p.name] for p in heldout_pairs}
    fit_digests = {pair_digest[p.name] for p in fit_pairs}

    files = list_images([real_lr])
    digest = {f: file_digest(f) for f in files}
    fixed_held = [f for f in files if digest[f] in held_digests]
    fixed_fit = [f for f in files if digest[f] in fit_digests]
    free = sorted((f for f in files if f not in fixed_held and f not in fixed_fit),
                  key=lambda f: _order(seed, digest[f]))
    want = held_out_count(len(files), holdout)
    n_free = max(0, min(len(free), want - len(fixed_held)))
    if not fixed_fit and free and n_free == len(free):
        n_free -= 1  # keep at least one real LR to fit from
    heldout_real = sorted(fixed_held + free[:n_free])
    fit_real = sorted(fixed_fit + free[n_free:])
    if not fit_real:
        raise ConfigError(f"--real-lr {real_lr}: {len(files)} image(s) leave none to fit "
                          "from after holding some out for scoring; give at least 2")
    if not heldout_real and not heldout_pairs:
        raise ConfigError(f"--real-lr {real_lr}: {len(files)} image(s) leave none held out "
                          "for scoring; give at least 2")
    return Split(sorted(fit_pairs, key=lambda p: p.name),
                 sorted(heldout_pairs, key=lambda p: p.name), fit_real, heldout_real,
                 pair_scale)


def _place(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists() or dst.is_symlink():
        dst.unlink()
    try:
        os.symlink(src.resolve(), dst)
    except OSError:
        shutil.copy2(src, dst)


def _place_pairs(pairs: list[ImagePair], folder: Path) -> None:
    for p in pairs:
        _place(p.hr, folder / "hr" / p.hr.name)
        _place(p.lr, folder / "lr" / p.lr.name)


@dataclass(frozen=True)
class SplitFolders:
    """The materialised split (module doc); a folder is None when its side is empty."""

    real_lr_fit: Path
    real_lr_heldout: Path
    pairs_fit: Path | None
    pairs_heldout: Path | None


def materialize(split: Split, root: Path) -> SplitFolders:
    """Write the split's folders under ``root`` (replacing what an earlier run left)."""
    if root.exists():
        shutil.rmtree(root)
    for f in split.fit_real_lr:
        _place(f, root / "real_lr_fit" / f.name)
    for f in split.heldout_real_lr:
        _place(f, root / "real_lr_heldout" / f.name)
    held_real = {file_digest(f) for f in split.heldout_real_lr}
    for p in split.heldout_pairs:  # the held-out pairs' LR are held-out real LR too
        if file_digest(p.lr) not in held_real:
            _place(p.lr, root / "real_lr_heldout" / f"pair_{p.lr.name}")
    pf = ph = None
    if split.fit_pairs:
        pf = root / "pairs_fit"
        _place_pairs(split.fit_pairs, pf)
    if split.heldout_pairs:
        ph = root / "pairs_heldout"
        _place_pairs(split.heldout_pairs, ph)
    return SplitFolders(root / "real_lr_fit", root / "real_lr_heldout", pf, ph)

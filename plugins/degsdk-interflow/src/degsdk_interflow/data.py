"""Aligned multi-level training data: for every scene one HR image and one LR image per zoom
level, each LR registered to its HR (same size), as RealSR v2 stores them.

Three readers give a :class:`MultiLevelSet`:

- :func:`from_folders` — an HR folder and one LR folder per level, matched by file name (the
  extension may differ);
- :func:`from_realsr` — the RealSR v2 layout ``<root>/<Camera>/<Split>/<level>/
  <Camera>_<id>_HR.png`` and ``…_LR<level>.png``; a scene's HR must be the same at every level
  (scenes whose HR differs between levels are left out with a warning);
- :func:`from_level_pairs` — ``degsdk fit``'s ``--levels``: one paired folder (hr/ + lr/) per
  level.

Every mismatch (a missing file, an LR not at its HR's size) is a ``PairingError`` naming the
file.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from degsdk import PairingError
from degsdk.io import find_pairs, image_size, list_images, pair_dirs, read_image
from degsdk.training import random_crops


@dataclass
class MultiLevelSet:
    """``levels`` (increasing); ``names[i]``'s HR ``hr[i]`` (3×H×W) and LR ``lr[i][k]`` at
    ``levels[k]`` (3×H×W, registered to the HR)."""

    levels: list[float]
    names: list[str]
    hr: list[Tensor]
    lr: list[list[Tensor]]

    def __len__(self) -> int:
        return len(self.names)

    def smallest_side(self) -> int:
        return min(min(x.shape[-2:]) for x in self.hr)


def _check_levels(levels: list[float]) -> list[float]:
    if len(levels) < 2:
        raise PairingError(f"InterFlow needs at least 2 zoom levels, got {levels}")
    if any(s <= 0 for s in levels) or len(set(levels)) != len(levels):
        raise PairingError(f"zoom levels must be distinct and positive, got {levels}")
    return sorted(levels)


def _stems(folder: Path) -> dict[str, Path]:
    files = list_images([folder])
    if not files:
        raise PairingError(f"{folder}: no images")
    return {f.stem: f for f in files}


def _load(names: list[str], hr_files: list[Path], lr_files: list[list[Path]],
          levels: list[float]) -> MultiLevelSet:
    hr, lr = [], []
    for h_path, row in zip(hr_files, lr_files, strict=True):
        size = image_size(h_path)
        for level, p in zip(levels, row, strict=True):
            if image_size(p) != size:
                raise PairingError(f"{p}: level {level:g} LR is {image_size(p)[1]}×"
                                   f"{image_size(p)[0]}, its HR {h_path.name} is {size[1]}×"
                                   f"{size[0]}; InterFlow needs each LR registered to its HR "
                                   "at the HR's size (upscale it to the HR grid first)")
        hr.append(read_image(h_path))
        lr.append([read_image(p) for p in row])
    return MultiLevelSet(levels, names, hr, lr)


def from_folders(hr: str | Path, levels: Mapping[float, str | Path]) -> MultiLevelSet:
    """HR folder ``hr`` and ``levels`` {zoom level: LR folder}, matched by file name."""
    order = _check_levels([float(s) for s in levels])
    hr_files = _stems(Path(hr))
    lr_by_level = {float(s): _stems(Path(d)) for s, d in levels.items()}
    for s in order:
        missing = sorted(set(hr_files) - set(lr_by_level[s]))
        if missing:
            raise PairingError(f"{levels[s]}: no level {s:g} LR for HR "
                               f"{', '.join(hr_files[n].name for n in missing[:5])}"
                               + (" …" if len(missing) > 5 else ""))
    names = sorted(hr_files)
    return _load(names, [hr_files[n] for n in names],
                 [[lr_by_level[s][n] for s in order] for n in names], order)


_REALSR_FILE = re.compile(r"^(?P<scene>.+)_(?P<kind>HR|LR(?P<level>\d+(?:\.\d+)?))$")


def _realsr_level(root: Path, cameras: list[Path], split: str
                  ) -> dict[float, dict[str, tuple[Path, Path]]]:
    """{level: {"<Camera>/<scene>": (HR, LR)}} of the RealSR v2 tree (module doc)."""
    out: dict[float, dict[str, tuple[Path, Path]]] = {}
    for cam in cameras:
        base = cam / split
        if not base.is_dir():
            raise PairingError(f"{base}: not found (expected <root>/<Camera>/{split}/<level>/)")
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            try:
                level = float(folder.name)
            except ValueError:
                continue
            files: dict[str, dict[str, Path]] = {}
            for f in list_images([folder]):
                m = _REALSR_FILE.match(f.stem)
                if m:
                    files.setdefault(m["scene"], {})["HR" if m["kind"] == "HR" else "LR"] = f
            for scene, kinds in sorted(files.items()):
                if set(kinds) != {"HR", "LR"}:
                    raise PairingError(f"{folder}: scene {scene} has no "
                                       f"{'LR' if 'HR' in kinds else 'HR'} image")
                out.setdefault(level, {})[f"{cam.name}/{scene}"] = (kinds["HR"], kinds["LR"])
    return out


def _cameras(root: Path, camera: str | None, split: str) -> list[Path]:
    """The camera folders to read: ``camera``, or every folder with a ``split`` sub-folder."""
    if not root.is_dir():
        raise PairingError(f"{root}: not a folder (expected a RealSR v2 root)")
    if camera:
        return [root / camera]
    found = sorted(p for p in root.iterdir() if (p / split).is_dir())
    if not found:
        raise PairingError(f"{root}: no <Camera>/{split}/ folder (RealSR v2 layout: "
                           f"<root>/Canon/{split}/2/Canon_001_HR.png, …)")
    return found


def from_realsr(root: str | Path, camera: str | None = None, split: str = "Train",
                levels: list[float] | None = None) -> MultiLevelSet:
    """The RealSR v2 layout under ``root`` (module doc). ``camera``: e.g. ``Canon`` or
    ``Nikon`` (default: every camera folder); ``levels``: which level folders (default: all)."""
    root = Path(root)
    tree = _realsr_level(root, _cameras(root, camera, split), split)
    missing = [s for s in levels or () if s not in tree]
    if missing:
        raise PairingError(f"{root}: no level folder {missing} under <Camera>/{split}/ "
                           f"(found {sorted(tree)})")
    order = _check_levels(list(levels) if levels else sorted(tree))
    names, hr_files, lr_files, differ = [], [], [], []
    for name in sorted(set.intersection(*(set(tree[s]) for s in order))):
        first = tree[order[0]][name][0]
        if not _same_image(first, [tree[s][name][0] for s in order[1:]]):
            differ.append(name)
            continue
        names.append(name)
        hr_files.append(first)
        lr_files.append([tree[s][name][1] for s in order])
    if differ:
        warnings.warn(f"{root}: {len(differ)} scenes have a different HR at each level and are "
                      f"left out ({', '.join(differ[:5])}{' …' if len(differ) > 5 else ''}); "
                      "InterFlow needs one HR per scene for all levels", stacklevel=2)
    if not names:
        raise PairingError(f"{root}: no scene has the same HR at levels {order}")
    return _load(names, hr_files, lr_files, order)


def _same_image(first: Path, others: list[Path]) -> bool:
    """True when every file of ``others`` holds the pixels of ``first`` (read once)."""
    if any(image_size(p) != image_size(first) for p in others):
        return False
    ref = read_image(first)
    return all(torch.equal(read_image(p), ref) for p in others)


def one_level_realsr(root: str | Path, level: float, camera: str | None = None,
                     split: str = "Train") -> MultiLevelSet:
    """The scenes of one RealSR level (its HR and LR), e.g. a held-out level to calibrate on."""
    root = Path(root)
    tree = _realsr_level(root, _cameras(root, camera, split), split)
    if float(level) not in tree:
        raise PairingError(f"{root}: no level {level:g} folder under <Camera>/{split}/")
    scenes = tree[float(level)]
    names = sorted(scenes)
    return _load(names, [scenes[n][0] for n in names], [[scenes[n][1]] for n in names],
                 [float(level)])


def one_level_folders(hr: str | Path, level: float, folder: str | Path) -> MultiLevelSet:
    """HR folder ``hr`` and one LR folder of ``level``, matched by name (a held-out level)."""
    hr_files, lr_files = _stems(Path(hr)), _stems(Path(folder))
    names = sorted(set(hr_files) & set(lr_files))
    if not names:
        raise PairingError(f"{folder}: no image name matches one in {hr}")
    return _load(names, [hr_files[n] for n in names], [[lr_files[n]] for n in names],
                 [float(level)])


def from_level_pairs(levels: Mapping[float, str | Path]) -> MultiLevelSet:
    """``degsdk fit``'s ``--levels``: {level: paired folder of aligned hr/ + lr/}; the scenes
    present at every level, with the HR of the lowest level (each level's HR must have the
    same size)."""
    order = _check_levels([float(s) for s in levels])
    by_level = {float(s): {p.name: p for p in find_pairs(d, scale=1)} for s, d in levels.items()}
    common = sorted(set.intersection(*(set(v) for v in by_level.values())))
    if not common:
        raise PairingError("--levels: no scene name is present at every level "
                           f"({', '.join(f'{s:g}={levels[s]}' for s in order)})")
    for s in order[1:]:
        for n in common:
            a, b = by_level[order[0]][n].hr, by_level[s][n].hr
            if image_size(a) != image_size(b):
                raise PairingError(f"{b}: HR size differs from {a} (level {order[0]:g}); the "
                                   "levels must share one HR per scene")
    return _load(common, [by_level[order[0]][n].hr for n in common],
                 [[by_level[s][n].lr for s in order] for n in common], order)


def is_paired(folder: str | Path) -> bool:
    """True when ``folder`` holds hr/ and lr/ sub-folders."""
    try:
        pair_dirs(folder)
    except PairingError:
        return False
    return True


def one_level_pairs(level: float, folder: str | Path) -> MultiLevelSet:
    """A paired folder (aligned hr/ + lr/) of one level (a held-out level)."""
    pairs = find_pairs(folder, scale=1)
    return _load([p.name for p in pairs], [p.hr for p in pairs], [[p.lr] for p in pairs],
                 [float(level)])


def random_batch(data: MultiLevelSet, n: int, patch: int,
                 g: torch.Generator) -> tuple[Tensor, Tensor]:
    """``n`` aligned random ``patch``² crops: (HR N×3×p×p, LR N×levels×3×p×p), each with one
    random flip/transpose applied to the HR and all its levels alike (the core sampler)."""
    hr, *lrs = random_crops([(h, *lr) for h, lr in zip(data.hr, data.lr, strict=True)], n,
                            patch, g, flips="dihedral")
    return hr, torch.stack(lrs, 1)

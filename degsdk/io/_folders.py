"""Image lists from files and folders, and paired HR/LR folders (``hr/`` + ``lr/``, or
``HR/`` + ``LR/``, as earlier degsdk runs and many SR sets name them) matched by file
name."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._errors import ImageReadError, PairingError
from ._image import READ_EXTENSIONS, image_size

_PAIR_DIRS = (("hr", "lr"), ("HR", "LR"))
_MAX_LISTED = 8


def pair_folders(out: Path) -> tuple[str, str]:
    """The HR and LR sub-folder names to write pairs under ``out``: ``hr``, ``lr`` (what every
    degsdk command writes), or ``HR``, ``LR`` when ``out`` already has ``HR/`` (a run an earlier
    degsdk started, being resumed)."""
    return ("HR", "LR") if (out / "HR").is_dir() and not (out / "hr").is_dir() else ("hr", "lr")


def is_image_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in READ_EXTENSIONS and not path.name.startswith(
        ".")


def list_images(inputs: Iterable[str | os.PathLike[str]], recursive: bool = False) -> list[Path]:
    """Image files named by ``inputs`` (files, or folders scanned for image extensions),
    folders in sorted order. Raises ``ImageReadError`` for a missing path or an empty folder."""
    out: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(f for f in (p.rglob("*") if recursive else p.iterdir())
                           if is_image_file(f))
            if not found:
                raise ImageReadError(f"{p}: folder holds no images ({', '.join(READ_EXTENSIONS)})")
            out.extend(found)
        elif p.is_file():
            if p.suffix.lower() not in READ_EXTENSIONS:
                raise ImageReadError(f"{p}: unsupported image type {p.suffix or '(none)'}; "
                                     f"expected one of {', '.join(READ_EXTENSIONS)}")
            out.append(p)
        else:
            raise ImageReadError(f"{p}: no such file or folder")
    return out


@dataclass(frozen=True)
class ImagePair:
    """One HR/LR pair of a paired folder."""

    name: str
    hr: Path
    lr: Path


def _by_stem(folder: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for f in sorted(folder.iterdir()):
        if not is_image_file(f):
            continue
        if f.stem in files:
            raise PairingError(f"{folder}: two images share the name {f.stem!r} "
                               f"({files[f.stem].name}, {f.name}); names must be unique")
        files[f.stem] = f
    return files


def _listing(names: Iterable[str]) -> str:
    names = sorted(names)
    more = f" … and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
    return ", ".join(names[:_MAX_LISTED]) + more


def pair_dirs(root: str | os.PathLike[str]) -> tuple[Path, Path]:
    """The (hr, lr) sub-folders of a paired folder."""
    r = Path(root)
    if not r.exists():
        raise PairingError(f"{r}: does not exist; expected a paired folder (hr/ + lr/)")
    if not r.is_dir():
        raise PairingError(f"{r}: is a file; expected a paired folder (hr/ + lr/)")
    for hr, lr in _PAIR_DIRS:
        if (r / hr).is_dir() and (r / lr).is_dir():
            return r / hr, r / lr
        if (r / hr).is_dir() or (r / lr).is_dir():
            have, lack = (hr, lr) if (r / hr).is_dir() else (lr, hr)
            raise PairingError(f"{r}: has {have}/ but no {lack}/; a paired folder needs both, "
                               "with matching file names")
    raise PairingError(f"{r}: not a paired folder; expected sub-folders hr/ and lr/ (or HR/ "
                       "and LR/) with matching file names")


def find_pairs(root: str | os.PathLike[str], scale: int | None = None) -> list[ImagePair]:
    """Match ``root/hr/*`` with ``root/lr/*`` by file name (extension may differ).

    Every HR size must be ``scale`` × its LR size (``scale`` inferred from the first pair
    when None; 1 for aligned same-size pairs). Mismatched names or sizes raise
    ``PairingError`` naming the files.
    """
    hr_dir, lr_dir = pair_dirs(root)
    hr, lr = _by_stem(hr_dir), _by_stem(lr_dir)
    only_hr, only_lr = set(hr) - set(lr), set(lr) - set(hr)
    if only_hr or only_lr:
        parts = []
        if only_hr:
            parts.append(f"in {hr_dir.name}/ only: {_listing(only_hr)}")
        if only_lr:
            parts.append(f"in {lr_dir.name}/ only: {_listing(only_lr)}")
        raise PairingError(f"{Path(root)}: file names do not match ({'; '.join(parts)})")
    if not hr:
        raise PairingError(f"{Path(root)}: {hr_dir.name}/ and {lr_dir.name}/ hold no images")
    pairs = [ImagePair(n, hr[n], lr[n]) for n in sorted(hr)]
    bad = []
    for pair in pairs:
        (hh, hw), (lh, lw) = image_size(pair.hr), image_size(pair.lr)
        ok_ratio = lh > 0 and lw > 0 and hh % lh == 0 and hw % lw == 0 and hh // lh == hw // lw
        if scale is None and ok_ratio:
            scale = hh // lh
        if not ok_ratio or hh != lh * scale or hw != lw * scale:
            bad.append(f"{pair.name} (hr {hw}×{hh}, lr {lw}×{lh})")
    if bad:
        raise PairingError(f"{Path(root)}: HR/LR sizes do not match the scale ×{scale}: "
                           f"{_listing(bad)}")
    return pairs

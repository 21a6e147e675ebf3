"""``degsdk degrade INPUT... --out DIR (--with NAME [--set k=v ...] | --config FILE) --seed S``

Writes a paired folder ``DIR/hr`` + ``DIR/lr`` (PNG), ``DIR/params.json`` (the pipeline config,
the seed and every image's drawn parameters, enough to replay each LR exactly),
``DIR/card.json`` (the degradation card: pipeline, ranges, draws, versions, hashes) and, with
``--contact-sheet``, ``DIR/contact_sheet.png``. Everything is checked before any work starts,
and written to a staging folder that is moved into place only when every image succeeded.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .._bounded import load_yaml
from .._components import create
from .._config import from_config, load_config
from .._contact_sheet import contact_sheet
from .._errors import ConfigError, DegsdkError, ImageReadError
from .._interfaces import Degrader
from .._quote import quote
from .._threads import use_threads
from ..io import image_size, list_images, read_image, staged_folder, write_image, write_text_atomic
from ..recipes._card import CARD_NAME, card_text, degradation_card, file_sha256


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "degrade", help="degrade images into an HR/LR paired folder",
        description="Degrade image files/folders with a registered degrader or a pipeline "
        "config, writing OUT/hr, OUT/lr and OUT/params.json.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files or folders")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--with", dest="name", help="registered degrader name (degsdk plugins)")
    what.add_argument("--config", type=Path, help="degrader config YAML ({name, params})")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="set a top-level parameter (YAML value, e.g. sigma=[1,3]); repeatable")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0); image k in sorted "
                   "input order uses sample index k")
    p.add_argument("--bit-depth", type=int, choices=(8, 16), default=8,
                   help="PNG bit depth of the outputs (default 8: a 16-bit input is written "
                   "as 8-bit unless --bit-depth 16)")
    p.add_argument("--mod-crop", action="store_true",
                   help="crop each input (top-left) to a size the degrader's scale divides, "
                   "instead of failing")
    p.add_argument("--contact-sheet", action="store_true",
                   help="also write OUT/contact_sheet.png (HR beside LR)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="torch CPU threads (default: the cores not busy now, or "
                   "$DEGSDK_THREADS)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace OUT's hr/, lr/, params.json and contact_sheet.png when OUT is "
                   "not empty (default: refuse a non-empty OUT)")
    p.set_defaults(run=run)


OUTPUTS = ("hr", "lr", "params.json", CARD_NAME, "contact_sheet.png")
"""What ``degsdk degrade`` writes into OUT (and ``--overwrite`` replaces)."""


def parse_sets(sets: list[str]) -> dict[str, Any]:
    """``["k=v", ...]`` → ``{k: yaml(v)}``."""
    out: dict[str, Any] = {}
    for item in sets:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set {quote(item)}: expected KEY=VALUE")
        out[key.strip()] = load_yaml(value, f"--set {quote(key.strip(), 60)}")
    return out


def build_degrader(args: argparse.Namespace) -> Degrader:
    overrides = parse_sets(args.sets)
    if args.config is not None:
        cfg = load_config(args.config)
        if overrides:
            params = dict(cfg.get("params") or {})
            params.update(overrides)
            cfg = {**cfg, "params": params}
        return from_config(cfg, where=str(args.config))
    return create(args.name, **overrides)


def _crop_size(deg: Degrader, h: int, w: int, mod_crop: bool, path: Path) -> tuple[int, int]:
    try:
        deg.output_size(h, w)
        return h, w
    except DegsdkError as exc:
        if not mod_crop:
            raise ImageReadError(f"{path}: {exc} (or pass --mod-crop)") from None
    m = round(deg.scale) if abs(deg.scale - round(deg.scale)) < 1e-6 else None
    if m is None or m < 1:
        raise ImageReadError(f"{path}: --mod-crop needs an integer scale, got {deg.scale:g}")
    ch, cw = h - h % m, w - w % m
    if ch < m or cw < m:
        raise ImageReadError(f"{path}: {h}×{w} pixels is smaller than the degrader's scale "
                             f"{m}; --mod-crop would leave nothing (use a larger image)")
    try:
        deg.output_size(ch, cw)
    except DegsdkError as exc:
        raise ImageReadError(f"{path}: {exc}") from None
    return ch, cw


def _card(deg: Degrader, args: argparse.Namespace, files: list[Path], staging: Path,
          record: dict[str, Any]) -> dict[str, Any]:
    """The degradation card of the pairs written to ``staging``."""
    outputs = {sub: [(f"{sub}/{f.stem}.png", file_sha256(staging / sub / f"{f.stem}.png"))
                     for f in files] for sub in ("hr", "lr")}
    return degradation_card(
        name=args.out.name, made_by="degsdk degrade", degrader=record["degrader"],
        hr_transform=None, scale=round(deg.scale), seeds={"seed": args.seed},
        weights=[m.weights_info.as_dict() for m in deg.modules()
                 if getattr(m, "weights_info", None) is not None],
        inputs=[(f.name, file_sha256(f)) for f in files], outputs=outputs,
        params=[v["params"] for v in record["images"].values()], file_format="png",
        bit_depth=args.bit_depth)


def run(args: argparse.Namespace) -> int:
    with use_threads(args.threads):
        return _degrade(args)


def _degrade(args: argparse.Namespace) -> int:
    deg = build_degrader(args)
    files = list_images(args.inputs)
    stems: dict[str, Path] = {}
    for f in files:
        if f.stem in stems:
            raise ImageReadError(f"{f}: output name {f.stem}.png clashes with {stems[f.stem]}")
        stems[f.stem] = f
    # Check every input's size before doing any work.
    sizes = [_crop_size(deg, *image_size(f), args.mod_crop, f) for f in files]

    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not args.overwrite:
        raise ConfigError(f"--out {out}: is not empty; choose an empty folder, or pass "
                          "--overwrite to replace its hr/, lr/ and params.json (a mix of two "
                          "runs would not be one dataset)")
    replace = OUTPUTS if args.overwrite else ()
    with staged_folder(out, replace=replace) as staging:
        record: dict[str, Any] = {"degrader": deg.to_config(), "seed": args.seed, "images": {}}
        sheet_rows = []
        for index, (f, (h, w)) in enumerate(
                tqdm(list(zip(files, sizes, strict=True)), desc="degrade", unit="img",
                     disable=None)):
            hr = read_image(f)[None, :, :h, :w].contiguous()
            result = deg(hr, seed=args.seed, indices=[index])
            write_image(staging / "hr" / f"{f.stem}.png", hr[0], args.bit_depth)
            write_image(staging / "lr" / f"{f.stem}.png", result.lr[0], args.bit_depth)
            record["images"][f.stem] = {"source": str(f), "index": index,
                                        "params": result.params[0]}
            if args.contact_sheet:
                sheet_rows.append((f.stem, hr[0], result.lr[0]))
        write_text_atomic(staging / "params.json", json.dumps(record, indent=2) + "\n")
        write_text_atomic(staging / CARD_NAME, card_text(_card(deg, args, files, staging,
                                                               record)))
        if args.contact_sheet:
            contact_sheet(sheet_rows).save(staging / "contact_sheet.png")
    print(f"wrote {len(files)} HR/LR pairs to {out}/ (hr/, lr/, params.json, card.json"
          f"{', contact_sheet.png' if args.contact_sheet else ''})")
    return 0


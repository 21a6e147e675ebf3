"""Execute a recipe: plan → degrade in batches (in-process, worker processes, or Ray) → write
``hr/``, ``lr/``, ``meta_info.txt``, ``manifest.jsonl``, ``run.json`` and ``preview.png``.

Sample *i*'s files depend only on (recipe, seed, i): the degrader draws from
``(seed, i)``, the optional ``hr_transform`` from
``(derive_seed(seed, 0, Stream.HR_TRANSFORM), i)``, every worker runs torch with one intra-op
thread, and nothing written carries a timestamp. Each file is written atomically and each
finished sample leaves a record in ``.degsdk-run/``, so
``resume=True`` completes an interrupted run without redoing finished samples; the finished
set is byte-identical to an uninterrupted run.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml
from tqdm import tqdm

from .._config import from_config
from .._contact_sheet import contact_sheet
from .._errors import ConfigError, WriteError
from .._quote import quote
from ..io._atomic import write_text_atomic
from ..io._folders import pair_folders
from ..io._image import read_image
from ..seeding import Stream, derive_seed
from ._card import CARD_NAME, card_text, degradation_card, file_sha256, software_versions
from ._plan import Sample, count_estimate, plan
from ._schema import RecipeSpec
from ._worker import STATE_DIR, _canonical, _sha, clear_worker, degrade_batch, init_worker


@dataclass(frozen=True)
class RunSummary:
    """What a run did."""

    samples: int
    skipped: int
    seconds: float
    output: Path

    @property
    def throughput(self) -> float:
        done = self.samples - self.skipped
        return done / self.seconds if self.seconds > 0 else 0.0


def recipe_record(recipe: RecipeSpec) -> dict[str, Any]:
    """The recipe as recorded in ``run.json``: everything that determines the output bytes —
    not ``run`` (how it is computed) nor ``output.dir`` (where it is; a set can move)."""
    d = recipe.model_dump(mode="json", exclude={"run"})
    d["output"].pop("dir", None)
    return d


def recipe_identity(recipe: RecipeSpec) -> str:
    """Hash of ``recipe_record``."""
    return _sha(_canonical(recipe_record(recipe)).encode())


# ----------------------------------------------------------------------------- main side
def _indented(config: dict[str, Any]) -> str:
    """A config as YAML nested under its heading (valid YAML as a whole, copy-pasteable)."""
    text = yaml.safe_dump(config, sort_keys=False).rstrip()
    return "\n".join("  " + line for line in text.splitlines())


class RecipeRunner:
    """Runs one recipe; see ``run``."""

    def __init__(self, recipe: RecipeSpec, limit: int | None = None, threads: int = 1) -> None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ConfigError(f"threads must be a whole number ≥ 1, got {quote(threads)}")
        self.recipe = recipe
        self.limit = limit
        self.threads = threads
        """torch threads of each worker (1: the default; see ``degsdk run --threads``)."""
        self.out = Path(recipe.output.dir)
        self.degrader = from_config(recipe.degrader, where="degrader")
        self.hr_transform = (from_config(recipe.hr_transform, where="hr_transform")
                             if recipe.hr_transform else None)
        s = self.degrader.scale
        if abs(s - round(s)) > 1e-9 or round(s) < 1:
            raise ConfigError(f"degrader: recipes need an integer scale, got {s:g}")
        self.scale = round(s)
        if self.hr_transform is not None and self.hr_transform.scale != 1:
            raise ConfigError("hr_transform: must keep the size (scale 1), got "
                              f"{self.hr_transform.scale:g}")

    # -- plan
    def samples(self) -> Iterator[Sample]:
        return plan(self.recipe, self.scale, self.limit)

    def describe(self) -> str:
        """The dry-run report: counts, size estimate, resolved degrader."""
        n, first, sources = 0, None, set()
        for s in self.samples():
            n += 1
            first = first or s
            sources.add(s.source)
        lines = [f"recipe {self.recipe.name!r}: {len(sources)} images → {n} samples "
                 f"(crop {self.recipe.crop.mode}"
                 f"{f' {self.recipe.crop.size}px' if self.recipe.crop.size else ''}, "
                 f"scale ×{self.scale})",
                 f"output: {self.out}/ ({self.recipe.output.format}, "
                 f"{self.recipe.output.bit_depth}-bit)"
                 + (f", {count_estimate(n, first.box, self.scale)}" if first else ""),
                 f"run: backend {self.recipe.run.backend}, {self.recipe.run.workers} worker(s), "
                 f"batch {self.recipe.run.batch_size}, device {self.recipe.run.device}",
                 "degrader:", _indented(self.degrader.to_config())]
        if self.hr_transform is not None:
            lines += ["hr_transform:", _indented(self.hr_transform.to_config())]
        return "\n".join(lines)

    # -- state
    def _prepare(self, resume: bool) -> None:
        if self.out.exists() and not self.out.is_dir():
            raise ConfigError(f"output.dir {self.out}: exists and is not a folder")
        try:
            self._prepare_folder(resume)
        except OSError as exc:
            if isinstance(exc, WriteError):
                raise
            raise WriteError(f"output.dir {self.out}: cannot write there "
                             f"({exc.strerror or exc})") from None

    def _prepare_folder(self, resume: bool) -> None:
        state = self.out / STATE_DIR
        ident = recipe_identity(self.recipe)
        if state.is_dir():
            stored = (state / "identity").read_text().strip() if (
                state / "identity").exists() else ""
            if not resume:
                raise ConfigError(f"output.dir {self.out}: holds an unfinished run; pass "
                                  "--resume to complete it, or choose another folder")
            if stored != ident:
                raise ConfigError(f"output.dir {self.out}: the unfinished run there used a "
                                  "different recipe; --resume needs the same recipe")
            # A process killed mid-write leaves its temp files: remove them.
            for tmp in self.out.rglob(".*.tmp"):
                tmp.unlink(missing_ok=True)
            return
        if self.out.exists() and any(self.out.iterdir()) and not (
                resume and (self.out / "run.json").exists()):
            raise ConfigError(f"output.dir {self.out}: exists and is not empty; choose a new "
                              "folder (or --resume an interrupted run)")
        state.mkdir(parents=True, exist_ok=True)
        write_text_atomic(state / "identity", ident + "\n")

    def _done(self, index: int) -> dict[str, Any] | None:
        part = self.out / STATE_DIR / "parts" / f"{index:09d}.json"
        if not part.exists():
            return None
        rec = json.loads(part.read_text())
        for f in rec["files"].values():
            p = self.out / f["path"]
            if not p.exists() or _sha(p.read_bytes()) != f["sha256"]:
                return None
        return rec

    # -- execution
    def _batches(self, todo: Iterable[Sample]) -> Iterator[list[dict[str, Any]]]:
        batch: list[dict[str, Any]] = []
        for s in todo:
            d = s.as_dict()
            d["path"] = str(s.source)
            d["source"] = self._rel_source(s.source)
            batch.append(d)
            if len(batch) == self.recipe.run.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _rel_source(self, src: Path) -> str:
        for inp in self.recipe.inputs:
            base = Path(inp.path)
            if src.is_relative_to(base):
                return str(Path(base.name) / src.relative_to(base))
        return src.name

    def _execute(self, batches: Iterator[list[dict[str, Any]]], bar: tqdm) -> None:
        r = self.recipe.run
        recipe_json = self.recipe.model_dump_json()
        if r.backend == "ray":
            from ._ray_backend import run_with_ray

            run_with_ray(recipe_json, batches, r.workers, r.address, bar, self.threads)
            return
        if r.workers == 1:
            threads = torch.get_num_threads()
            init_worker(recipe_json, self.threads)
            try:
                for b in batches:
                    bar.update(len(degrade_batch(b)))
            finally:
                torch.set_num_threads(threads)
                clear_worker()
            return
        import multiprocessing as mp

        with ProcessPoolExecutor(r.workers, mp_context=mp.get_context("spawn"),
                                 initializer=init_worker,
                                 initargs=(recipe_json, self.threads, os.getpid())) as pool:
            window: collections.deque[Future[list[dict[str, Any]]]] = collections.deque()
            for b in batches:  # a bounded window keeps memory flat
                window.append(pool.submit(degrade_batch, b))
                while len(window) >= 2 * r.workers:
                    bar.update(len(window.popleft().result()))
            while window:
                bar.update(len(window.popleft().result()))

    def _finish(self, total: int) -> None:
        state = self.out / STATE_DIR
        records = [json.loads((state / "parts" / f"{i:09d}.json").read_text())
                   for i in range(total)]
        fmt = self.recipe.output.format
        write_text_atomic(self.out / "manifest.jsonl",
                          "".join(_canonical(r) + "\n" for r in records))
        write_text_atomic(self.out / "meta_info.txt", "".join(
            f"{r['name']}.{fmt} ({r['crop'][2]},{r['crop'][3]},3)\n" for r in records))
        info = self.run_info()
        write_text_atomic(self.out / CARD_NAME, card_text(self.card(records, info)))
        write_text_atomic(self.out / "run.json", json.dumps(info, indent=2,
                                                            sort_keys=True) + "\n")
        if self.recipe.output.preview:
            hr_sub, lr_sub = pair_folders(self.out)
            rows = [(r["name"], read_image(self.out / r["files"][hr_sub]["path"]),
                     read_image(self.out / r["files"][lr_sub]["path"]))
                    for r in records[: self.recipe.output.preview]]
            if rows:
                tmp = self.out / ".preview.png.tmp"
                contact_sheet(rows).save(tmp, format="PNG")
                os.replace(tmp, self.out / "preview.png")
        shutil.rmtree(state)

    def card(self, records: list[dict[str, Any]], info: dict[str, Any]) -> dict[str, Any]:
        """The degradation card (``card.json``) of the finished set."""
        sources = {str(s.source): self._rel_source(s.source) for s in self.samples()}
        outputs: dict[str, list[tuple[str, str]]] = {}
        for r in records:
            for key, f in r["files"].items():
                outputs.setdefault(key, []).append((f["path"], f["sha256"]))
        return degradation_card(
            name=self.recipe.name, made_by="degsdk run", degrader=info["degrader"],
            hr_transform=info["hr_transform"], scale=self.scale, seeds=info["seeds"],
            weights=info["weights"],
            inputs=[(rel, file_sha256(Path(src))) for src, rel in sources.items()],
            outputs=outputs, params=[r["params"] for r in records],
            file_format=self.recipe.output.format, bit_depth=self.recipe.output.bit_depth)

    def run_info(self) -> dict[str, Any]:
        """``run.json``: versions, the resolved configs and their hash, weights provenance."""
        deg_cfg = self.degrader.to_config()
        weights = []
        for m in [self.degrader, self.hr_transform]:
            for mod in (m.modules() if m is not None else []):
                info = getattr(mod, "weights_info", None)
                if info is not None:
                    weights.append(info.as_dict())
        return {
            "recipe": recipe_record(self.recipe),
            "recipe_sha256": recipe_identity(self.recipe),
            "degrader": deg_cfg,
            "degrader_sha256": _sha(_canonical(deg_cfg).encode()),
            "hr_transform": self.hr_transform.to_config() if self.hr_transform else None,
            "weights": weights,
            "versions": software_versions(),
            "seeds": {"degrader": self.recipe.seed,
                      "hr_transform": derive_seed(self.recipe.seed, 0, Stream.HR_TRANSFORM)},
        }

    def run(self, resume: bool = False, progress: bool = True) -> RunSummary:
        t0 = time.perf_counter()
        total = sum(1 for _ in self.samples())
        if total == 0:
            raise ConfigError("inputs: no sample to make (check paths, globs, min_size, crop)")
        if resume and (self.out / "run.json").exists() and not (self.out / STATE_DIR).exists():
            return RunSummary(total, total, time.perf_counter() - t0, self.out)
        self._prepare(resume)
        todo = [s for s in self.samples() if self._done(s.index) is None]
        skipped = total - len(todo)
        with tqdm(total=total, initial=skipped, unit="sample", desc=self.recipe.name,
                  disable=None if progress else True) as bar:
            try:
                self._execute(self._batches(todo), bar)
            except BaseException:  # interrupted or failed: no temp file of a write in flight
                for tmp in self.out.rglob(".*.tmp"):
                    tmp.unlink(missing_ok=True)
                raise
        self._finish(total)
        return RunSummary(total, skipped, time.perf_counter() - t0, self.out)

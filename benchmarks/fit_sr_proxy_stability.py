"""Is ``degsdk fit``'s SR proxy stable? The top candidates of a finished fit, re-scored with the
scoring SR model trained ``--factor`` times as many steps: does their order hold?

    .venv/bin/python benchmarks/fit_sr_proxy_stability.py --fit outputs/bench-fit-b \\
        --factor 4 --top 3 --repeats 2 --threads 1

Reads ``report.json`` of the fit (its test pairs, clean HR, SR settings and the candidates'
degrader configs, every fitted method and the mixture), re-runs the ``degsdk eval`` protocol
for the top ``--top`` of its ranking (baselines left out) with ``steps × factor`` for seeds
0 … repeats − 1, and prints both rankings with their seed ranges and whether the order and the
pick are the same. Needs the fit's folder (its fitted models) and data.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from degsdk import from_config
from degsdk.evaluation import DegraderEntry, EvalSettings, evaluate
from degsdk.training import use_threads


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fit", type=Path, required=True, help="a finished degsdk fit folder")
    ap.add_argument("--factor", type=int, default=4)
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int)
    args = ap.parse_args()
    report = json.loads((args.fit / "report.json").read_text())
    opts = report_options(args.fit)
    cands = report["candidates"]
    top = [lbl for lbl in report["ranking"] if cands[lbl]["kind"] != "baseline"][: args.top]
    sr = dict(opts["sr"])
    steps = sr["steps"] * args.factor
    settings = EvalSettings(**{**sr, "steps": steps}, extractors=[], save_models=False)
    print(f"re-scoring {top} with {steps} SR steps ({args.factor} × {sr['steps']}), "
          f"{args.repeats} seeds")
    longer: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    with use_threads(args.threads):
        for lbl in top:
            entry = DegraderEntry(lbl, from_config(cands[lbl]["config"]), "fit")
            longer[lbl] = []
            for seed in range(args.repeats):
                r = evaluate([entry], opts["clean_hr"], report["test"], None,
                             settings.model_copy(update={"seed": seed}), progress=False,
                             test_lr_metrics=False)
                longer[lbl].append(r["degraders"][0]["sr"]["psnr"])
            print(f"  {lbl}: {longer[lbl]}  ({time.perf_counter() - t0:.0f} s)", flush=True)

    def line(lbl: str, vals: list[float]) -> str:
        return f"{lbl} {sum(vals) / len(vals):.3f} [{min(vals):.3f}, {max(vals):.3f}]"

    default = {lbl: [s["sr"]["psnr"] for s in cands[lbl]["seeds"].values()] for lbl in top}
    order_default = sorted(top, key=lambda lbl: -sum(default[lbl]) / len(default[lbl]))
    order_long = sorted(top, key=lambda lbl: -sum(longer[lbl]) / len(longer[lbl]))
    print(f"\n{sr['steps']} steps (the fit's): " + "; ".join(line(x, default[x])
                                                          for x in order_default))
    print(f"{steps} steps: " + "; ".join(line(x, longer[x]) for x in order_long))
    print(f"same order: {order_default == order_long}; same pick: "
          f"{order_default[0] == order_long[0]}")
    return 0


def report_options(fit_dir: Path) -> dict[str, object]:
    """The options the fit ran with (``fit.json``)."""
    state = json.loads((fit_dir / "fit.json").read_text())
    return dict(state["options"])


if __name__ == "__main__":
    sys.exit(main())

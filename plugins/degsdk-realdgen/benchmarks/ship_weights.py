"""Make the embedded ``realdgen/x4`` weights: the three training stages and the model folder
shipped in the package, whose card says exactly what each stage was trained on.

    .venv/bin/python plugins/degsdk-realdgen/benchmarks/ship_weights.py --work /tmp/rdship \
        --guidance 2

runs, in ``--work``: ``degsdk train realdgen --stage extractors`` on the clean HR photos of
../shared/data/hr (Kodak24 held out for the benchmarks; about 30 minutes on one CPU thread),
then ``--stage ddpm`` as the paper trains it, on the 33 real LR images of ../shared/data/real_lr
(City100 held out for ``degsdk fit``'s benchmark; about 30 minutes; this was ``realdgen/x4``
until issue 30), then ``--stage ddpm`` again from there with half of each batch synthetic
camera pairs of the same clean HR, E_deg standardised and condition dropout (issue 30; about
45 minutes; the shipped weights drew the cameras' noise uniformly there, as degsdk did then),
then 2000 more steps of the same with the noise drawn log-uniformly (``synthetic_pairs.py``;
about 35 minutes), and writes ``src/degsdk_realdgen/weights/x4/`` with ``--guidance`` as its default
(16 real LR crops stored as its default references; without Rec_hr and Rec_lr, which only the
pre-training needs). ``--trained DIR`` skips the training and only ships an already trained
pairs-stage folder, taking the earlier stages' records from ``--earlier-card`` (default: the
card shipped now, when it is the paper stage's). Needs ../shared/data.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import degsdk
from degsdk.hub import read_config

PLUGIN = Path(__file__).resolve().parents[1]
TARGET = PLUGIN / "src" / "degsdk_realdgen" / "weights" / "x4"
SHARED = PLUGIN.parents[2] / "shared" / "data"
HR_SETS = ("set14", "bsd100", "urban100", "div2k_valid")
LR_SETS = ("realsrset", "realesrgan_inputs", "rni6")
HR_DATA = ("49 clean HR photos of ../shared/data/hr (Set14 11, BSD100 20, Urban100 15, "
           "DIV2K-valid 3; Kodak24 held out), degraded by the core realesrgan pipeline")
LR_DATA = ("the 33 real LR images of ../shared/data/real_lr (RealSRSet 20, Real-ESRGAN demo "
           "inputs 7, RNI6 6; City100 held out)")


def commands(work: Path) -> list[list[str]]:
    """The four stages, as run for the shipped weights."""
    hr = [a for s in HR_SETS for a in ("--hr", str(SHARED / "hr" / s))]
    lr = [a for s in LR_SETS for a in ("--real-lr", str(SHARED / "real_lr" / s))]
    return [
        ["degsdk", "train", "realdgen", "--stage", "extractors", *hr, "--out",
         f"{work}/extractors", "--steps", "2000", "--content-fraction", "0.15", "--patch", "40",
         "--batch-size", "4", "--groups", "2", "--max-seconds", "2400", "--checkpoint-every",
         "200", "--threads", "1", "--data", HR_DATA],
        ["degsdk", "train", "realdgen", "--stage", "ddpm", "--init", f"{work}/extractors", *lr,
         "--out", f"{work}/ddpm", "--steps", "1500", "--patch", "48", "--batch-size", "8",
         "--references", "16", "--max-seconds", "2400", "--checkpoint-every", "250",
         "--threads", "1", "--no-standardise", "--condition-dropout", "0", "--data", LR_DATA],
        ["degsdk", "train", "realdgen", "--stage", "ddpm", "--init", f"{work}/ddpm", *lr, *hr,
         "--out", f"{work}/pairs", "--steps", "3000", "--patch", "48", "--batch-size", "8",
         "--references", "16", "--max-seconds", "3300", "--checkpoint-every", "250",
         "--threads", "1", "--data", f"{LR_DATA}; synthetic camera pairs of the {HR_DATA}"],
        ["degsdk", "train", "realdgen", "--stage", "ddpm", "--init", f"{work}/pairs", *lr, *hr,
         "--out", f"{work}/pairs_loguniform", "--steps", "2000", "--patch", "48",
         "--batch-size", "8", "--references", "16", "--max-seconds", "2100",
         "--checkpoint-every", "250", "--threads", "1", "--data",
         f"{LR_DATA}; synthetic camera pairs (log-uniform noise) of the {HR_DATA}"],
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/rdship"))
    ap.add_argument("--trained", type=Path, help="ship this trained last-stage folder")
    ap.add_argument("--earlier-card", type=Path, default=TARGET,
                    help="with --trained: the model folder whose card records the extractors, "
                    "paper DDPM and uniform-noise pairs stages")
    ap.add_argument("--guidance", type=float, default=1.0, help="the shipped default guidance")
    a = ap.parse_args()
    cmds = commands(a.work)
    trained = a.trained
    if trained is None:
        for cmd in cmds:
            subprocess.run([str(Path(sys.executable).with_name("degsdk")), *cmd[1:]],
                           check=True)
        trained = a.work / "pairs_loguniform"
        paper = read_config(a.work / "ddpm").provenance
        ext_prov = read_config(a.work / "extractors").provenance
        paper_stage = {k: paper.get(k) for k in ("steps", "seconds", "metrics", "data")}
        pairs = read_config(a.work / "pairs").provenance
        pairs_stage = {k: pairs.get(k) for k in ("steps", "seconds", "metrics", "data")}
    else:
        earlier = read_config(a.earlier_card).provenance
        if "paper_ddpm_stage" not in earlier or "pairs_stage" in earlier:
            sys.exit(f"{a.earlier_card}: not the card of the uniform-noise pairs-stage weights")
        ext_prov = earlier["extractors_stage"]
        paper_stage = earlier["paper_ddpm_stage"]
        pairs_stage = {k: earlier.get(k) for k in ("steps", "seconds", "metrics", "data")}
        pairs_stage["weights_sha256"] = read_config(a.earlier_card).weights_sha256
        pairs_stage["noise"] = ("drawn uniformly: shot in [0, 0.004], read σ in [0.2, 12] "
                                "(degsdk 041da18)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = degsdk.load(str(trained), guidance=a.guidance)
    prov = dict(read_config(trained).provenance)
    prov.update({
        "datasets": ["Set14", "BSD100", "Urban100", "DIV2K", "RealSRSet", "Real-ESRGAN demo",
                     "RNI6"],
        "trained_with": [" ".join(shlex.quote(c) for c in cmd).replace(str(SHARED),
                                                                       "../shared/data")
                         for cmd in cmds],
        "extractors_stage": {k: ext_prov.get(k) for k in ("steps", "seconds", "metrics",
                                                          "data", "architecture")},
        "paper_ddpm_stage": paper_stage,
        "pairs_stage": pairs_stage,
        "data": f"{LR_DATA}; synthetic camera pairs (noise drawn log-uniformly) of the "
                f"{HR_DATA}",
        "init": "the pairs stage with uniformly drawn noise (pairs_stage), from the paper's "
                "DDPM stage (paper_ddpm_stage), from the extractors stage (extractors_stage)",
        "data_source": "../shared/data (see trained_with)",
    })
    # the reconstruction heads only served the extractors' pre-training: not shipped
    model.rebuilt(reconstruction_heads=False).save_pretrained(TARGET, provenance=prov)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()

"""Make the embedded ``interflow/camera24`` weights: the camera data, the training run, and
the model folder shipped in the package, whose card says exactly what it was trained on and
how to train on RealSR instead.

    .venv/bin/python plugins/degsdk-interflow/benchmarks/ship_weights.py --work /tmp/if

runs, in ``--work``: ``camera_levels.py`` for the training set (levels 2 and 4 of 38 photos)
and the calibration set (level 3 of Set14), then ``degsdk train interflow`` with the options
below (about 55 minutes on one CPU thread; the priors are then fitted to the flow's latents
of the training LR, and the level → weight map calibrated), then writes
``src/degsdk_interflow/weights/camera24/``. ``--trained DIR`` skips the data and training and
only ships an already trained folder. ``--refit-priors`` re-makes the training and calibration
data, fits the priors of the trained folder (default: the shipped weights) and recalibrates it
— what issue 30 did to the weights trained before training fitted priors. Needs
../shared/data.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

from camera_levels import make_camera_levels

import degsdk
from degsdk.hub import read_config

PLUGIN = Path(__file__).resolve().parents[1]
TARGET = PLUGIN / "src" / "degsdk_interflow" / "weights" / "camera24"
DATA = ("core camera degrader (jpeg off) at aligned levels 2 and 4 of 38 photos (BSD100 20, "
        "Urban100 15, DIV2K-valid 3; centre crops <= 384 px; per scene the same focus and "
        "white-balance draws, separate noise draws); calibrated on level 3 of Set14 (11 photos)")


def train_command(work: Path) -> list[str]:
    return ["degsdk", "train", "interflow", "--hr", f"{work}/train/hr",
            "--level", f"2={work}/train/2", "--level", f"4={work}/train/4",
            "--calibrate", f"3={work}/calib", "--out", f"{work}/ship", "--steps", "2500",
            "--max-seconds", "3500", "--checkpoint-every", "250", "--threads", "1",
            "--data", DATA]


def refit(work: Path, source: Path) -> Path:
    """Fit the priors of the model at ``source`` on the training data and recalibrate it on
    the calibration level; written to ``work/refit``."""
    from degsdk_interflow.calibrate import calibrate
    from degsdk_interflow.data import from_folders, one_level_folders
    from degsdk_interflow.prior_fit import fit_priors, fit_temperatures
    from degsdk_interflow.train import PRIORS_FITTED, PRIORS_LOCAL

    if not (work / "train" / "hr").is_dir():
        make_camera_levels(work / "train", ["bsd100", "urban100", "div2k_valid"], [2.0, 4.0])
    if not (work / "calib" / "hr").is_dir():
        make_camera_levels(work / "calib", ["set14"], [3.0])
    data = from_folders(work / "train" / "hr", {2.0: work / "train" / "2",
                                                4.0: work / "train" / "4"})
    calib = one_level_folders(work / "calib" / "hr", 3.0, work / "calib" / "3")
    model = fit_priors(degsdk.create("interflow", weights=str(source)), data)
    temperatures = fit_temperatures(model, data)
    weight, curve = calibrate(model, calib.hr[:8], [row[0] for row in calib.lr[:8]], 3.0)
    prov = dict(read_config(source).provenance)
    prov["priors"] = PRIORS_FITTED + PRIORS_LOCAL + " (ship_weights.py --refit-priors, issue 30)"
    metrics = dict(prov.get("metrics") or {})
    metrics["calibration_3"] = {"weight": weight, "hf_kl": {f"{w:g}": v for w, v in
                                                           curve.items()}}
    metrics["level_temperatures"] = {f"{lv:g}": {f"{t:g}": v for t, v in c.items()}
                                     for lv, c in temperatures.items()}
    prov["metrics"] = metrics
    model.save_pretrained(work / "refit", provenance=prov)
    print(f"priors fitted on {len(data)} scenes; τ factors {model.cfg.level_temperatures}; "
          f"level 3 calibrated at w = {weight:.2f}")
    return work / "refit"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/if"))
    ap.add_argument("--trained", type=Path, help="ship this trained folder (skip training)")
    ap.add_argument("--refit-priors", action="store_true",
                    help="fit the priors of --trained (default: the shipped weights) and "
                    "recalibrate, instead of training")
    a = ap.parse_args()
    cmd = train_command(a.work)
    trained = a.trained
    if a.refit_priors:
        trained = refit(a.work, trained or TARGET)
    elif trained is None:
        make_camera_levels(a.work / "train", ["bsd100", "urban100", "div2k_valid"], [2.0, 4.0])
        make_camera_levels(a.work / "calib", ["set14"], [3.0])
        (a.work / "calib" / "lr").symlink_to(a.work / "calib" / "3")
        subprocess.run([str(Path(sys.executable).with_name("degsdk")), *cmd[1:]], check=True)
        trained = a.work / "ship"
    model = degsdk.create("interflow", weights=str(trained))
    prov = dict(read_config(trained).provenance)
    prov.update({
        "datasets": ["BSD100", "Urban100", "DIV2K", "Set14"],
        "trained_with": " ".join(shlex.quote(c) for c in cmd)
        + "  (data: plugins/degsdk-interflow/benchmarks/ship_weights.py)",
        "train_on_realsr": "degsdk train interflow --realsr RealSR_V2 --camera Canon "
        "--realsr-level 2 --realsr-level 4 --calibrate 3 --preset paper --patch 160 "
        "--batch-size 8 --steps 100000 --out MODEL  (RealSR v2: the InterFlow authors' "
        "restructured release, one HR per scene for all levels; the paper's setting, a GPU "
        "for days)",
    })
    prov["data_source"] = "camera_levels.py (see trained_with)"
    model.save_pretrained(TARGET, provenance=prov)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()

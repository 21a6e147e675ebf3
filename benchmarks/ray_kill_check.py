"""kill -9 of `degsdk run` with the Ray backend (a local cluster): how long Ray's processes
outlive the driver. Too slow for the test suite (about 80 s); run before a release:

    .venv/bin/python benchmarks/ray_kill_check.py

Prints the number of Ray processes (actors, raylet, GCS, agents) still alive every 5 s after
the kill, until none is left (or 3 minutes). Needs the ray extra.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

import degsdk

REPO = Path(__file__).resolve().parents[1]


def ray_processes() -> list[str]:
    out = []
    for c in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmd = c.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (c.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(k in cmd for k in ("raylet", "gcs_server", "ray::")):
            out.append(cmd.split()[0] if "ray::" in cmd else cmd[:60])
    return out


def main() -> int:
    d = Path(tempfile.mkdtemp())
    hr = d / "hr"
    hr.mkdir()
    for f in sorted((REPO / "samples" / "hr").glob("*.png"))[:3]:
        degsdk.write_image(hr / f.name, degsdk.read_image(f)[:, :160, :224])
    recipe = {"version": 1, "name": "ray-kill", "seed": 0, "inputs": [{"path": str(hr)}],
              "crop": {"mode": "random", "size": 96, "per_image": 300},
              "degrader": {"name": "bsrgan", "params": {"scale": 2}},
              "output": {"dir": str(d / "o")},
              "run": {"batch_size": 2, "workers": 2, "backend": "ray"}}
    (d / "r.yaml").write_text(yaml.safe_dump(recipe))
    parts = d / "o" / ".degsdk-run" / "parts"
    proc = subprocess.Popen([sys.executable, "-m", "degsdk", "run", str(d / "r.yaml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    t0 = time.time()
    while time.time() - t0 < 180 and (not parts.is_dir() or len(list(parts.iterdir())) < 10):
        time.sleep(0.2)
    print(f"running: {len(ray_processes())} Ray processes; kill -9 of the driver")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    t0 = time.time()
    while time.time() - t0 < 180:
        time.sleep(5)
        alive = ray_processes()
        print(f"{time.time() - t0:5.0f} s: {len(alive)} alive {sorted(set(alive))}")
        if not alive:
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())

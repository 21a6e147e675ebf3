"""Re-run the 14 rows of issue 28 (hardening 2: plugin authors, long inputs, help texts, docs
that run) as a new user or a plugin author would, and print what each gives.

    .venv/bin/python benchmarks/hardening2_check.py                 # this checkout
    .venv/bin/python benchmarks/hardening2_check.py --code OTHER    # another checkout's code

Each row runs in a fresh process (``python -c``) with ``--code``'s ``degsdk`` and plugin
sources first on ``PYTHONPATH``, so the same script measures the code before and after a
change. A row is "clean" when what the issue asks for holds: no traceback, an error that names
the thing and fits a screen, the documented behaviour. Exits 1 if any row is not clean.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PLUGIN_AUTHOR = '''
import degsdk, torch
class ColourCast(degsdk.Degrader):
    name = "colourcast"
    class Config(degsdk.DegraderConfig):
        strength: degsdk.FloatRange = 0.3
    def sample(self, hr, generators):
        return [{"s": degsdk.draw_float(g, self.config.strength)} for g in generators]
    def apply(self, hr, params):
        s = torch.tensor([p["s"] for p in params]).view(-1, 1, 1, 1)
        return (hr * (1 - s) + s * 0.5).clamp(0, 1)
class Raises(ColourCast):
    name = "raises"
    def sample(self, hr, generators):
        return [{"s": generators[0][0]}]
class Plugin:
    @degsdk.hookimpl
    def degsdk_register_degraders(self, register):
        register("colourcast", ColourCast)
        register("raises", Raises)
degsdk.register_plugin(Plugin(), name="author")
'''

ROWS: list[tuple[str, str, str]] = [
    ("1", "plugin degrader with `strength: FloatRange = 0.3`, create and call", PLUGIN_AUTHOR + '''
degsdk.create("colourcast")(torch.rand(2, 3, 8, 8), seed=0)
print("OK")
'''),
    ("2", "check_degrader on a degrader whose sample() raises", PLUGIN_AUTHOR + '''
from degsdk.testing import check_degrader, ContractError
try:
    check_degrader(degsdk.create("raises"), check_config=False)
except ContractError as e:
    print("OK" if "raises.sample raised TypeError" in str(e) else "WRONG: " + str(e)[:200])
'''),
    ("3", "create('gaussian_blur', sigma=[[1.0] * 1000] * 1000)", '''
import time, degsdk
degsdk.list_degraders()
t = time.perf_counter()
try:
    degsdk.create("gaussian_blur", sigma=[[1.0] * 1000] * 1000)
except degsdk.DegsdkError as e:
    took = time.perf_counter() - t
    print("OK" if len(str(e)) <= 2000 and took < 1 else f"WRONG: {len(str(e))} chars, {took:.2f} s")
'''),
    ("4", "README 'Classic pipelines' block, as written", '''
import re, os
text = open(os.path.join(REPO, "README.md")).read()
block = text.split("## Classic pipelines", 1)[1].split("```python\\n", 1)[1].split("```", 1)[0]
os.chdir(REPO)
exec(block, {})
print("OK")
'''),
    ("5", "fit --help: --no-mixture, --no-progress", '''
import subprocess, sys
out = " ".join(subprocess.run([sys.executable, "-m", "degsdk", "fit", "--help"],
                              capture_output=True, text=True).stdout.split())
ok = ("turn off" not in out and "--no-mixture do not score" in out
      and "--no-progress do not show" in out)
print("OK" if ok else "WRONG: " + out[out.find("--no-mixture"):][:80])
'''),
    ("6", "eval --help: --seed described, no ``, no raw list defaults", '''
import re, subprocess, sys
out = subprocess.run([sys.executable, "-m", "degsdk", "eval", "--help"], capture_output=True,
                     text=True).stdout
flat = " ".join(out.split())
seed = re.search(r"--seed SEED (.*?) \\(default", flat)
ok = "``" not in out and "(default: [" not in flat and seed and len(seed.group(1).split()) >= 3
print("OK" if ok else "WRONG")
'''),
    ("7", "one name per thing: eval --clean-hr, --threads on degrade/run, hr/ lr/, Fréchet", '''
import subprocess, sys
def helps(*cmd):
    return " ".join(subprocess.run([sys.executable, "-m", "degsdk", *cmd, "--help"],
                                   capture_output=True, text=True).stdout.split())
bad = []
if "--clean-hr" not in helps("eval"): bad.append("eval has no --clean-hr")
for c in ("degrade", "run"):
    if "--threads" not in helps(c): bad.append(c + " has no --threads")
if "hr/ + lr/" not in helps("run"): bad.append("run writes HR/ LR/")
import degsdk.evaluation._report as r, degsdk.fit._report as f, inspect
if "Frechet" in inspect.getsource(r) + inspect.getsource(f): bad.append("Frechet")
print("OK" if not bad else "WRONG: " + "; ".join(bad))
'''),
    ("8", "load('interflow/camera24', level=6): warnings at the user's line", '''
import warnings, degsdk, torch
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    m = degsdk.load("interflow/camera24", level=6)
    m(torch.rand(1, 3, 32, 32), seed=0)
files = {x.filename for x in w}
print("OK" if len(w) == 1 and files == {"<string>"} else f"WRONG: {len(w)} warnings at {files}")
'''),
    ("9", "load('interflow/camera24', level=-1): the message", '''
import degsdk
try:
    degsdk.load("interflow/camera24", level=-1)
except degsdk.DegsdkError as e:
    print("OK" if "level -1 must" in str(e) else "WRONG: " + str(e).splitlines()[-1])
'''),
    ("10", "eval --test /nonexistent", '''
import subprocess, sys
err = subprocess.run([sys.executable, "-m", "degsdk", "eval", "--degrader", "bicubic",
                      "--test", "/nonexistent", "--out", "o", CLEAN_FLAG, "."],
                     capture_output=True, text=True).stderr
print("OK" if "does not exist" in err and "Traceback" not in err else "WRONG: " + err.strip()[:150])
'''),
    ("11", "RealDGen references= an empty folder", '''
import os, tempfile, degsdk
d = tempfile.mkdtemp()
try:
    degsdk.load("realdgen/x4", references=d)
except degsdk.DegsdkError as e:
    print("OK" if "references" in str(e) else "WRONG: " + str(e)[:150])
'''),
    ("12", "RealDGen README states each default's cost", '''
import os, re
text = open(os.path.join(REPO, "plugins/degsdk-realdgen/README.md")).read()
table = text.split("| option | default |", 1)[1].split("\\n\\n", 1)[0]
rows = {r.split("|")[1].strip(): r for r in table.splitlines() if r.startswith("| `")}
need = ("`T`", "`candidates`", "`sampler`, `ddim_steps`")
print("OK" if all(re.search(r"\\d s", rows.get(k, "")) for k in need) else "WRONG: no cost")
'''),
    ("13", "RealDGenTrainOptions init='hf://org/repo'", '''
from degsdk_realdgen.train import RealDGenTrainOptions
o = RealDGenTrainOptions.of(stage="ddpm", init="hf://org/repo", out="o")
print("OK" if "hf://org/repo" in str(o.init) else "WRONG: " + str(o.init))
'''),
    ("14", "README fit paragraph and docs/plugins.md name InterFlow and RealDGen", '''
import os
readme = open(os.path.join(REPO, "README.md")).read().lower()
para = readme.split("`fit` fits every method your data allows", 1)[1].split("scores", 1)[0]
plugins = open(os.path.join(REPO, "docs/plugins.md")).read().lower()
line = plugins.split("fitters are", 1)[0].rsplit("\\n\\n", 1)[-1]
ok = all(m in para and m in line for m in ("interflow", "realdgen"))
print("OK" if ok else "WRONG")
'''),
]


def run_row(code: Path, body: str) -> tuple[str, str]:
    """(verdict line, stderr) of one row in a fresh process on ``code``'s sources."""
    srcs = [str(code), *map(str, sorted((code / "plugins").glob("degsdk-*/src")))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(srcs), "HF_HUB_OFFLINE": "1",
           "DEGSDK_THREADS": "1"}
    clean_flag = "--clean-hr" if "--clean-hr" in (code / "degsdk/evaluation/_protocol.py"
                                                  ).read_text() else "--train-hr"
    prelude = f"REPO = {str(code)!r}\nCLEAN_FLAG = {clean_flag!r}\n"
    with tempfile.TemporaryDirectory() as d:
        res = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(body)], cwd=d,
                             capture_output=True, text=True, env=env, timeout=600)
    lines = res.stdout.strip().splitlines()
    return (lines[-1] if lines else ""), res.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--code", type=Path, default=REPO, help="the checkout whose code to run")
    ap.add_argument("--json", type=Path, help="also write the verdicts here")
    args = ap.parse_args()
    print(f"code: {args.code}\n")
    print("| row | reproduction | clean | what happened |")
    print("|---|---|---|---|")
    verdicts = {}
    for row, what, body in ROWS:
        verdict, err = run_row(args.code.resolve(), body)
        clean = verdict == "OK" and "Traceback" not in err
        if not verdict:
            last = [ln for ln in err.strip().splitlines() if ln.strip()]
            verdict = "traceback: " + (last[-1][:120] if last else "(no output)")
        verdicts[row] = clean
        print(f"| {row} | {what} | {'yes' if clean else 'NO'} | {verdict[:140]} |", flush=True)
    n = sum(verdicts.values())
    print(f"\n{n} of {len(ROWS)} rows clean")
    if args.json:
        args.json.write_text(json.dumps(verdicts, indent=1) + "\n")
    return 0 if n == len(ROWS) else 1


if __name__ == "__main__":
    sys.exit(main())

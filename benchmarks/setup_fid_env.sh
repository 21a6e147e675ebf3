#!/usr/bin/env bash
# Builds benchmarks/.venv-fid: pytorch-fid beside degsdk, for benchmarks/frechet.py.
# Workarounds stay inside this venv: torch pinned (constraints.txt); torchvision (CUDA build
# only) installed --no-deps with its C++ op registration stubbed; scipy < 1.18 because
# pytorch-fid calls sqrtm(..., disp=False), which SciPy 1.18 removed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=benchmarks/.venv-fid
export PIP_CONSTRAINT="$PWD/constraints.txt" PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
PY="$VENV/bin/python"
"$PY" -m pip install -q torch==2.13.0 setuptools wheel
"$PY" -m pip install -q numpy "scipy<1.18" pillow
"$PY" -m pip install -q --no-deps torchvision==0.28.0 pytorch-fid
"$PY" -m pip install -q -e .
SITE=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
bash benchmarks/stub_torchvision.sh "$SITE"
"$PY" -c "from pytorch_fid.fid_score import calculate_frechet_distance; import pytorch_fid; print('pytorch-fid', pytorch_fid.__version__, 'ready')"

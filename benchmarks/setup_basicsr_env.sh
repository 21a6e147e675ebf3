#!/usr/bin/env bash
# Builds benchmarks/.venv-basicsr: basicsr 1.4.2 + realesrgan 0.3.0 on torch 2.13 (CPU) beside
# degsdk, for benchmarks/realesrgan_pipeline.py. Every workaround stays inside this venv:
#  - torch pinned through constraints.txt (no CUDA packages);
#  - basicsr built with --no-build-isolation (its setup.py imports torch);
#  - torchvision exists on PyPI only as a CUDA build: installed --no-deps, and its C++ op
#    registration (which needs the CUDA libraries) is stubbed out;
#  - torchvision.transforms.functional_tensor (removed upstream, imported by basicsr) aliased.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=benchmarks/.venv-basicsr
export PIP_CONSTRAINT="$PWD/constraints.txt" PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
PY="$VENV/bin/python"
"$PY" -m pip install -q torch==2.13.0 setuptools wheel
"$PY" -m pip install -q numpy scipy pillow "opencv-python-headless<4.13" addict future lmdb \
    pyyaml requests tqdm yapf scikit-image
"$PY" -m pip install -q --no-deps torchvision==0.28.0
"$PY" -m pip install -q --no-deps --no-build-isolation basicsr==1.4.2 realesrgan==0.3.0
"$PY" -m pip install -q -e .
SITE=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
bash benchmarks/stub_torchvision.sh "$SITE"
echo "from torchvision.transforms._functional_tensor import *  # noqa" \
    > "$SITE/torchvision/transforms/functional_tensor.py"
"$PY" - <<'PYEOF'
from basicsr.data.degradations import random_mixed_kernels, circular_lowpass_kernel  # noqa
from basicsr.utils import DiffJPEG, USMSharp  # noqa
from basicsr.utils.img_process_util import filter2D  # noqa
import basicsr, realesrgan  # noqa
print("basicsr", basicsr.__version__, "ready")
PYEOF

#!/usr/bin/env bash
# Used by the benchmark setup scripts: PyPI's torchvision is a CUDA build whose C++ ops cannot
# load on this CPU machine. Stub their loading and meta registrations inside the given
# site-packages (a benchmark venv), never in degsdk's own environment.
#   bash benchmarks/stub_torchvision.sh SITE_PACKAGES
set -euo pipefail
SITE=$1
cat > "$SITE/torchvision/extension.py" <<'PYEOF'
"""Stub (degsdk benchmark env): the CUDA build's C++ ops cannot load on this CPU machine."""
def _has_ops():
    return False
def _assert_has_ops():
    raise RuntimeError("torchvision C++ ops are stubbed out in this benchmark environment")
def _check_cuda_version():
    return -1
def _load_library(lib_name):
    return None
PYEOF
: > "$SITE/torchvision/_meta_registrations.py"

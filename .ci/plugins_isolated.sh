#!/usr/bin/env bash
# Each method plugin's tests in a virtualenv that holds only the core and that plugin: proves a
# plugin works when installed alone, through its entry point, without the others.
#   bash .ci/plugins_isolated.sh            (make test runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${ISOLATED_VENV:-.venv-isolated}
export PIP_CONSTRAINT="$PWD/constraints.txt" PIP_DISABLE_PIP_VERSION_CHECK=1
test -x "$VENV/bin/python" || python3 -m venv "$VENV"
PY="$PWD/$VENV/bin/python"
"$PY" -m pip install -q torch==2.13.0 pytest pytest-timeout
"$PY" -m pip install -q .                                   # the core and its dependencies
"$PY" -m pip install -q --no-deps --force-reinstall .       # this checkout's core, always
for plugin in plugins/degsdk-*/; do
  dist=$(basename "$plugin")
  echo "== $dist, alone with the core"
  "$PY" -m pip install -q "$plugin"                          # its own dependencies (diffusers, …)
  "$PY" -m pip install -q --no-deps --force-reinstall "$plugin"
  "$PY" - "$dist" <<'PYEOF'
import json, subprocess, sys
out = subprocess.run([sys.executable, "-m", "degsdk", "plugins", "--json"],
                     capture_output=True, text=True, check=True).stdout
dists = sorted(p["distribution"] for p in json.loads(out) if not p["failures"])
assert dists == sorted(["degsdk", sys.argv[1]]), f"expected degsdk + {sys.argv[1]}: {dists}"
print(f"degsdk plugins: {', '.join(dists)}")
PYEOF
  (cd "$plugin" && "$PY" -m pytest -q -p no:cacheprovider --durations=5 --timeout=300 tests)
  "$PY" -m pip uninstall -q -y "$dist"
done

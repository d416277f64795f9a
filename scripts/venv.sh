#!/usr/bin/env bash
# Bootstrap step a: the project's virtualenv with the pinned packages.
# Skipped when .venv already holds exactly what requirements.lock pins.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s%N)
elapsed() { local ds=$(( ($(date +%s%N) - started) / 100000000 )); echo "$((ds / 10)).$((ds % 10)) s"; }
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: $python is missing or older than 3.11. Fix: install Python 3.11+ or set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
stamp=.venv/.installed
want=$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "✓ virtualenv: present (.venv, lock $want) [$(elapsed)]"
  exit 0
fi
echo "… virtualenv: installing requirements.lock into .venv"
"$python" -m venv .venv
# uv installs the pins in parallel, from its cache when it has them: about 3 s against pip's
# 70 s. Its own version is the one requirements.lock pins.
uv_pin=$(grep -E '^uv==' requirements.lock)
.venv/bin/pip install --quiet --disable-pip-version-check "$uv_pin"
.venv/bin/uv pip install --quiet --python .venv/bin/python -r requirements.lock
.venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
echo "$want" > "$stamp"
echo "✓ virtualenv: made (.venv, lock $want) in $(elapsed)"

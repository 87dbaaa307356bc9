#!/usr/bin/env bash
# Install lemonade into the active Python (a virtualenv if one is active).
#   bash scripts/install.sh          # the tool
#   bash scripts/install.sh dev      # + test/lint/export extras
# torch is installed first, pinned to 2.13.0, only when missing: a bare `torch` requirement
# resolved by pip would pull several GB of CUDA packages where a CPU wheel is at hand.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
extras="${1:-}"
if ! "$PY" -c "import torch" >/dev/null 2>&1; then
    echo "installing torch==2.13.0 (CPU) first"
    "$PY" -m pip install --quiet "torch==2.13.0"
fi
if [ -n "$extras" ]; then target=".[$extras]"; else target="."; fi
"$PY" -m pip install --quiet -e "$target"
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
"$PY" -c "import lemonade, torch; print(f'lemonade {lemonade.__version__} installed (torch {torch.__version__})')"

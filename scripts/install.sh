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
# bubblewrap is the OS wall around candidate code (docs/security.md); without it lemonade warns
# that isolation is weak. Installed through apt-get when we are root and it is missing.
if [ "$(uname -s)" = Linux ] && ! command -v bwrap >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) \
            >/dev/null 2>&1 || true
    fi
    command -v bwrap >/dev/null 2>&1 || echo "bubblewrap not installed: candidate isolation will" \
        "be weak (install the 'bubblewrap' package as root; see docs/security.md)"
fi
if [ -n "$extras" ]; then target=".[$extras]"; else target="."; fi
"$PY" -m pip install --quiet -e "$target"
command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
"$PY" -c "import lemonade, torch; print(f'lemonade {lemonade.__version__} installed (torch {torch.__version__})')"
"$PY" -c "from lemonade.sandbox.isolation import probe; s = probe(); print('candidate isolation:',
    f'bubblewrap {s.version}, seccomp {\"on\" if s.seccomp else \"off\"}' if s.isolated
    else f'WEAK ({s.reason})')"

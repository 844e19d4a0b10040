#!/usr/bin/env bash
# Set up cosolve in a virtual environment (.venv next to this file).
#   ./install.sh          the package and its dependencies
#   ./install.sh --dev    plus the test tools (pytest, hypothesis, ruff)
# PyTorch is installed first, only when the environment has none: TORCH_SPEC chooses the
# build (default "torch==2.13.0"; e.g. TORCH_SPEC="torch" for the newest release). The
# project itself then accepts any torch>=2.2.
set -euo pipefail
cd "$(dirname "$0")"
python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python_bin" -m venv .venv
fi
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    "${pip[@]}" "${TORCH_SPEC:-torch==2.13.0}"
fi
if [ "${1:-}" = "--dev" ]; then
    "${pip[@]}" -e ".[dev]"
else
    "${pip[@]}" -e .
fi

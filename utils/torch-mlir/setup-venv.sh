#!/usr/bin/env bash
# Makes the Python environment utils/torch-mlir/export.py runs in: PyTorch
# 2.15 from PyPI (the default wheel, with its CUDA libraries: about 6.2 GB,
# about 2 minutes on the project's machines) and torch-mlir 20261001, which
# pins a torch nightly and is therefore installed without its dependencies
# (its FX importer works with 2.15). CI does not need it.
#
# usage: utils/torch-mlir/setup-venv.sh [VENV]   (default: .venv-torch-mlir)
# Idempotent: an existing environment with both packages is left as it is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
venv="${1:-.venv-torch-mlir}"
python="${PYTHON:-python3}"

if [[ -x "$venv/bin/python" ]] &&
   "$venv/bin/python" -c "import torch, torch_mlir.fx, numpy" 2>/dev/null; then
  echo "setup-venv: $venv is ready"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet torch==2.15.0 numpy packaging
"$venv/bin/pip" install --quiet --no-deps torch-mlir==20261001
"$venv/bin/python" -c "import torch, torch_mlir.fx; print('setup-venv: torch', torch.__version__, 'and torch-mlir in', '$venv')"

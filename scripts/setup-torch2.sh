#!/usr/bin/env bash
# Makes the PyTorch 2 environment of the torch.export frontend's tests: a
# venv with torch 2.15 (PyPI's default wheel, which brings its CUDA
# libraries: about 5.4 GB of disk and 90 s here; CPU use needs no
# GPU), numpy and pytest, made with Debian's python3 (python3-venv is
# installed with apt-get when missing). Idempotent: a ready environment is
# left as it is.
#   usage: scripts/setup-torch2.sh [VENV]   (default: $DYN_TORCH2_VENV or
#                                            <repo>/.venv-torch2)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-${DYN_TORCH2_VENV:-$REPO/.venv-torch2}}"
PYTHON="${DYN_TORCH2_PYTHON:-/usr/bin/python3}"
TORCH_VERSION="${DYN_TORCH2_VERSION:-2.15.0}"

if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "
import sys, torch, numpy, pytest
sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null; then
  echo "setup-torch2: $VENV is ready"
  exit 0
fi
if ! "$PYTHON" -c "import ensurepip, venv" 2>/dev/null; then
  echo "setup-torch2: installing python3-venv"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
fi
start=$(date +%s)
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "torch==$TORCH_VERSION" numpy pytest
echo "setup-torch2: torch $("$VENV/bin/python" -c 'import torch; print(torch.__version__)')" \
     "in $VENV ($(du -sh "$VENV" | cut -f1), $(( $(date +%s) - start )) s)"

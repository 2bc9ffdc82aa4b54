#!/usr/bin/env bash
# Makes the environment of benchmarks/peers.py: the PyTorch 2 venv of
# scripts/setup-torch2.sh (torch 2.15 with MKL and oneDNN, torch.compile)
# plus ONNX Runtime, onnx and onnxscript (the legacy and dynamo exporters)
# and matplotlib (the chart); with DYN_PEERS_IREE=1 also IREE's compiler and
# runtime. All from PyPI: about 6.5 GB and 2-3 minutes here. Idempotent: a
# ready environment is left as it is.
#   usage: scripts/setup-peers.sh [VENV]   (default: $DYN_TORCH2_VENV or
#                                            <repo>/.venv-torch2)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-${DYN_TORCH2_VENV:-$REPO/.venv-torch2}}"
bash "$REPO/scripts/setup-torch2.sh" "$VENV"

PACKAGES=(onnx onnxruntime onnxscript matplotlib)
MODULES="onnx, onnxruntime, onnxscript, matplotlib"
if [[ "${DYN_PEERS_IREE:-0}" == 1 ]]; then
  PACKAGES+=(iree-base-compiler iree-base-runtime)
  MODULES+=", iree.compiler, iree.runtime"
fi
if "$VENV/bin/python" -c "import $MODULES" 2>/dev/null; then
  echo "setup-peers: $VENV has the peers"
  exit 0
fi
start=$(date +%s)
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
"$VENV/bin/python" -c "
import onnxruntime, onnx
print('setup-peers: onnxruntime', onnxruntime.__version__, 'onnx', onnx.__version__)"
echo "setup-peers: done in $(( $(date +%s) - start )) s"

#!/usr/bin/env bash
# Set-up + build + every test: `bash scripts/test.sh` on a fresh Debian 12.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO/build}"
bash "$REPO/scripts/setup.sh"
# check-dyn builds everything it tests (tools, docs, the staged install) first.
cmake --build "$BUILD_DIR" --target check-dyn
# The Python package (PyTorch frontend, runtime loader, model zoo) with
# Debian's python3, which has torch and numpy.
DYN_COMPILE="$BUILD_DIR/bin/dyn-compile" "${DYN_PYTHON:-/usr/bin/python3}" -m pytest -q "$REPO/python/tests"
# Then the PyTorch 2 tests (torch from PyPI, in a venv scripts/setup-torch2.sh
# makes: about 5.4 GB, 90 s): the torch.export frontend, the automatic
# capture of Python control flow, the zoo, the Core ATen ops, the
# recurrent layers and the batched zoo (per-sample branches) through it.
# DYN_SKIP_TORCH2=1 skips it.
if [[ "${DYN_SKIP_TORCH2:-0}" != 1 ]]; then
  VENV="${DYN_TORCH2_VENV:-$REPO/.venv-torch2}"
  bash "$REPO/scripts/setup-torch2.sh" "$VENV"
  DYN_COMPILE="$BUILD_DIR/bin/dyn-compile" "$VENV/bin/python" -m pytest -q \
    "$REPO/python/tests/test_export.py" "$REPO/python/tests/test_rewrite.py" \
    "$REPO/python/tests/test_zoo_export.py" "$REPO/python/tests/test_core_aten.py" \
    "$REPO/python/tests/test_recurrent.py" "$REPO/python/tests/test_fastcall.py" \
    "$REPO/python/tests/test_batched.py"
fi
# The sanitizer build (ASan + UBSan) and the lit tests that fit CI's time
# (docs/reliability.md says which); DYN_SKIP_SANITIZERS=1 skips it.
if [[ "${DYN_SKIP_SANITIZERS:-0}" != 1 ]]; then
  bash "$REPO/scripts/sanitize.sh" --ci
fi

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
# The sanitizer build (ASan + UBSan) and the lit tests that fit CI's time
# (docs/reliability.md says which); DYN_SKIP_SANITIZERS=1 skips it.
if [[ "${DYN_SKIP_SANITIZERS:-0}" != 1 ]]; then
  bash "$REPO/scripts/sanitize.sh" --ci
fi

#!/usr/bin/env bash
# Set-up + build + every test: `bash scripts/test.sh` on a fresh Debian 12.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO/build}"
bash "$REPO/scripts/setup.sh"
# check-dyn builds everything it tests (tools, docs, the staged install) first.
cmake --build "$BUILD_DIR" --target check-dyn

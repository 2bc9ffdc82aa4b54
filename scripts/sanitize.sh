#!/usr/bin/env bash
# The sanitizer build: ASan + UBSan over every target (tools, passes, the
# runtime and the artifacts it links), then the tests under it.
#
#   bash scripts/sanitize.sh            # build + every lit test + pytest
#   bash scripts/sanitize.sh --ci       # build + the subset CI runs
#   bash scripts/sanitize.sh --build-only | --configure-only
#
# Environment: SANITIZE_BUILD_DIR (default <repo>/build-sanitize),
# LLVM_PREFIX as for setup.sh. Needs libclang-rt-22-dev (installed here
# when missing). Idempotent; a second run rebuilds only what changed.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LLVM_PREFIX="${LLVM_PREFIX:-/usr/lib/llvm-22}"
BUILD="${SANITIZE_BUILD_DIR:-$REPO/build-sanitize}"
MODE="${1:-all}"

BUILD_DIR="$BUILD" DYN_EXTRA_PACKAGES=libclang-rt-22-dev \
  DYN_CMAKE_ARGS="-DDYN_SANITIZERS=address;undefined ${DYN_EXTRA_CMAKE_ARGS:-}" \
  bash "$REPO/scripts/setup.sh"
[[ "$MODE" == "--configure-only" ]] && exit 0
cmake --build "$BUILD"
[[ "$MODE" == "--build-only" ]] && exit 0
LIT="$LLVM_PREFIX/bin/lit"
if [[ "$MODE" == "--ci" ]]; then
  # What fits CI's time: the dialect, every pass, the tools, malformed
  # inputs, fuzzing, and the executed integration tests of the CPU target
  # (GPU emulation, AArch64, the embedding build and pytest run in the
  # full mode).
  "$LIT" -sv "$BUILD/test" --filter-out 'nvptx|aarch64|Docs/|Embedding'
  exit 0
fi
cmake --build "$BUILD" --target check-dyn
# pytest: Python preloads the shared sanitizer runtime (it is not
# instrumented) and does not check for leaks; dyn-compile runs instrumented.
PRELOAD="$("$LLVM_PREFIX/bin/clang" -print-file-name=libclang_rt.asan-x86_64.so)"
DYN_COMPILE="$BUILD/bin/dyn-compile" LD_PRELOAD="$PRELOAD" \
  ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0:allocator_may_return_null=1 "${DYN_PYTHON:-/usr/bin/python3}" -m pytest -q \
  "$REPO/python/tests"

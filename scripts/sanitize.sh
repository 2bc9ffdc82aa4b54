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

bash "$REPO/scripts/setup.sh" >/dev/null
if ! dpkg-query -W -f='${Status}' libclang-rt-22-dev 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libclang-rt-22-dev
fi
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -G Ninja -S "$REPO" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$LLVM_PREFIX/bin/clang" \
    -DCMAKE_CXX_COMPILER="$LLVM_PREFIX/bin/clang++" \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit" \
    -DDYN_SANITIZERS="address;undefined" ${DYN_EXTRA_CMAKE_ARGS:-}
fi
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

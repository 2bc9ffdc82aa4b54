#!/usr/bin/env bash
# Installs what dyn needs on Debian 12 (bookworm) when it is missing, then
# configures the build directory. Idempotent: a second run does nothing but
# check. Environment overrides:
#   LLVM_PREFIX  (default /usr/lib/llvm-22)   where LLVM/MLIR 22 live
#   BUILD_DIR    (default <repo>/build)       the CMake build directory
#   DYN_EXTRA_PACKAGES, DYN_CMAKE_ARGS        more packages, more CMake
#                                             options (scripts/sanitize.sh)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LLVM_PREFIX="${LLVM_PREFIX:-/usr/lib/llvm-22}"
BUILD_DIR="${BUILD_DIR:-$REPO/build}"

PACKAGES=(llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22
          lld-22 cmake ninja-build ccache bc python3 python3-dev python3-numpy
          python3-pytest python3-torch python3-torchvision valgrind
          gcc-aarch64-linux-gnu libc6-arm64-cross qemu-user
          ${DYN_EXTRA_PACKAGES:-})

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

if [[ ! -f "$BUILD_DIR/CMakeCache.txt" || ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S "$REPO" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$LLVM_PREFIX/bin/clang" \
    -DCMAKE_CXX_COMPILER="$LLVM_PREFIX/bin/clang++" \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit" \
    ${DYN_CMAKE_ARGS:-}
fi

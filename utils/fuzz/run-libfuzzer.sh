#!/usr/bin/env bash
# libFuzzer over dyn-fuzz (parse -> verify -> dyn-cpu-pipeline), built with
# ASan + UBSan, seeded with the lit tests' inputs.
#
#   bash utils/fuzz/run-libfuzzer.sh [SECONDS]     # default 3600
#
# Crashes are written to $FUZZ_DIR/crashes (default build-fuzz/fuzz), each
# reproducible with `build-fuzz/bin/dyn-fuzz FILE`; turn each into a lit
# test. A build of its own (every library carries libFuzzer's coverage
# instrumentation). Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz),
# FUZZ_DIR, LLVM_PREFIX.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LLVM_PREFIX="${LLVM_PREFIX:-/usr/lib/llvm-22}"
BUILD="${FUZZ_BUILD_DIR:-$REPO/build-fuzz}"
FUZZ_DIR="${FUZZ_DIR:-$BUILD/fuzz}"
SECONDS_TO_RUN="${1:-3600}"

if [[ ! -f "$BUILD/build.ninja" ]]; then
  SANITIZE_BUILD_DIR="$BUILD" DYN_EXTRA_CMAKE_ARGS="-DDYN_ENABLE_FUZZER=ON" \
    bash "$REPO/scripts/sanitize.sh" --configure-only
fi
cmake --build "$BUILD" --target dyn-fuzz
mkdir -p "$FUZZ_DIR/corpus" "$FUZZ_DIR/crashes"
python3 "$REPO/utils/fuzz/dyn-mutate.py" --corpus "$REPO/test" \
  --write-corpus "$FUZZ_DIR/seeds"
ASAN_OPTIONS="detect_leaks=1:allow_user_poisoning=0:allocator_may_return_null=1" "$BUILD/bin/dyn-fuzz" \
  -max_total_time="$SECONDS_TO_RUN" -timeout=60 -rss_limit_mb=4096 \
  -max_len=16384 -print_final_stats=1 -artifact_prefix="$FUZZ_DIR/crashes/" \
  "$FUZZ_DIR/corpus" "$FUZZ_DIR/seeds"

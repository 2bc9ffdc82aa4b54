#!/usr/bin/env bash
# The main job: set-up + build, then compile the bundled dynamic network
# (examples/gated_mlp.py: a gated residual MLP with an early exit) with
# dyn-compile and run it with dyn-run on inputs that take different paths,
# printing outputs, latency and the comparison with a numpy reference.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$REPO/build}"
PYTHON="${DYN_PYTHON:-/usr/bin/python3}"

bash "$REPO/scripts/setup.sh"
cmake --build "$BUILD_DIR" --target dyn-compile dyn-run dyn_runtime
# The CUDA shim exists only when the toolkit's cuda.h was found.
cmake --build "$BUILD_DIR" --target dyn_cuda_runtime >/dev/null 2>&1 || true

WORK="$BUILD_DIR/main-job"
mkdir -p "$WORK"
"$PYTHON" "$REPO/examples/gated_mlp.py" emit "$WORK/gated_mlp.mlir"

echo "== compile: dyn-compile gated_mlp.mlir -> gated_mlp.so"
start=$(date +%s.%N)
"$BUILD_DIR/bin/dyn-compile" "$WORK/gated_mlp.mlir" -o "$WORK/gated_mlp.so"
end=$(date +%s.%N)
printf "compiled in %.2f s (%s)\n" "$(echo "$end - $start" | bc)" \
  "$(grep -o '^[a-z_]*(.*' "$WORK/gated_mlp.h" | head -1)"

echo "== run: one input per path (batch 1 and 4), 200 timed runs after 20 warm-up"
status=0
while IFS=$'\t' read -r input path; do
  echo "-- $path"
  out="$WORK/out-$(basename "$input" .npy)"
  "$BUILD_DIR/bin/dyn-run" "$WORK/gated_mlp.so" --input "$input" \
    --output-dir "$out" --repeat 200 --warmup 20
  "$PYTHON" "$REPO/examples/gated_mlp.py" check "$input" "$out" || status=1
done < <("$PYTHON" "$REPO/examples/gated_mlp.py" inputs "$WORK/inputs")

echo "== consistency with numpy (DyCL's metric) over 300 random inputs, batch 1-8"
"$PYTHON" "$REPO/examples/gated_mlp.py" consistency "$WORK/gated_mlp.so" 300 || status=1

# The same .mlir for a CUDA GPU (when dyn was built with the CUDA toolkit):
# the kernels are listed; they run only where a GPU and its driver are.
if [ -f "$BUILD_DIR/lib/libdyn_cuda_runtime.a" ]; then
  echo "== nvptx: dyn-compile gated_mlp.mlir --target=nvptx -> gated_mlp_cuda.so"
  "$BUILD_DIR/bin/dyn-compile" "$WORK/gated_mlp.mlir" --target=nvptx \
    -o "$WORK/gated_mlp_cuda.so" --gpu-binary="$WORK/gated_mlp.gpubin"
  "$BUILD_DIR/bin/dyn-compile" "$WORK/gated_mlp.mlir" --target=nvptx --gpu-format=isa \
    --emit=obj -o "$WORK/gated_mlp_cuda.o" --gpu-binary="$WORK/gated_mlp.ptx"
  printf "embedded kernel binary: %s bytes; %s kernels for sm_90 (PTX in %s)\n" \
    "$(stat -c %s "$WORK/gated_mlp.gpubin")" \
    "$(grep -c '^\.visible \.entry' "$WORK/gated_mlp.ptx" || true)" "$WORK/gated_mlp.ptx"
  if "$PYTHON" -c "import ctypes, sys; c = ctypes.CDLL('libcuda.so.1'); n = ctypes.c_int(); sys.exit(not (c.cuInit(0) == 0 and c.cuDeviceGetCount(ctypes.byref(n)) == 0 and n.value > 0))" 2>/dev/null; then
    "$PYTHON" "$REPO/examples/gated_mlp.py" consistency "$WORK/gated_mlp_cuda.so" 300 || status=1
  else
    echo "no CUDA device here: compiled, not run"
  fi
fi
exit $status

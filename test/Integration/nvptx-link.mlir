// NVVM (CUDA) artifacts link: the host code, the dyn runtime and dyn's CUDA
// shim into a shared library against the toolkit's stub libcuda. Run where
// no driver is installed (the stub standing in for it), the call fails
// cleanly with the failed driver call named, never crashes.
// REQUIRES: cuda-shim
// RUN: rm -rf %t && mkdir -p %t/stub
// RUN: dyn-compile %S/cond.mlir --target=nvptx -o %t/cond.so
// RUN: llvm-nm -D %t/cond.so | FileCheck %s --check-prefix=SYMBOLS
// SYMBOLS-DAG: T dyn_forward
// SYMBOLS-DAG: T mgpuLaunchKernel
// SYMBOLS-DAG: T mgpuModuleLoad
// SYMBOLS-DAG: U cuLaunchKernel
// SYMBOLS-DAG: U cuMemAllocAsync
// RUN: llvm-readelf -d %t/cond.so | FileCheck %s --check-prefix=NEEDED
// NEEDED: (NEEDED) Shared library: [libcuda.so.1]
// RUN: ln -s %cuda_path/lib64/stubs/libcuda.so %t/stub/libcuda.so.1
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.ones((2, 16), np.float32)); np.save('%t/w.npy', np.ones((16, 16), np.float32))"
// RUN: env LD_LIBRARY_PATH=%t/stub not dyn-run %t/cond.so --input %t/x.npy --input %t/w.npy 2>&1 | FileCheck %s --check-prefix=NODRIVER
// NODRIVER: dyn-run: error: forward: device error: cuInit failed: CUDA error 34 (CUDA_ERROR_STUB_LIBRARY
// dyn-run compiles a .mlir for the GPU itself, with the same result here.
// RUN: env LD_LIBRARY_PATH=%t/stub not dyn-run %S/cond.mlir --target=nvptx --input %t/x.npy --input %t/w.npy 2>&1 | FileCheck %s --check-prefix=NODRIVER
// RUN: llvm-nm -D %t/cond.so | FileCheck %s --check-prefix=TIMING
// TIMING: T dyn_cuda_timing_begin

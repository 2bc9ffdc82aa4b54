// NVVM (CUDA) artifacts executed without a GPU: built with --gpu-emulation
// (every kernel also compiled for the host) and run against a stand-in
// libcuda that executes launches on the CPU, blocks one at a time, each
// thread a fiber switching at barriers (Inputs/emulated_cuda.c). The host
// dispatcher, dyn's CUDA shim, the transfers and the kernels' code (shared-
// memory matmul tiles, reduction trees, pointwise kernels) are the ones a GPU
// build runs; only NVVM code generation and the real driver are not covered.
// Every path of every integration network and the bundled example, against
// the same numpy references as the CPU builds.
// REQUIRES: cuda-shim
// RUN: rm -rf %t && mkdir -p %t/driver
// RUN: %cc -shared -fPIC -O1 -o %t/driver/libcuda.so.1 %S/Inputs/emulated_cuda.c -ldl
// RUN: dyn-compile %S/cond.mlir --target=nvptx --gpu-format=isa --gpu-emulation -o %t/cond.so
// RUN: dyn-compile %S/switch.mlir --target=nvptx --gpu-format=isa --gpu-emulation -o %t/switch.so
// RUN: dyn-compile %S/while.mlir --target=nvptx --gpu-format=isa --gpu-emulation -o %t/while.so
// RUN: dyn-compile %S/nested.mlir --target=nvptx --gpu-format=isa --gpu-emulation -o %t/nested.so
// RUN: dyn-compile %S/bounded.mlir --target=nvptx --gpu-format=isa --gpu-emulation -o %t/bounded.so
// RUN: env LD_LIBRARY_PATH=%t/driver %python %S/check.py cond %t/cond.so | FileCheck %s --check-prefix=COND
// RUN: env LD_LIBRARY_PATH=%t/driver %python %S/check.py switch %t/switch.so | FileCheck %s --check-prefix=SWITCH
// RUN: env LD_LIBRARY_PATH=%t/driver %python %S/check.py while %t/while.so | FileCheck %s --check-prefix=WHILE
// Read-only loop state forwarded without copies (elide-loop-copies) on the
// device too.
// RUN: dyn-compile %S/while.mlir --target=nvptx --gpu-format=isa --gpu-emulation --elide-loop-copies -o %t/while-elide.so
// RUN: env LD_LIBRARY_PATH=%t/driver %python %S/check.py while %t/while-elide.so | FileCheck %s --check-prefix=WHILE
// RUN: env LD_LIBRARY_PATH=%t/driver %python %S/check.py nested %t/nested.so | FileCheck %s --check-prefix=NESTED
// RUN: env LD_LIBRARY_PATH=%t/driver %python %S/check.py bounded %t/bounded.so | FileCheck %s --check-prefix=BOUNDED
// COND: cond: all paths taken
// SWITCH: switch: all paths taken
// WHILE: while: all paths taken
// NESTED: nested: all paths taken
// BOUNDED: bounded: all paths taken
// RUN: %python %dyn_src_root/examples/gated_mlp.py emit %t/gated_mlp.mlir
// RUN: dyn-compile %t/gated_mlp.mlir --target=nvptx --gpu-format=isa --gpu-emulation -o %t/gated_mlp.so
// RUN: env LD_LIBRARY_PATH=%t/driver %python %dyn_src_root/examples/gated_mlp.py consistency %t/gated_mlp.so 48 | FileCheck %s --check-prefix=EXAMPLE
// EXAMPLE: inconsistent: 0/48
// dyn-run drives it too, and reports device time.
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.full((2, 16), 0.5, np.float32)); np.save('%t/w.npy', np.eye(16, dtype=np.float32))"
// RUN: env LD_LIBRARY_PATH=%t/driver dyn-run %t/cond.so --input %t/x.npy --input %t/w.npy --repeat 3 --warmup 1 | FileCheck %s --check-prefix=TIMED
// TIMED: out0: f32[2,16] = [1, 1, 1, 1, 1, 1, 1, 1, ...]
// TIMED: forward: device (CUDA events on the call's stream, transfers included): median
// TIMED: forward: 3 runs after 1 warm-up: median
// Shape violations only the run reveals are reported at the subnet call on
// the GPU path too, and later calls work.
// RUN: dyn-compile %S/subnet-checks.mlir --target=nvptx --gpu-format=isa --gpu-emulation -o %t/checks.so
// RUN: env LD_LIBRARY_PATH=%t/driver %python %S/Inputs/subnet_checks.py %t/checks.so | FileCheck %s --check-prefix=CHECKS
// CHECKS: steps=1: 20 26 ok
// CHECKS: steps=0: error 4: grow: subnet grow_seg0: argument 1 dim 0 is 4, but argument 0 dim 1 is 2 and the two must be equal
// CHECKS: steps=1 again: 20 26 ok
// CHECKS: fixed steps=3: error 4: grow_fixed: subnet grow_fixed_seg0: argument 0 dim 1 is 16, but must be 4

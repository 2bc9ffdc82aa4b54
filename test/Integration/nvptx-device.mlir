// NVVM (CUDA) on a GPU: the integration networks and the bundled example,
// compiled for the device's architecture, run on every path against the
// same numpy references as the CPU builds (in-process, through the C ABI).
// REQUIRES: cuda-device
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %S/cond.mlir --target=nvptx -o %t/cond.so
// RUN: dyn-compile %S/switch.mlir --target=nvptx -o %t/switch.so
// RUN: dyn-compile %S/while.mlir --target=nvptx -o %t/while.so
// RUN: dyn-compile %S/nested.mlir --target=nvptx -o %t/nested.so
// RUN: dyn-compile %S/bounded.mlir --target=nvptx -o %t/bounded.so
// RUN: dyn-compile %S/cond.mlir --target=nvptx --gpu-format=isa -o %t/cond.ptx.so
// RUN: %python %S/check.py cond %t/cond.so %t/cond.ptx.so | FileCheck %s --check-prefix=COND
// RUN: %python %S/check.py switch %t/switch.so | FileCheck %s --check-prefix=SWITCH
// RUN: %python %S/check.py while %t/while.so | FileCheck %s --check-prefix=WHILE
// RUN: %python %S/check.py nested %t/nested.so | FileCheck %s --check-prefix=NESTED
// RUN: %python %S/check.py bounded %t/bounded.so | FileCheck %s --check-prefix=BOUNDED
// COND: cond: all paths taken
// SWITCH: switch: all paths taken
// WHILE: while: all paths taken
// NESTED: nested: all paths taken
// BOUNDED: bounded: all paths taken
// RUN: %python %dyn_src_root/examples/gated_mlp.py emit %t/gated_mlp.mlir
// RUN: dyn-compile %t/gated_mlp.mlir --target=nvptx -o %t/gated_mlp.so
// RUN: %python %dyn_src_root/examples/gated_mlp.py consistency %t/gated_mlp.so 24 | FileCheck %s --check-prefix=EXAMPLE
// EXAMPLE: inconsistent: 0/24

// AArch64: the integration networks cross-compiled (NEON vectors), linked
// with aarch64-linux-gnu-gcc against the cross-built runtime, and run under
// qemu-aarch64 on every path, against the same numpy references as x86-64.
// REQUIRES: aarch64-qemu
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %S/cond.mlir --target=aarch64 -o %t/cond.so
// RUN: dyn-compile %S/switch.mlir --target=aarch64 -o %t/switch.so
// RUN: dyn-compile %S/while.mlir --target=aarch64 -o %t/while.so
// RUN: dyn-compile %S/nested.mlir --target=aarch64 -o %t/nested.so
// RUN: llvm-readelf -h %t/cond.so | FileCheck %s --check-prefix=ELF
// RUN: %python %S/check.py cond %t/cond.so --runner "%qemu_aarch64 %dyn_run_min_aarch64" | FileCheck %s --check-prefix=COND
// RUN: %python %S/check.py switch %t/switch.so --runner "%qemu_aarch64 %dyn_run_min_aarch64" | FileCheck %s --check-prefix=SWITCH
// RUN: %python %S/check.py while %t/while.so --runner "%qemu_aarch64 %dyn_run_min_aarch64" | FileCheck %s --check-prefix=WHILE
// RUN: %python %S/check.py nested %t/nested.so --runner "%qemu_aarch64 %dyn_run_min_aarch64" | FileCheck %s --check-prefix=NESTED
// ELF: Machine: AArch64
// COND: cond: all paths taken
// SWITCH: switch: all paths taken
// WHILE: while: all paths taken
// NESTED: nested: all paths taken

// The bundled example, cross-compiled from the same .mlir, on all 6 paths.
// RUN: %python %dyn_src_root/examples/gated_mlp.py emit %t/gated_mlp.mlir
// RUN: dyn-compile %t/gated_mlp.mlir --target=aarch64 -o %t/gated_mlp.so
// RUN: %python %dyn_src_root/examples/gated_mlp.py consistency %t/gated_mlp.so 24 --runner "%qemu_aarch64 %dyn_run_min_aarch64" | FileCheck %s --check-prefix=EXAMPLE
// EXAMPLE: inconsistent: 0/24

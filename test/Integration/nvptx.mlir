// NVVM (CUDA), what needs no toolkit: the integration networks compile for
// sm_90 from the same .mlir files as for x86-64 and AArch64, and the host
// code and kernels have the structure the targets issue asks for.
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %S/cond.mlir --target=nvptx --gpu-format=isa --emit=obj -o %t/cond.o --gpu-binary=%t/cond.ptx
// RUN: dyn-compile %S/switch.mlir --target=nvptx --gpu-format=isa --emit=obj -o %t/switch.o
// RUN: dyn-compile %S/nested.mlir --target=nvptx --gpu-format=isa --emit=obj -o %t/nested.o
// RUN: dyn-compile %S/bounded.mlir --target=nvptx --gpu-format=isa --emit=obj -o %t/bounded.o
// RUN: llvm-readelf -h %t/cond.o | FileCheck %s --check-prefix=HOSTOBJ
// HOSTOBJ: Machine: Advanced Micro Devices X86-64

// One PTX module for sm_90; the gated block's matmul stages its operands
// through two 16x16 f32 tiles of shared memory between barriers, and the
// reductions deciding the branches use a shared-memory tree.
// RUN: FileCheck %s --check-prefix=PTX < %t/cond.ptx
// PTX: .target sm_90
// PTX-DAG: .visible .entry forward_cond0_then_kernel_0(
// PTX-DAG: .shared .align 4 .b8 __wg_forward_cond0_then_kernel_0_0[1024];
// PTX-DAG: .shared .align 4 .b8 __wg_forward_cond0_then_kernel_0_1[1024];
// PTX-DAG: .shared .align 4 .b8 {{.*}}[1024];
// PTX-DAG: bar.sync

// The dispatcher of a tensor-predicate loop: subnets run as kernels on the
// device, tensors stay there; per iteration the host copies back the one
// predicate and waits once; the loop state copy is a kernel, not a transfer.
// RUN: dyn-opt %S/while.mlir --dyn-nvptx-pipeline="gpu-format=isa" --mlir-print-ir-after=dyn-elide-gpu-waits -o /dev/null 2>&1 | FileCheck %s --check-prefix=HOST
// The entry wrapper: inputs cross once, outputs come back once.
// HOST-LABEL: func.func @double_until(
//      HOST:   gpu.memcpy
//      HOST:   call @double_until__device
//      HOST:   gpu.memcpy
// HOST-LABEL: func.func private @double_until__device
//       HOST:   gpu.launch_func async
//       HOST:   scf.while
//       HOST:     func.call @double_until_while0_before
//  HOST-NEXT:     %[[S:.+]] = gpu.wait async
//  HOST-NEXT:     %[[T:.+]] = gpu.memcpy async [%[[S]]] %[[HOSTP:.+]], %{{.+}} : memref<i1>, memref<i1>
//  HOST-NEXT:     gpu.wait [%[[T]]]
//  HOST-NEXT:     memref.load %[[HOSTP]][] : memref<i1>
//   HOST-NOT:     gpu.wait [
//       HOST:     gpu.launch_func async
//   HOST-NOT:     gpu.wait [
//       HOST:   } do {
//   HOST-NOT:     gpu.memcpy
//   HOST-NOT:     gpu.wait [
//       HOST:     func.call @double_until_while0_after
//   HOST-NOT:     gpu.wait [
//       HOST:   return

// The bundled example, for the GPU, from the same .mlir file.
// RUN: %python %dyn_src_root/examples/gated_mlp.py emit %t/gated_mlp.mlir
// RUN: dyn-compile %t/gated_mlp.mlir --target=nvptx --gpu-format=isa --emit=obj -o %t/gated_mlp.o --gpu-binary=%t/gated_mlp.ptx
// RUN: FileCheck %s --check-prefix=EXAMPLE < %t/gated_mlp.ptx
// EXAMPLE: .target sm_90
// EXAMPLE: .visible .entry

// Bad options are diagnosed.
// RUN: not dyn-compile %S/cond.mlir --target=nvptx --gpu-chip=gfx90a -o %t/x.o 2>&1 | FileCheck %s --check-prefix=BADCHIP
// BADCHIP: error: unknown GPU chip 'gfx90a' (expected sm_<NN>, e.g. sm_90)
// RUN: not dyn-compile %S/cond.mlir --target=nvptx --gpu-format=elf -o %t/x.o 2>&1 | FileCheck %s --check-prefix=BADFORMAT
// BADFORMAT: error: unknown GPU binary format 'elf' (expected fatbin, bin or isa)
// RUN: not dyn-compile %S/cond.mlir --emit=obj -o %t/x.o --gpu-binary=%t/x.bin 2>&1 | FileCheck %s --check-prefix=NOGPU
// NOGPU: error: --gpu-binary: expected one kernel binary, found 0 (is the target nvptx?)

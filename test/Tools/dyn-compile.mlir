// RUN: dyn-compile %s --emit=mlir | FileCheck %s --check-prefix=MLIR
// RUN: dyn-compile %s --emit=llvm | FileCheck %s --check-prefix=LLVM
// RUN: rm -rf %t && mkdir -p %t
// RUN: dyn-compile %s --emit=obj -o %t/net.o
// RUN: llvm-nm %t/net.o | FileCheck %s --check-prefix=NM
// RUN: FileCheck %s --check-prefix=HEADER < %t/net.h
// RUN: dyn-compile %s -o %t/net.so --header %t/other.h --timing 2>&1 | FileCheck %s --check-prefix=TIMING
// RUN: llvm-nm -D --defined-only %t/net.so | FileCheck %s --check-prefix=SO
// RUN: test -f %t/other.h
// RUN: dyn-compile %s --target=aarch64 --emit=obj -o %t/net-arm.o
// RUN: llvm-readelf -h %t/net-arm.o | FileCheck %s --check-prefix=ARM
// RUN: not dyn-compile %s --target=riscv 2>&1 | FileCheck %s --check-prefix=BADTARGET
// RUN: not dyn-compile %s --cpu=not-a-cpu --emit=obj -o %t/bad.o 2>&1 | FileCheck %s --check-prefix=BADCPU
// RUN: not dyn-compile %S/Inputs/parse-error.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// RUN: not dyn-compile %S/Inputs/abi-error.mlir 2>&1 | FileCheck %s --check-prefix=ABI
// RUN: dyn-compile --help | FileCheck %s --check-prefix=HELP

// MLIR: llvm.func @dyn_scale(
// LLVM: define i32 @dyn_scale(ptr
// NM-DAG: T dyn_scale
// NM-DAG: R dyn_module_signature
// NM-DAG: U dyn_rt_check_inputs
// HEADER: #ifndef DYN_GENERATED_DYN_COMPILE_MLIR_H
// HEADER: typedef struct dyn_tensor {
// HEADER: extern const char dyn_module_signature[];
// HEADER: /* scale(f32[?,8], f32[]) -> (f32[?,8]) */
// HEADER-NEXT: int32_t dyn_scale(const dyn_tensor *inputs, int64_t num_inputs,
// TIMING: MLIR pipeline (dyn-cpu-pipeline)
// TIMING: DynOutlineRegions
// TIMING: LLVM optimization
// TIMING: LLVM code generation
// TIMING: link
// SO-DAG: T dyn_scale
// SO-DAG: T dyn_last_error
// SO-DAG: T dyn_tensor_release
// SO-NOT: T scale
// ARM: Machine: AArch64
// BADTARGET: error: unknown target 'riscv' (expected x86_64, aarch64 or nvptx)
// BADCPU: not a recognized processor
// PARSE: parse-error.mlir:5:3: error: custom op 'dyn.cond' expected 'else'
// ABI: abi-error.mlir:3:1: error: argument #0 of 'bad' has type 'complex<f32>', which the C ABI does not carry
// HELP: dyn-compile: compile a dynamic network
// HELP: --emit=<value>
// HELP: =shared
// HELP: --target=<string>

func.func @scale(%x: tensor<?x8xf32>, %s: f32) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %f = linalg.fill ins(%s : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %r = arith.mulf %x, %f : tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

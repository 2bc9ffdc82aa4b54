// RUN: dyn-opt %s --dyn-emit-c-abi --split-input-file --verify-diagnostics | FileCheck %s

// Every public function gets int32_t dyn_F(in, n_in, out, n_out); the
// runtime checks inputs against the signature table, descriptors cross via
// dyn_rt_import/dyn_rt_export, scalars as rank-0 tensors.
// CHECK-LABEL: func.func private @forward(
// CHECK-DAG: llvm.mlir.global private constant @__dyn_signature_forward(dense<[2, 2, 0, 2, -1, 64, 8, 0, 0, 2, -1, 10, 7, 0]> : tensor<14xi64>)
// CHECK-DAG: llvm.mlir.global private constant @__dyn_name_forward("forward\00")
// CHECK-LABEL: func.func @dyn_forward(
// CHECK-SAME: %[[IN:.+]]: !llvm.ptr, %[[NIN:.+]]: i64, %[[OUT:.+]]: !llvm.ptr, %[[NOUT:.+]]: i64) -> i32
// CHECK: %[[ST:.+]] = call @dyn_rt_check_inputs(%{{.+}}, %{{.+}}, %[[IN]], %[[NIN]], %[[NOUT]])
// CHECK: cf.cond_br %{{.+}}, ^[[FAIL:.+]], ^[[OK:.+]]
// CHECK: ^[[FAIL]]:
// CHECK-NEXT: return %[[ST]] : i32
// CHECK: ^[[OK]]:
// CHECK: call @dyn_rt_import
// CHECK: builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<?x64xf32>
// CHECK: llvm.load %{{.+}} : !llvm.ptr -> i64
// CHECK: %[[R:.+]]:2 = call @forward(
// CHECK: call @dyn_rt_export(
// CHECK: call @dyn_rt_export_scalar(
// CHECK: %[[DONE:.+]] = call @dyn_rt_finish_outputs(
// CHECK: return %[[DONE]] : i32
// CHECK: llvm.mlir.global external constant @dyn_module_signature("forward(f32[?,64], i64[]) -> (f32[?,10], i32[])\0A\00")
func.func @forward(%x: memref<?x64xf32>, %n: i64) -> (memref<?x10xf32>, i32) {
  %c0 = arith.constant 0 : index
  %d = memref.dim %x, %c0 : memref<?x64xf32>
  %r = memref.alloc(%d) : memref<?x10xf32>
  %k = arith.trunci %n : i64 to i32
  return %r, %k : memref<?x10xf32>, i32
}

// Private functions are not entry points.
// CHECK-NOT: @dyn_helper
func.func private @helper(%x: memref<?xf32>) -> memref<?xf32> {
  return %x : memref<?xf32>
}

// -----

// expected-error @+1 {{argument #0 of 'strided' has a non-identity layout 'memref<?xf32, strided<[2]>>', which the C ABI does not carry}}
func.func @strided(%x: memref<?xf32, strided<[2]>>) {
  return
}

// -----

// expected-error @+1 {{result #0 of 'complex' has element type 'complex<f32>', which the C ABI does not carry}}
func.func @complex() -> memref<2xcomplex<f32>> {
  %m = memref.alloc() : memref<2xcomplex<f32>>
  return %m : memref<2xcomplex<f32>>
}

// -----

// expected-error @+1 {{argument #0 of 'rank9' has rank 9; the C ABI carries at most 8}}
func.func @rank9(%x: memref<1x1x1x1x1x1x1x1x1xf32>) {
  return
}

// -----

// expected-error @+1 {{cannot export entry point 'taken': the symbol 'dyn_taken' already exists}}
func.func @taken() {
  return
}
func.func private @dyn_taken() {
  return
}

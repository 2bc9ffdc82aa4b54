// RUN: dyn-opt %s --dyn-cpu-pipeline="cpu=" | FileCheck %s
// RUN: dyn-opt %s --dyn-cpu-pipeline="outline=false vectorize=false" | FileCheck %s --check-prefix=PLAIN
// RUN: dyn-opt %s --dyn-cpu-pipeline="triple=aarch64-unknown-linux-gnu cpu=neoverse-n1 vector-size=4" | FileCheck %s --check-prefix=ARM

// Down to the LLVM dialect: subnets and the dispatcher are LLVM functions,
// tiles are vector code (whole tiles and the peeled rest, unmasked), and
// dyn_forward is the C ABI entry.
// CHECK: module attributes {dyn.target_cpu = "", dyn.target_features = "", llvm.target_triple = "x86_64-unknown-linux-gnu"}
// CHECK-NOT: dyn.cond
// CHECK-DAG: llvm.func internal @forward(
// CHECK-DAG: llvm.func internal @forward_seg0(
// CHECK-DAG: llvm.func internal @forward_cond0_then(
// CHECK-DAG: llvm.func @dyn_forward(%{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: !llvm.ptr, %{{.+}}: i64) -> i32
// CHECK-DAG: llvm.load %{{.+}} : !llvm.ptr -> vector<16xf32>
// CHECK-DAG: llvm.intr.fmuladd
// CHECK-DAG: llvm.mlir.global external constant @dyn_module_signature("forward(f32[?,32], f32[32,32]) -> (f32[?,32])\0A\00")
// PLAIN-NOT: @forward_seg0
// PLAIN-NOT: -> vector<16xf32>
// PLAIN: llvm.func @dyn_forward(
// ARM: llvm.target_triple = "aarch64-unknown-linux-gnu"
// ARM: vector<4xf32>
func.func @forward(%x: tensor<?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %s1 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<?x32xf32>) -> tensor<?x1xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %p = tensor.collapse_shape %g [] : tensor<1x1xi1> into tensor<i1>
  %r = dyn.cond %p : tensor<i1> -> tensor<?x32xf32> {
    %n = tensor.dim %x, %c0 : tensor<?x32xf32>
    %e = tensor.empty(%n) : tensor<?x32xf32>
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
    %m = linalg.matmul ins(%x, %w : tensor<?x32xf32>, tensor<32x32xf32>) outs(%z : tensor<?x32xf32>) -> tensor<?x32xf32>
    dyn.yield %m : tensor<?x32xf32>
  } else {
    dyn.yield %x : tensor<?x32xf32>
  }
  return %r : tensor<?x32xf32>
}

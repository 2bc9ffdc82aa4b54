// Gated residual block and an early exit whose branches yield different
// shapes, compiled with and without outlining, run on every path.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --no-outline -o %t.plain.so
// The same network written in MLIR's generic form (as other tools emit it):
// RUN: dyn-opt %s --mlir-print-op-generic -o %t.generic.mlir
// RUN: dyn-compile %t.generic.mlir -o %t.generic.so
// RUN: %python %S/check.py cond %t.so %t.plain.so %t.generic.so | FileCheck %s
// CHECK: cond: path gate=then exit=then: {{[0-9]+}} runs ok
// CHECK: cond: path gate=then exit=else: {{[0-9]+}} runs ok
// CHECK: cond: path gate=else exit=then: {{[0-9]+}} runs ok
// CHECK: cond: path gate=else exit=else: {{[0-9]+}} runs ok
// CHECK: cond: all paths taken

func.func @forward(%x: tensor<?x16xf32>, %w: tensor<16x16xf32>)
    -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %four = "tosa.const"() <{values = dense<4.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>

  // gate = sum(x) > 0
  %s1 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<?x16xf32>) -> tensor<?x1xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %gate = tensor.collapse_shape %g [] : tensor<1x1xi1> into tensor<i1>

  // h = gate ? x + relu(x @ w) : x * x
  %h = dyn.cond %gate : tensor<i1> -> tensor<?x16xf32> {
    %n = tensor.dim %x, %c0 : tensor<?x16xf32>
    %e = tensor.empty(%n) : tensor<?x16xf32>
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
    %m = linalg.matmul ins(%x, %w : tensor<?x16xf32>, tensor<16x16xf32>)
                       outs(%z : tensor<?x16xf32>) -> tensor<?x16xf32>
    %r = tosa.clamp %m {min_val = 0.0 : f32, max_val = 3.4e38 : f32}
        : (tensor<?x16xf32>) -> tensor<?x16xf32>
    %y = tosa.add %x, %r : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
    dyn.yield %y : tensor<?x16xf32>
  } else {
    %sq = arith.mulf %x, %x : tensor<?x16xf32>
    dyn.yield %sq : tensor<?x16xf32>
  }

  // exit = max(h) > 4 ? h : ones(1x16) (a branch of another shape)
  %m1 = tosa.reduce_max %h {axis = 1 : i32} : (tensor<?x16xf32>) -> tensor<?x1xf32>
  %m2 = tosa.reduce_max %m1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %b = tosa.greater %m2, %four : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %big = tensor.collapse_shape %b [] : tensor<1x1xi1> into tensor<i1>
  %out = dyn.cond %big : tensor<i1> -> tensor<?x16xf32> {
    dyn.yield %h : tensor<?x16xf32>
  } else {
    %ones = arith.constant dense<1.0> : tensor<1x16xf32>
    dyn.yield %ones : tensor<1x16xf32>
  }
  return %h, %out : tensor<?x16xf32>, tensor<?x16xf32>
}

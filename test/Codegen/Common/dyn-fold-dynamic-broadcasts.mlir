// RUN: dyn-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tosa-to-linalg,dyn-fold-dynamic-broadcasts))" | FileCheck %s

// A residual add: both operands have the batch dim of %x (the matmul's
// result is sized by tensor.dim %x), so neither needs a broadcast check.
// CHECK-LABEL: func.func @residual
//  CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[W:.+]]: tensor<64x64xf32>)
//       CHECK:   %[[MM:.+]] = linalg.matmul
//   CHECK-NOT:   scf.if
//   CHECK-NOT:   arith.maxui
//       CHECK:   %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x64xf32>
//       CHECK:   %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?x64xf32>
//       CHECK:   linalg.generic
//  CHECK-SAME:     ins(%[[X]], %[[MM]] : tensor<?x64xf32>, tensor<?x64xf32>) outs(%[[E]]
func.func @residual(%x: tensor<?x64xf32>, %w: tensor<64x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x64xf32>) outs(%z : tensor<?x64xf32>) -> tensor<?x64xf32>
  %r = tosa.add %x, %m : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// -----

// Softmax over a dynamic row count: the reduction keeps the rows of its
// input, so sub and mul with the [?, 1] sums need no checks; a chain of
// three elementwise ops is resolved by iterating.
// CHECK-LABEL: func.func @softmax
//   CHECK-NOT:   scf.if
//       CHECK:   return
func.func @softmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %mx = tosa.reduce_max %x {axis = 1 : i32} : (tensor<?x?xf32>) -> tensor<?x1xf32>
  %d = tosa.sub %x, %mx : (tensor<?x?xf32>, tensor<?x1xf32>) -> tensor<?x?xf32>
  %e = tosa.exp %d : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %s = tosa.reduce_sum %e {axis = 1 : i32} : (tensor<?x?xf32>) -> tensor<?x1xf32>
  %r = tosa.reciprocal %s : (tensor<?x1xf32>) -> tensor<?x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<?x?xf32>, tensor<?x1xf32>, tensor<1xi8>) -> tensor<?x?xf32>
  return %p : tensor<?x?xf32>
}

// -----

// Two unrelated inputs: either may broadcast against the other at run time,
// so both checks stay.
// CHECK-LABEL: func.func @unrelated
//  CHECK-SAME: (%[[A:.+]]: tensor<?x64xf32>, %[[B:.+]]: tensor<?x64xf32>)
//       CHECK:   %[[DA:.+]] = tensor.dim %[[A]]
//       CHECK:   %[[DB:.+]] = tensor.dim %[[B]]
//       CHECK:   arith.maxui %[[DA]], %[[DB]]
//       CHECK:   scf.if
//       CHECK:   scf.if
//       CHECK:   linalg.generic
func.func @unrelated(%a: tensor<?x64xf32>, %b: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %r = tosa.add %a, %b : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}

// -----

// The same tensor twice: its guards are found equal, CSE on the analysis
// copy merges them, and the erased copy was once looked up through the
// clone mapping (a use-after-free that ASan reported; the sanitizer build
// runs this test).
// CHECK-LABEL: func.func @self_add
//   CHECK-NOT:   scf.if
//       CHECK:   linalg.generic
//   CHECK-NOT:   scf.if
//       CHECK:   return
func.func @self_add(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = tosa.add %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// RUN: dyn-opt %s --split-input-file --dyn-infer-symbolic-dims | FileCheck %s

// An additive attention mask [B, S] expanded with the batch and sequence
// extents of %x: the mask's dims take the symbols of x's.
// CHECK-LABEL: func.func @mask
//  CHECK-SAME: %{{.+}}: tensor<?x?x64xf32> {dyn.symbolic_dims = array<i64: 0, 1, -1>}
//  CHECK-SAME: %{{.+}}: tensor<?x?xf32> {dyn.symbolic_dims = array<i64: 0, 1>}
func.func @mask(%x: tensor<?x?x64xf32>, %mask: tensor<?x?xf32>) -> tensor<?x1x1x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x64xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?x64xf32>
  %m = tensor.expand_shape %mask [[0, 1, 2], [3]] output_shape [%b, 1, 1, %s]
      : tensor<?x?xf32> into tensor<?x1x1x?xf32>
  return %m : tensor<?x1x1x?xf32>
}

// -----

// A matmul ties the contraction dims; traced through a transpose and an
// elementwise op whose other operand broadcasts (static 1).
// CHECK-LABEL: func.func @contraction
//  CHECK-SAME: %{{.+}}: tensor<?x?xf32> {dyn.symbolic_dims = array<i64: 0, 1>}
//  CHECK-SAME: %{{.+}}: tensor<?x?xf32> {dyn.symbolic_dims = array<i64: 2, 1>}
//  CHECK-SAME: %{{.+}}: tensor<1x?xf32> {dyn.symbolic_dims = array<i64: -1, 3>}
func.func @contraction(%a: tensor<?x?xf32>, %bt: tensor<?x?xf32>, %bias: tensor<1x?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %b = tosa.transpose %bt {perms = array<i32: 1, 0>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %c1 = arith.constant 1 : index
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %e = tensor.empty(%m, %n) : tensor<?x?xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%z : tensor<?x?xf32>) -> tensor<?x?xf32>
  %r = tosa.add %mm, %bias : (tensor<?x?xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// Broadcasting imposes nothing (either side may be 1); static arguments get
// no attribute.
// CHECK-LABEL: func.func @broadcast
//  CHECK-SAME: %{{.+}}: tensor<?x4xf32> {dyn.symbolic_dims = array<i64: 0, -1>}
//  CHECK-SAME: %{{.+}}: tensor<?x4xf32> {dyn.symbolic_dims = array<i64: 1, -1>}
//  CHECK-SAME: %{{[^:]+}}: tensor<2x4xf32>)
func.func @broadcast(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>, %c: tensor<2x4xf32>) -> tensor<?x4xf32> {
  %r = tosa.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// Concatenation along rows ties the columns, also across a dyn.cond region
// (values captured from above trace to the arguments).
// CHECK-LABEL: func.func @concat
//  CHECK-SAME: %{{.+}}: tensor<?x?xf32> {dyn.symbolic_dims = array<i64: 0, 1>}
//  CHECK-SAME: %{{.+}}: tensor<?x?xf32> {dyn.symbolic_dims = array<i64: 2, 1>}
func.func @concat(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %p: i1) -> tensor<?x?xf32> {
  %r = dyn.cond %p : i1 -> tensor<?x?xf32> {
    %c = tensor.concat dim(0) %a, %b : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
    dyn.yield %c : tensor<?x?xf32>
  } else {
    dyn.yield %a : tensor<?x?xf32>
  }
  return %r : tensor<?x?xf32>
}

// -----

// A dynamic dim contracted with a static one must have its extent
// (canonicalization expresses it as a refining cast, linalg as a shared
// loop dim): dyn.required_extents.
// CHECK-LABEL: func.func @required
//  CHECK-SAME: %{{.+}}: tensor<?x?xf32> {dyn.required_extents = array<i64: -1, 4>, dyn.symbolic_dims = array<i64: 0, 1>}
//  CHECK-SAME: %{{.+}}: tensor<?x?xf32> {dyn.required_extents = array<i64: 8, -1>, dyn.symbolic_dims = array<i64: 2, 3>}
func.func @required(%x: tensor<?x?xf32>, %w: tensor<4x2xf32>, %y: tensor<?x?xf32>) -> (tensor<?x2xf32>, tensor<8x?xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x?xf32>
  %e = tensor.empty(%n) : tensor<?x2xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x2xf32>) -> tensor<?x2xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x?xf32>, tensor<4x2xf32>) outs(%z : tensor<?x2xf32>) -> tensor<?x2xf32>
  %c = tensor.cast %y : tensor<?x?xf32> to tensor<8x?xf32>
  return %m, %c : tensor<?x2xf32>, tensor<8x?xf32>
}

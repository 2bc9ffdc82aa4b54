// A shape violation that only the run can reveal (a loop grows a tensor that
// a later matmul contracts with an input) is reported by the check at the
// subnet call, not read out of bounds; later calls still work.
// RUN: dyn-compile %s -o %t.so
// RUN: %python %S/Inputs/subnet_checks.py %t.so | FileCheck %s
// RUN: dyn-compile %s --no-vectorize -o %t.scalar.so
// RUN: %python %S/Inputs/subnet_checks.py %t.scalar.so | FileCheck %s
// CHECK: steps=1: 20 26 ok
// CHECK: steps=0: error 4: grow: subnet grow_seg0: argument 1 dim 0 is 4, but argument 0 dim 1 is 2 and the two must be equal
// CHECK: steps=2: error 4: grow: subnet grow_seg0: argument 1 dim 0 is 4, but argument 0 dim 1 is 8 and the two must be equal
// CHECK: steps=1 again: 20 26 ok
// CHECK: fixed steps=1: 20 26 ok
// CHECK: fixed steps=0: error 4: grow_fixed: subnet grow_fixed_seg0: argument 0 dim 1 is 2, but must be 4
// CHECK: fixed steps=3: error 4: grow_fixed: subnet grow_fixed_seg0: argument 0 dim 1 is 16, but must be 4
func.func @grow(%x: tensor<1x?xf32>, %w: tensor<?x2xf32>, %n: i64) -> tensor<1x2xf32> {
  %c0 = arith.constant 0 : i64
  %r:2 = dyn.while (%a = %x, %i = %c0) : (tensor<1x?xf32>, i64) -> (tensor<1x?xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    dyn.condition(%go : i1) %a, %i : tensor<1x?xf32>, i64
  } do {
  ^bb0(%b: tensor<1x?xf32>, %j: i64):
    %g = tensor.concat dim(1) %b, %b : (tensor<1x?xf32>, tensor<1x?xf32>) -> tensor<1x?xf32>
    %c1 = arith.constant 1 : i64
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %g, %j1 : tensor<1x?xf32>, i64
  }
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%r#0, %w : tensor<1x?xf32>, tensor<?x2xf32>) outs(%z : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// The same loop contracted with a static weight: the subnet needs the grown
// dim at one fixed extent.
func.func @grow_fixed(%x: tensor<1x?xf32>, %w: tensor<4x2xf32>, %n: i64) -> tensor<1x2xf32> {
  %c0 = arith.constant 0 : i64
  %r:2 = dyn.while (%a = %x, %i = %c0) : (tensor<1x?xf32>, i64) -> (tensor<1x?xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    dyn.condition(%go : i1) %a, %i : tensor<1x?xf32>, i64
  } do {
  ^bb0(%b: tensor<1x?xf32>, %j: i64):
    %g = tensor.concat dim(1) %b, %b : (tensor<1x?xf32>, tensor<1x?xf32>) -> tensor<1x?xf32>
    %c1 = arith.constant 1 : i64
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %g, %j1 : tensor<1x?xf32>, i64
  }
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%r#0, %w : tensor<1x?xf32>, tensor<4x2xf32>) outs(%z : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

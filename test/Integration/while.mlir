// Loops run 0, 1 and many times: a carried tensor that grows by a row per
// iteration (scalar trip count), and a tensor-predicate loop bounded by
// max_iterations.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --no-outline -o %t.plain.so
// The same network written in MLIR's generic form (as other tools emit it):
// RUN: dyn-opt %s --mlir-print-op-generic -o %t.generic.mlir
// RUN: dyn-compile %t.generic.mlir -o %t.generic.so
// RUN: %python %S/check.py while %t.so %t.plain.so %t.generic.so | FileCheck %s
// CHECK: while: path grow-0: {{[0-9]+}} runs ok
// CHECK: while: path grow-1: {{[0-9]+}} runs ok
// CHECK: while: path grow-many: {{[0-9]+}} runs ok
// CHECK: while: path double-0: {{[0-9]+}} runs ok
// CHECK: while: path double-1: {{[0-9]+}} runs ok
// CHECK: while: path double-many: {{[0-9]+}} runs ok
// CHECK: while: path double-capped: {{[0-9]+}} runs ok
// CHECK: while: all paths taken

// Appends 2 * last row, n times: rows = 1 + n.
func.func @grow(%x: tensor<1x4xf32>, %n: i64) -> (tensor<?x4xf32>, i64) {
  %c0 = arith.constant 0 : i64
  %r:2 = dyn.while (%acc = %x : tensor<1x4xf32>, %i = %c0)
      : (tensor<?x4xf32>, i64) -> (tensor<?x4xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    dyn.condition(%go : i1) %acc, %i : tensor<?x4xf32>, i64
  } do {
  ^bb0(%a: tensor<?x4xf32>, %j: i64):
    %c0i = arith.constant 0 : index
    %c1i = arith.constant 1 : index
    %len = tensor.dim %a, %c0i : tensor<?x4xf32>
    %lm1 = arith.subi %len, %c1i : index
    %last = tensor.extract_slice %a[%lm1, 0] [1, 4] [1, 1] : tensor<?x4xf32> to tensor<1x4xf32>
    %dbl = arith.addf %last, %last : tensor<1x4xf32>
    %grown = tensor.concat dim(0) %a, %dbl : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
    %c1 = arith.constant 1 : i64
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %grown, %j1 : tensor<?x4xf32>, i64
  } attributes {max_iterations = 64 : i64}
  return %r#0, %r#1 : tensor<?x4xf32>, i64
}

// Doubles x while sum(|x|) < limit, at most 10 times; counts the doublings.
func.func @double_until(%x: tensor<?x4xf32>, %limit: tensor<1x1xf32>)
    -> (tensor<?x4xf32>, i32) {
  %c0 = arith.constant 0 : i32
  %r:2 = dyn.while (%a = %x, %k = %c0) : (tensor<?x4xf32>, i32) -> (tensor<?x4xf32>, i32) {
    %abs = tosa.abs %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
    %s1 = tosa.reduce_sum %abs {axis = 1 : i32} : (tensor<?x4xf32>) -> tensor<?x1xf32>
    %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
    %lt = tosa.greater %limit, %s2 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
    %p = tensor.collapse_shape %lt [] : tensor<1x1xi1> into tensor<i1>
    dyn.condition(%p : tensor<i1>) %a, %k : tensor<?x4xf32>, i32
  } do {
  ^bb0(%b: tensor<?x4xf32>, %m: i32):
    %d = tosa.add %b, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %c1 = arith.constant 1 : i32
    %m1 = arith.addi %m, %c1 : i32
    dyn.yield %d, %m1 : tensor<?x4xf32>, i32
  } attributes {max_iterations = 10 : i64}
  return %r#0, %r#1 : tensor<?x4xf32>, i32
}

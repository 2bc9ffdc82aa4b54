// A cond inside a while inside a switch, with a dynamic batch.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --no-outline -o %t.plain.so
// The same network written in MLIR's generic form (as other tools emit it):
// RUN: dyn-opt %s --mlir-print-op-generic -o %t.generic.mlir
// RUN: dyn-compile %t.generic.mlir -o %t.generic.so
// RUN: %python %S/check.py nested %t.so %t.plain.so %t.generic.so | FileCheck %s
// CHECK: nested: path default: {{[0-9]+}} runs ok
// CHECK: nested: path loop-0: {{[0-9]+}} runs ok
// CHECK: nested: path loop-then: {{[0-9]+}} runs ok
// CHECK: nested: path loop-else: {{[0-9]+}} runs ok
// CHECK: nested: path loop-mixed: {{[0-9]+}} runs ok
// CHECK: nested: all paths taken

func.func @forward(%x: tensor<?x4xf32>, %k: tensor<i64>, %n: i64) -> tensor<?x4xf32> {
  %half = "tosa.const"() <{values = dense<0.5> : tensor<1x4xf32>}> : () -> tensor<1x4xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x4xf32>}> : () -> tensor<1x4xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %c0 = arith.constant 0 : i64
  %r = dyn.switch %k : tensor<i64> -> tensor<?x4xf32>
  case 1 {
    %w:2 = dyn.while (%a = %x, %i = %c0) : (tensor<?x4xf32>, i64) -> (tensor<?x4xf32>, i64) {
      %go = arith.cmpi slt, %i, %n : i64
      dyn.condition(%go : i1) %a, %i : tensor<?x4xf32>, i64
    } do {
    ^bb0(%b: tensor<?x4xf32>, %j: i64):
      %s1 = tosa.reduce_sum %b {axis = 1 : i32} : (tensor<?x4xf32>) -> tensor<?x1xf32>
      %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
      %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
      %p = tensor.collapse_shape %g [] : tensor<1x1xi1> into tensor<i1>
      %c = dyn.cond %p : tensor<i1> -> tensor<?x4xf32> {
        %h = tosa.mul %b, %half, %shift : (tensor<?x4xf32>, tensor<1x4xf32>, tensor<1xi8>) -> tensor<?x4xf32>
        %hm = tosa.sub %h, %one : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
        dyn.yield %hm : tensor<?x4xf32>
      } else {
        %p1 = tosa.add %b, %one : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
        dyn.yield %p1 : tensor<?x4xf32>
      }
      %c1 = arith.constant 1 : i64
      %j1 = arith.addi %j, %c1 : i64
      dyn.yield %c, %j1 : tensor<?x4xf32>, i64
    }
    dyn.yield %w#0 : tensor<?x4xf32>
  }
  default {
    %t = tosa.add %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %t3 = tosa.add %t, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    dyn.yield %t3 : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

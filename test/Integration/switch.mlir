// Expert routing: an argmax picks one of three experts or the default.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --no-outline -o %t.plain.so
// The same network written in MLIR's generic form (as other tools emit it):
// RUN: dyn-opt %s --mlir-print-op-generic -o %t.generic.mlir
// RUN: dyn-compile %t.generic.mlir -o %t.generic.so
// RUN: %python %S/check.py switch %t.so %t.plain.so %t.generic.so | FileCheck %s
// CHECK: switch: path case0: {{[0-9]+}} runs ok
// CHECK: switch: path case1: {{[0-9]+}} runs ok
// CHECK: switch: path case2: {{[0-9]+}} runs ok
// CHECK: switch: path default: {{[0-9]+}} runs ok
// CHECK: switch: all paths taken

func.func @forward(%x: tensor<?x8xf32>, %wr: tensor<8x4xf32>)
    -> (tensor<?x8xf32>, tensor<i32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %logits = linalg.matmul ins(%x, %wr : tensor<?x8xf32>, tensor<8x4xf32>)
                          outs(%z : tensor<?x4xf32>) -> tensor<?x4xf32>
  %col = tosa.reduce_sum %logits {axis = 0 : i32} : (tensor<?x4xf32>) -> tensor<1x4xf32>
  %flat = tensor.collapse_shape %col [[0, 1]] : tensor<1x4xf32> into tensor<4xf32>
  %idx = tosa.argmax %flat {axis = 0 : i32} : (tensor<4xf32>) -> tensor<i32>
  %r = dyn.switch %idx : tensor<i32> -> tensor<?x8xf32>
  case 0 {
    %a = math.exp %x : tensor<?x8xf32>
    dyn.yield %a : tensor<?x8xf32>
  }
  case 1 {
    %b = math.tanh %x : tensor<?x8xf32>
    dyn.yield %b : tensor<?x8xf32>
  }
  case 2 {
    %c = arith.mulf %x, %x : tensor<?x8xf32>
    dyn.yield %c : tensor<?x8xf32>
  }
  default {
    %d = arith.negf %x : tensor<?x8xf32>
    dyn.yield %d : tensor<?x8xf32>
  }
  return %r, %idx : tensor<?x8xf32>, tensor<i32>
}

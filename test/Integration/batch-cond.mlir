// Per-sample control flow, executed: the samples of one batch take different
// branches of a gated residual block (and, nested, of a second gate inside
// it) and of a four-way switch; each branch runs once on its sub-batch and
// the rows come back in order. Every mix: all samples one way, all the other, mixed, batch 1 and
// an empty batch, a static batch; against numpy run sample by sample.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --no-outline -o %t.plain.so
// RUN: %python %S/check.py batch %t.so %t.plain.so | FileCheck %s
// CHECK: batch: path all-then: {{[0-9]+}} runs ok
// CHECK: batch: path all-else: {{[0-9]+}} runs ok
// CHECK: batch: path mixed: {{[0-9]+}} runs ok
// CHECK: batch: path batch=1: {{[0-9]+}} runs ok
// CHECK: batch: path batch=0: {{[0-9]+}} runs ok
// CHECK: batch: path nested: {{[0-9]+}} runs ok
// CHECK: batch: path static: {{[0-9]+}} runs ok
// CHECK: batch: path switch-mixed: {{[0-9]+}} runs ok
// CHECK: batch: path switch-one-case: {{[0-9]+}} runs ok
// CHECK: batch: path switch-default: {{[0-9]+}} runs ok
// CHECK: batch: all paths taken
// Each region is compiled once: a batch that agrees runs it on the inputs
// as they are, through the same subnet as a sub-batch.
// RUN: dyn-opt %s --dyn-lower-batch-branches --canonicalize --dyn-outline-regions | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @forward(
// IR-COUNT-1: linalg.matmul
// IR-NOT: linalg.matmul

func.func @forward(%x: tensor<?x16xf32>, %w: tensor<16x16xf32>)
    -> (tensor<?x16xf32>, tensor<?x1xf32>) {
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %flat = tosa.const_shape {values = dense<[-1]> : tensor<1xindex>} : () -> !tosa.shape<1>
  %s = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<?x16xf32>) -> tensor<?x1xf32>
  %g = tosa.greater %s, %zero : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xi1>
  %mask = tosa.reshape %g, %flat : (tensor<?x1xi1>, !tosa.shape<1>) -> tensor<?xi1>
  %y:2 = dyn.batch_cond %mask, %x, %s
      : (tensor<?xi1>, tensor<?x16xf32>, tensor<?x1xf32>) -> (tensor<?x16xf32>, tensor<?x1xf32>) {
  ^bb0(%a: tensor<?x16xf32>, %b: tensor<?x1xf32>):
    %c0 = arith.constant 0 : index
    %f0 = arith.constant 0.0 : f32
    %n = tensor.dim %a, %c0 : tensor<?x16xf32>
    %e = tensor.empty(%n) : tensor<?x16xf32>
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
    %mm = linalg.matmul ins(%a, %w : tensor<?x16xf32>, tensor<16x16xf32>)
                        outs(%z : tensor<?x16xf32>) -> tensor<?x16xf32>
    %r = tosa.clamp %mm {min_val = 0.0 : f32, max_val = 3.4e38 : f32}
        : (tensor<?x16xf32>) -> tensor<?x16xf32>
    %h = tosa.add %a, %r : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
    %b2 = tosa.add %b, %b : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<?x1xf32>
    dyn.yield %h, %b2 : tensor<?x16xf32>, tensor<?x1xf32>
  } else {
  ^bb0(%a: tensor<?x16xf32>, %b: tensor<?x1xf32>):
    %sq = arith.mulf %a, %a : tensor<?x16xf32>
    dyn.yield %sq, %b : tensor<?x16xf32>, tensor<?x1xf32>
  }
  return %y#0, %y#1 : tensor<?x16xf32>, tensor<?x1xf32>
}

// The then region gates again, per sample of its sub-batch: rows whose
// maximum exceeds 1 are doubled, the others negated.
func.func @nested(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %flat = tosa.const_shape {values = dense<[-1]> : tensor<1xindex>} : () -> !tosa.shape<1>
  %s = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<?x16xf32>) -> tensor<?x1xf32>
  %g = tosa.greater %s, %zero : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xi1>
  %mask = tosa.reshape %g, %flat : (tensor<?x1xi1>, !tosa.shape<1>) -> tensor<?xi1>
  %y = dyn.batch_cond %mask, %x : (tensor<?xi1>, tensor<?x16xf32>) -> tensor<?x16xf32> {
  ^bb0(%a: tensor<?x16xf32>):
    %mx = tosa.reduce_max %a {axis = 1 : i32} : (tensor<?x16xf32>) -> tensor<?x1xf32>
    %g2 = tosa.greater %mx, %one : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xi1>
    %m2 = tosa.reshape %g2, %flat : (tensor<?x1xi1>, !tosa.shape<1>) -> tensor<?xi1>
    %inner = dyn.batch_cond %m2, %a : (tensor<?xi1>, tensor<?x16xf32>) -> tensor<?x16xf32> {
    ^bb0(%c: tensor<?x16xf32>):
      %d = tosa.add %c, %c : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
      dyn.yield %d : tensor<?x16xf32>
    } else {
    ^bb0(%c: tensor<?x16xf32>):
      %neg = arith.negf %c : tensor<?x16xf32>
      dyn.yield %neg : tensor<?x16xf32>
    }
    dyn.yield %inner : tensor<?x16xf32>
  } else {
  ^bb0(%a: tensor<?x16xf32>):
    dyn.yield %a : tensor<?x16xf32>
  }
  return %y : tensor<?x16xf32>
}

// A static batch of 4 (the sub-batches are still dynamic).
func.func @static4(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %flat = tosa.const_shape {values = dense<[4]> : tensor<1xindex>} : () -> !tosa.shape<1>
  %s = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<4x16xf32>) -> tensor<4x1xf32>
  %g = tosa.greater %s, %zero : (tensor<4x1xf32>, tensor<1x1xf32>) -> tensor<4x1xi1>
  %mask = tosa.reshape %g, %flat : (tensor<4x1xi1>, !tosa.shape<1>) -> tensor<4xi1>
  %y = dyn.batch_cond %mask, %x : (tensor<4xi1>, tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%a: tensor<?x16xf32>):
    %e = math.exp %a : tensor<?x16xf32>
    dyn.yield %e : tensor<?x16xf32>
  } else {
  ^bb0(%a: tensor<?x16xf32>):
    %t = math.tanh %a : tensor<?x16xf32>
    dyn.yield %t : tensor<?x16xf32>
  }
  return %y : tensor<4x16xf32>
}

// A per-sample switch (top-1 routing per row): the row's argmax picks
// case 0, 1 or 2; rows whose argmax is 3 take the default.
func.func @route(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %k32 = tosa.argmax %x {axis = 1 : i32} : (tensor<?x4xf32>) -> tensor<?xi32>
  %k = tosa.cast %k32 : (tensor<?xi32>) -> tensor<?xi64>
  %y = dyn.batch_switch %k, %x : (tensor<?xi64>, tensor<?x4xf32>) -> tensor<?x4xf32>
  case 0 {
  ^bb0(%a: tensor<?x4xf32>):
    %r = math.exp %a : tensor<?x4xf32>
    dyn.yield %r : tensor<?x4xf32>
  }
  case 1 {
  ^bb0(%a: tensor<?x4xf32>):
    %r = math.tanh %a : tensor<?x4xf32>
    dyn.yield %r : tensor<?x4xf32>
  }
  case 2 {
  ^bb0(%a: tensor<?x4xf32>):
    %r = arith.mulf %a, %a : tensor<?x4xf32>
    dyn.yield %r : tensor<?x4xf32>
  }
  default {
  ^bb0(%a: tensor<?x4xf32>):
    %r = arith.negf %a : tensor<?x4xf32>
    dyn.yield %r : tensor<?x4xf32>
  }
  return %y : tensor<?x4xf32>
}

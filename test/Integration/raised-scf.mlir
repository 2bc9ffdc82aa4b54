// A network as another MLIR producer writes it (linalg on tensors with scf
// and cf.assert, in torch-mlir's style, and TOSA control flow): no dyn op in
// the input. dyn-compile raises the control flow into dyn and compiles every
// path; each is run against numpy.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --no-outline -o %t.plain.so
// RUN: %python %S/check.py raised %t.so %t.plain.so | FileCheck %s
// CHECK: raised: path gate=then: {{[0-9]+}} runs ok
// CHECK: raised: path gate=else: {{[0-9]+}} runs ok
// CHECK: raised: path rnn-0: {{[0-9]+}} runs ok
// CHECK: raised: path rnn-some: {{[0-9]+}} runs ok
// CHECK: raised: path rnn-all: {{[0-9]+}} runs ok
// CHECK: raised: path route=exp: {{[0-9]+}} runs ok
// CHECK: raised: path route=tanh: {{[0-9]+}} runs ok
// CHECK: raised: path route=default: {{[0-9]+}} runs ok
// CHECK: raised: path decode-0: {{[0-9]+}} runs ok
// CHECK: raised: path decode-many: {{[0-9]+}} runs ok
// CHECK: raised: path tosa=then: {{[0-9]+}} runs ok
// CHECK: raised: path tosa=else: {{[0-9]+}} runs ok
// CHECK: raised: path smooth: {{[0-9]+}} runs ok
// CHECK: raised: all paths taken
//
// The control flow really became dyn:
// RUN: dyn-opt %s --dyn-raise-control-flow > %t.raised.mlir
// RUN: FileCheck %s --check-prefix=IR < %t.raised.mlir
// RUN: FileCheck %s --check-prefix=NOSCF < %t.raised.mlir
// IR-LABEL: func.func @gate
// IR: dyn.cond %{{.*}} : i1 -> tensor<?x8xf32>
// IR-LABEL: func.func @rnn
// IR: cf.assert
// IR: dyn.while
// IR-LABEL: func.func @route
// IR: dyn.switch %{{.*}} : tensor<i64>
// IR-LABEL: func.func @decode
// IR: dyn.while
// IR-LABEL: func.func @tosa
// IR: dyn.cond %{{.*}} : tensor<i1>
// IR: dyn.while
// IR-LABEL: func.func @smooth
// IR: dyn.while
// IR: max_iterations = 3
// NOSCF-NOT: scf.
//
// A failed cf.assert is an error returned by the entry point, not an abort:
// RUN: %python -c "import numpy as np; np.save('%t.seq.npy', np.ones((3, 8), np.float32)); np.save('%t.h.npy', np.zeros((1, 8), np.float32)); np.save('%t.w.npy', np.eye(8, dtype=np.float32)); np.save('%t.n.npy', np.array(-1, np.int64))"
// RUN: not dyn-run %t.so --entry rnn --input %t.seq.npy --input %t.h.npy --input %t.w.npy --input %t.n.npy 2>&1 | FileCheck %s --check-prefix=ASSERT
// dyn-run takes the .mlir directly too (compiled for this machine first):
// RUN: not dyn-run %s --entry rnn --input %t.seq.npy --input %t.h.npy --input %t.w.npy --input %t.n.npy 2>&1 | FileCheck %s --check-prefix=ASSERT
// ASSERT: dyn-run: error: rnn: step count must not be negative

#map2 = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> ()>
#row = affine_map<(d0, d1) -> (d1)>

// gate: sum(x) > 0 ? relu(x @ w) : 2 * x
func.func @gate(%x: tensor<?x8xf32>, %w: tensor<8x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %f2 = arith.constant 2.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e0 = tensor.empty() : tensor<f32>
  %z0 = linalg.fill ins(%f0 : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [#map2, #red], iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<?x8xf32>) outs(%z0 : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %in, %acc : f32
    linalg.yield %a : f32
  } -> tensor<f32>
  %s = tensor.extract %sum[] : tensor<f32>
  %p = arith.cmpf ogt, %s, %f0 : f32
  %r = scf.if %p -> (tensor<?x8xf32>) {
    %e = tensor.empty(%n) : tensor<?x8xf32>
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
    %m = linalg.matmul ins(%x, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
    %relu = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel"]}
        ins(%m : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.maximumf %in, %f0 : f32
      linalg.yield %v : f32
    } -> tensor<?x8xf32>
    scf.yield %relu : tensor<?x8xf32>
  } else {
    %e = tensor.empty(%n) : tensor<?x8xf32>
    %d = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.mulf %in, %f2 : f32
      linalg.yield %v : f32
    } -> tensor<?x8xf32>
    scf.yield %d : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}

// rnn: h = tanh(h @ w + seq[t]) for t < min(n, len(seq)); n >= 0 asserted.
func.func @rnn(%seq: tensor<?x8xf32>, %h0: tensor<1x8xf32>, %w: tensor<8x8xf32>,
               %n: tensor<i64>) -> tensor<1x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %i0 = arith.constant 0 : i64
  %f0 = arith.constant 0.0 : f32
  %k = tensor.extract %n[] : tensor<i64>
  %ok = arith.cmpi sge, %k, %i0 : i64
  cf.assert %ok, "step count must not be negative"
  %ki = arith.index_cast %k : i64 to index
  %len = tensor.dim %seq, %c0 : tensor<?x8xf32>
  %steps = arith.minsi %ki, %len : index
  %r = scf.for %t = %c0 to %steps step %c1 iter_args(%h = %h0) -> (tensor<1x8xf32>) {
    %xt = tensor.extract_slice %seq[%t, 0] [1, 8] [1, 1] : tensor<?x8xf32> to tensor<1x8xf32>
    %e = tensor.empty() : tensor<1x8xf32>
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<1x8xf32>) -> tensor<1x8xf32>
    %m = linalg.matmul ins(%h, %w : tensor<1x8xf32>, tensor<8x8xf32>) outs(%z : tensor<1x8xf32>) -> tensor<1x8xf32>
    %y = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel"]}
        ins(%m, %xt : tensor<1x8xf32>, tensor<1x8xf32>) outs(%e : tensor<1x8xf32>) {
    ^bb0(%a: f32, %b: f32, %out: f32):
      %s = arith.addf %a, %b : f32
      %th = math.tanh %s : f32
      linalg.yield %th : f32
    } -> tensor<1x8xf32>
    scf.yield %y : tensor<1x8xf32>
  }
  return %r : tensor<1x8xf32>
}

// route: expert k (0: exp, 1: tanh, otherwise: -x)
func.func @route(%x: tensor<?x4xf32>, %k: tensor<i64>) -> tensor<?x4xf32> {
  %e = tensor.extract %k[] : tensor<i64>
  %i = arith.index_cast %e : i64 to index
  %r = scf.index_switch %i -> tensor<?x4xf32>
  case 0 {
    %y = math.exp %x : tensor<?x4xf32>
    scf.yield %y : tensor<?x4xf32>
  }
  case 1 {
    %y = math.tanh %x : tensor<?x4xf32>
    scf.yield %y : tensor<?x4xf32>
  }
  default {
    %y = arith.negf %x : tensor<?x4xf32>
    scf.yield %y : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

// decode: while sum(seq) < limit, append last(seq) + 1 (seq grows).
func.func @decode(%start: tensor<?xi64>, %limit: tensor<i64>) -> tensor<?xi64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %i0 = arith.constant 0 : i64
  %i1 = arith.constant 1 : i64
  %lim = tensor.extract %limit[] : tensor<i64>
  %r = scf.while (%s = %start) : (tensor<?xi64>) -> tensor<?xi64> {
    %e0 = tensor.empty() : tensor<i64>
    %z0 = linalg.fill ins(%i0 : i64) outs(%e0 : tensor<i64>) -> tensor<i64>
    %sum = linalg.reduce ins(%s : tensor<?xi64>) outs(%z0 : tensor<i64>) dimensions = [0]
      (%in: i64, %acc: i64) {
        %a = arith.addi %in, %acc : i64
        linalg.yield %a : i64
      }
    %v = tensor.extract %sum[] : tensor<i64>
    %go = arith.cmpi slt, %v, %lim : i64
    scf.condition(%go) %s : tensor<?xi64>
  } do {
  ^bb0(%s: tensor<?xi64>):
    %n = tensor.dim %s, %c0 : tensor<?xi64>
    %last = arith.subi %n, %c1 : index
    %l = tensor.extract %s[%last] : tensor<?xi64>
    %l1 = arith.addi %l, %i1 : i64
    %t = tensor.from_elements %l1 : tensor<1xi64>
    %next = tensor.concat dim(0) %s, %t : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi64>
    scf.yield %next : tensor<?xi64>
  }
  return %r : tensor<?xi64>
}

// tosa: y = sum(x) > 0 ? x + x : x * x, then doubled k times.
func.func @tosa(%x: tensor<?x4xf32>, %k: tensor<i32>) -> tensor<?x4xf32> {
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %s1 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %y = tosa.cond_if %g (%a = %x) : tensor<1x1xi1> (tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%a: tensor<?x4xf32>):
    %r = tosa.add %a, %a : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    tosa.yield %r : tensor<?x4xf32>
  } else {
  ^bb0(%a: tensor<?x4xf32>):
    %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %r = tosa.mul %a, %a, %shift : (tensor<?x4xf32>, tensor<?x4xf32>, tensor<1xi8>) -> tensor<?x4xf32>
    tosa.yield %r : tensor<?x4xf32>
  }
  %i0 = "tosa.const"() <{values = dense<0> : tensor<i32>}> : () -> tensor<i32>
  %out:3 = tosa.while_loop (%i = %i0, %v = %y, %n = %k) : (tensor<i32>, tensor<?x4xf32>, tensor<i32>) -> (tensor<i32>, tensor<?x4xf32>, tensor<i32>) {
    %go = tosa.greater %n, %i : (tensor<i32>, tensor<i32>) -> tensor<i1>
    tosa.yield %go : tensor<i1>
  } do {
  ^bb0(%i: tensor<i32>, %v: tensor<?x4xf32>, %n: tensor<i32>):
    %one = "tosa.const"() <{values = dense<1> : tensor<i32>}> : () -> tensor<i32>
    %i1 = tosa.add %i, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %v2 = tosa.add %v, %v : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    tosa.yield %i1, %v2, %n : tensor<i32>, tensor<?x4xf32>, tensor<i32>
  }
  return %out#1 : tensor<?x4xf32>
}

// smooth: x = tanh(x) three times (a constant trip count: max_iterations).
func.func @smooth(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%h = %x) -> (tensor<?x4xf32>) {
    %y = math.tanh %h : tensor<?x4xf32>
    scf.yield %y : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

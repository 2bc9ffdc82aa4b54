// RUN: dyn-opt %s --split-input-file --dyn-raise-batch-selects | FileCheck %s

// torch.where(mask[:, None, None, None], block(x), x) as the frontends emit
// it: the block (a convolution between layout transposes, a residual add,
// a ReLU) moves into the then region and runs on its sub-batch; the else
// region forwards its rows; constants are copied in.

// CHECK-LABEL: func.func @gated_conv
// CHECK-SAME: (%[[X:.+]]: tensor<?x8x6x6xf32>, %[[G:.+]]: tensor<?x1x1x1xi1>)
// CHECK: %[[M:.+]] = tosa.reshape %[[G]], %{{.+}} : (tensor<?x1x1x1xi1>, !tosa.shape<1>) -> tensor<?xi1>
// CHECK: %[[R:.+]] = dyn.batch_cond %[[M]], %[[X]] : (tensor<?xi1>, tensor<?x8x6x6xf32>) -> tensor<?x8x6x6xf32> {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<?x8x6x6xf32>):
// CHECK: %[[T:.+]] = tosa.transpose %[[A]]
// CHECK: tosa.conv2d %[[T]]
// CHECK: tosa.add %{{.+}}, %[[A]]
// CHECK: %[[Y:.+]] = tosa.clamp
// CHECK-NEXT: dyn.yield %[[Y]]
// CHECK-NEXT: } else {
// CHECK-NEXT: ^bb0(%[[B:.+]]: tensor<?x8x6x6xf32>):
// CHECK-NEXT: dyn.yield %[[B]]
// CHECK: return %[[R]]
// CHECK-NOT: tosa.conv2d
func.func @gated_conv(%x: tensor<?x8x6x6xf32>, %g: tensor<?x1x1x1xi1>) -> tensor<?x8x6x6xf32> {
  %w = "tosa.const"() <{values = dense<0.1> : tensor<8x3x3x8xf32>}> : () -> tensor<8x3x3x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %t = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<?x8x6x6xf32>) -> tensor<?x6x6x8xf32>
  %c = tosa.conv2d %t, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x6x6x8xf32>, tensor<8x3x3x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x6x6x8xf32>
  %u = tosa.transpose %c {perms = array<i32: 0, 3, 1, 2>} : (tensor<?x6x6x8xf32>) -> tensor<?x8x6x6xf32>
  %a = tosa.add %u, %x : (tensor<?x8x6x6xf32>, tensor<?x8x6x6xf32>) -> tensor<?x8x6x6xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<?x8x6x6xf32>) -> tensor<?x8x6x6xf32>
  %y = tosa.select %g, %r, %x : (tensor<?x1x1x1xi1>, tensor<?x8x6x6xf32>, tensor<?x8x6x6xf32>) -> tensor<?x8x6x6xf32>
  return %y : tensor<?x8x6x6xf32>
}

// -----

// Token routing between two experts (linalg.matmul with the tokens as
// rows, sized by a tensor.dim of the batch that the region re-measures);
// the router's matmul, which the mask needs, stays outside.

// CHECK-LABEL: func.func @experts
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>, %[[K:.+]]: tensor<?x1xi1>)
// CHECK: dyn.batch_cond %{{.+}}, %[[X]] : (tensor<?xi1>, tensor<?x8xf32>) -> tensor<?x8xf32> {
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<?x8xf32>):
// CHECK: %[[N:.+]] = tensor.dim %[[A]], %{{.+}}
// CHECK: tensor.empty(%[[N]])
// CHECK: linalg.matmul ins(%[[A]], %{{.+}} : tensor<?x8xf32>, tensor<8x8xf32>)
// CHECK: tosa.tanh
// CHECK: } else {
// CHECK-NEXT: ^bb0(%[[B:.+]]: tensor<?x8xf32>):
// CHECK: linalg.matmul ins(%[[B]], %{{.+}} : tensor<?x8xf32>, tensor<8x8xf32>)
// CHECK-NOT: tosa.tanh
// CHECK: dyn.yield
func.func @experts(%x: tensor<?x8xf32>, %k: tensor<?x1xi1>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %w0 = arith.constant dense<0.5> : tensor<8x8xf32>
  %w1 = arith.constant dense<0.25> : tensor<8x8xf32>
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m0 = linalg.matmul ins(%x, %w0 : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %t0 = tosa.tanh %m0 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = tosa.select %k, %t0, %m1 : (tensor<?x1xi1>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A chain of selects routing by one selector's value (three experts:
// torch.where(k == 0, e0, torch.where(k == 1, e1, e2))): one batch_switch
// on the selector, case 0, case 1, and the last false side as the default;
// the comparisons go.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>, %[[K:.+]]: tensor<?xi64>)
// CHECK-NOT: tosa.equal
// CHECK: dyn.batch_switch %[[K]], %[[X]] : (tensor<?xi64>, tensor<?x8xf32>) -> tensor<?x8xf32>
// CHECK-NEXT: case 0 {
// CHECK: arith.constant dense<5.000000e-01>
// CHECK: linalg.matmul
// CHECK: case 1 {
// CHECK: arith.constant dense<2.500000e-01>
// CHECK: linalg.matmul
// CHECK: default {
// CHECK: arith.constant dense<1.250000e-01>
// CHECK: linalg.matmul
// CHECK-NOT: tosa.select
// CHECK-NOT: tosa.equal
func.func @chain(%x: tensor<?x8xf32>, %k: tensor<?xi64>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %one = "tosa.const"() <{values = dense<1> : tensor<1xi64>}> : () -> tensor<1xi64>
  %zero = "tosa.const"() <{values = dense<0> : tensor<1xi64>}> : () -> tensor<1xi64>
  %s = tosa.const_shape {values = dense<[-1, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %w0 = arith.constant dense<0.5> : tensor<8x8xf32>
  %w1 = arith.constant dense<0.25> : tensor<8x8xf32>
  %w2 = arith.constant dense<0.125> : tensor<8x8xf32>
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m0 = linalg.matmul ins(%x, %w0 : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m1 = linalg.matmul ins(%x, %w1 : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m2 = linalg.matmul ins(%x, %w2 : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %is1 = tosa.equal %k, %one : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi1>
  %p1 = tosa.reshape %is1, %s : (tensor<?xi1>, !tosa.shape<2>) -> tensor<?x1xi1>
  %y1 = tosa.select %p1, %m1, %m2 : (tensor<?x1xi1>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %is0 = tosa.equal %k, %zero : (tensor<?xi64>, tensor<1xi64>) -> tensor<?xi1>
  %p0 = tosa.reshape %is0, %s : (tensor<?xi1>, !tosa.shape<2>) -> tensor<?x1xi1>
  %y0 = tosa.select %p0, %m0, %y1 : (tensor<?x1xi1>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y0 : tensor<?x8xf32>
}

// -----

// Not raised: a side that mixes samples (a sum over the batch dim).

// CHECK-LABEL: func.func @mixes_samples
// CHECK-NOT: dyn.batch_cond
// CHECK: tosa.select
func.func @mixes_samples(%x: tensor<?x8xf32>, %g: tensor<?x1xi1>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<8x8xf32>
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %s = tosa.reduce_sum %m {axis = 0 : i32} : (tensor<?x8xf32>) -> tensor<1x8xf32>
  %a = tosa.add %m, %s : (tensor<?x8xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  %y = tosa.select %g, %a, %x : (tensor<?x1xi1>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Not raised: no contraction on either side (gathers would cost more than
// the elementwise ops they save).

// CHECK-LABEL: func.func @cheap
// CHECK-NOT: dyn.batch_cond
// CHECK: tosa.select
func.func @cheap(%x: tensor<?x8xf32>, %g: tensor<?x1xi1>) -> tensor<?x8xf32> {
  %t = tosa.tanh %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = tosa.select %g, %t, %x : (tensor<?x1xi1>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// Not raised: an elementwise predicate (not one per sample), and a static
// batch (the regions' sub-batches need a dynamic dim).

// CHECK-LABEL: func.func @not_per_sample
// CHECK-NOT: dyn.batch_cond
// CHECK-COUNT-2: tosa.select
func.func @not_per_sample(%x: tensor<?x8xf32>, %g: tensor<?x8xi1>,
                          %xs: tensor<4x8xf32>, %gs: tensor<4x1xi1>) -> (tensor<?x8xf32>, tensor<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<8x8xf32>
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = tosa.select %g, %m, %x : (tensor<?x8xi1>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %es = tensor.empty() : tensor<4x8xf32>
  %zs = linalg.fill ins(%f0 : f32) outs(%es : tensor<4x8xf32>) -> tensor<4x8xf32>
  %ms = linalg.matmul ins(%xs, %w : tensor<4x8xf32>, tensor<8x8xf32>) outs(%zs : tensor<4x8xf32>) -> tensor<4x8xf32>
  %ys = tosa.select %gs, %ms, %xs : (tensor<4x1xi1>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y, %ys : tensor<?x8xf32>, tensor<4x8xf32>
}

// -----

// A side whose result another op also uses is computed outside as before;
// only what the select alone needs moves (here: nothing heavy), so the
// select stays.

// CHECK-LABEL: func.func @shared
// CHECK: linalg.matmul
// CHECK-NOT: dyn.batch_cond
// CHECK: tosa.select
func.func @shared(%x: tensor<?x8xf32>, %g: tensor<?x1xi1>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<8x8xf32>
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %t = tosa.tanh %m : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %y = tosa.select %g, %t, %x : (tensor<?x1xi1>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %y, %m : tensor<?x8xf32>, tensor<?x8xf32>
}

// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-propagate-transposes))" --split-input-file | FileCheck %s

// Two gated residual blocks as the frontends emit them: NCHW values, each
// convolution wrapped in NCHW -> NHWC -> NCHW transposes, the first block
// reading a stem convolution's (NHWC) output. The residual adds and the
// ReLU take the transposes of their operands after them, so both regions
// of each cond yield a transposed value (the else region the previous
// output); the transposes leave the regions, meet the next block's and
// cancel: the blocks carry NHWC values and one transpose is left, for the
// NCHW result.
// CHECK-LABEL: func.func @gated_blocks(
// CHECK-SAME: %[[STEM:[^:]+]]: tensor<1x6x6x4xf32>
// CHECK-NOT: tosa.transpose
// CHECK: %[[R0:.+]] = dyn.cond %{{.+}} : tensor<i1> -> tensor<1x6x6x4xf32> {
// CHECK: %[[C0:.+]] = tosa.conv2d %[[STEM]],
// CHECK: %[[A0:.+]] = tosa.add %[[C0]], %[[STEM]] : (tensor<1x6x6x4xf32>, tensor<1x6x6x4xf32>)
// CHECK: %[[Y0:.+]] = tosa.clamp %[[A0]]
// CHECK: dyn.yield %[[Y0]] : tensor<1x6x6x4xf32>
// CHECK: } else {
// CHECK: dyn.yield %[[STEM]] : tensor<1x6x6x4xf32>
// CHECK-NOT: tosa.transpose
// CHECK: %[[R1:.+]] = dyn.cond %{{.+}} : tensor<i1> -> tensor<1x6x6x4xf32> {
// CHECK: tosa.conv2d %[[R0]],
// CHECK: } else {
// CHECK: dyn.yield %[[R0]] : tensor<1x6x6x4xf32>
// CHECK: %[[OUT:.+]] = tosa.transpose %[[R1]] {perms = array<i32: 0, 3, 1, 2>}
// CHECK-NOT: tosa.transpose
// CHECK: return %[[OUT]]
func.func @gated_blocks(%stem: tensor<1x6x6x4xf32>, %p: tensor<i1>, %q: tensor<i1>) -> tensor<1x4x6x6xf32> {
  %x = tosa.transpose %stem {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xf32>) -> tensor<1x4x6x6xf32>
  %w = "tosa.const"() <{values = dense<0.25> : tensor<4x3x3x4xf32>}> : () -> tensor<4x3x3x4xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r0 = dyn.cond %p : tensor<i1> -> tensor<1x4x6x6xf32> {
    %t0 = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x6x6x4xf32>
    %c0 = tosa.conv2d %t0, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x4xf32>
    %t1 = tosa.transpose %c0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xf32>) -> tensor<1x4x6x6xf32>
    %a0 = tosa.add %t1, %x : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    %y0 = tosa.clamp %a0 {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    dyn.yield %y0 : tensor<1x4x6x6xf32>
  } else {
    dyn.yield %x : tensor<1x4x6x6xf32>
  }
  %r1 = dyn.cond %q : tensor<i1> -> tensor<1x4x6x6xf32> {
    %t0 = tosa.transpose %r0 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x6x6x4xf32>
    %c0 = tosa.conv2d %t0, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x4xf32>
    %t1 = tosa.transpose %c0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xf32>) -> tensor<1x4x6x6xf32>
    %a0 = tosa.add %t1, %r0 : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    dyn.yield %a0 : tensor<1x4x6x6xf32>
  } else {
    dyn.yield %r0 : tensor<1x4x6x6xf32>
  }
  return %r1 : tensor<1x4x6x6xf32>
}

// -----

// A block that starts from the network's input: the input's transpose is
// hoisted by nothing (it is not a region's yield) and stays; the gate that
// pools the NCHW output over H and W reduces the NHWC value along the
// matching axes (1 and 2) instead, and only its small result is transposed
// (a reshape, its moved dims being units); a dyn.switch is handled like a
// dyn.cond.
// CHECK-LABEL: func.func @gate_and_switch(
// CHECK: %[[R:.+]] = dyn.switch %{{.+}} : index -> tensor<1x6x6x4xf32>
// CHECK: %[[S1:.+]] = tosa.reduce_sum %[[R]] {axis = 1 : i32} : (tensor<1x6x6x4xf32>) -> tensor<1x1x6x4xf32>
// CHECK: %[[S2:.+]] = tosa.reduce_sum %[[S1]] {axis = 2 : i32} : (tensor<1x1x6x4xf32>) -> tensor<1x1x1x4xf32>
// CHECK: %[[P:.+]] = tosa.reshape %[[S2]], %{{.+}} : (tensor<1x1x1x4xf32>, !tosa.shape<4>) -> tensor<1x4x1x1xf32>
// CHECK: tosa.mul %[[P]],
func.func @gate_and_switch(%x: tensor<1x6x6x4xf32>, %y: tensor<1x6x6x4xf32>, %i: index) -> tensor<1x4x1x1xf32> {
  %s = dyn.switch %i : index -> tensor<1x4x6x6xf32>
  case 1 {
    %t = tosa.transpose %y {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xf32>) -> tensor<1x4x6x6xf32>
    dyn.yield %t : tensor<1x4x6x6xf32>
  }
  default {
    %t = tosa.transpose %x {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xf32>) -> tensor<1x4x6x6xf32>
    dyn.yield %t : tensor<1x4x6x6xf32>
  }
  %k = "tosa.const"() <{values = dense<0.0277> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s1 = tosa.reduce_sum %s {axis = 2 : i32} : (tensor<1x4x6x6xf32>) -> tensor<1x4x1x6xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 3 : i32} : (tensor<1x4x1x6xf32>) -> tensor<1x4x1x1xf32>
  %m = tosa.mul %s2, %k, %shift : (tensor<1x4x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x1x1xf32>
  return %m : tensor<1x4x1x1xf32>
}

// -----

// Left alone: a region yields a value in the other layout (no transpose
// to move), and an elementwise op whose other operand is not transposed
// (moving one transpose would add one).
// CHECK-LABEL: func.func @mixed(
// CHECK: dyn.cond %{{.+}} : tensor<i1> -> tensor<1x4x6x6xf32>
// CHECK: tosa.transpose
// CHECK: dyn.yield
// CHECK: } else {
// CHECK: dyn.yield %{{.+}} : tensor<1x4x6x6xf32>
// CHECK: %[[T:.+]] = tosa.transpose
// CHECK: tosa.add %[[T]], %{{.+}} : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>)
func.func @mixed(%x: tensor<1x6x6x4xf32>, %y: tensor<1x4x6x6xf32>, %p: tensor<i1>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) {
  %r = dyn.cond %p : tensor<i1> -> tensor<1x4x6x6xf32> {
    %t = tosa.transpose %x {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xf32>) -> tensor<1x4x6x6xf32>
    dyn.yield %t : tensor<1x4x6x6xf32>
  } else {
    dyn.yield %y : tensor<1x4x6x6xf32>
  }
  %t = tosa.transpose %x {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xf32>) -> tensor<1x4x6x6xf32>
  %a = tosa.add %t, %y : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %r, %a : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
}

// -----

// A per-sample branch between two transposes (a gated block as raised from
// torch.where): the input's transpose moves into the regions, where it
// cancels against the convolution's, the regions then yield transposed
// values, and one transpose after the op restores the NCHW type; the batch
// stays in dim 0.
// CHECK-LABEL: func.func @batch_cond_layout
//  CHECK-SAME: (%[[X:.+]]: tensor<?x6x6x8xf32>, %[[M:.+]]: tensor<?xi1>)
//       CHECK: %[[R:.+]] = dyn.batch_cond %[[M]], %[[X]] : (tensor<?xi1>, tensor<?x6x6x8xf32>) -> tensor<?x6x6x8xf32> {
//  CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<?x6x6x8xf32>):
//   CHECK-NOT: tosa.transpose
//       CHECK: %[[C:.+]] = tosa.conv2d %[[A]]
//   CHECK-NOT: tosa.transpose
//       CHECK: dyn.yield %[[C]] : tensor<?x6x6x8xf32>
//       CHECK: } else {
//  CHECK-NEXT: ^bb0(%[[B:.+]]: tensor<?x6x6x8xf32>):
//  CHECK-NEXT: dyn.yield %[[B]] : tensor<?x6x6x8xf32>
//       CHECK: %[[T:.+]] = tosa.transpose %[[R]] {perms = array<i32: 0, 3, 1, 2>}
//       CHECK: return %[[T]]
func.func @batch_cond_layout(%x_nhwc: tensor<?x6x6x8xf32>, %m: tensor<?xi1>) -> tensor<?x8x6x6xf32> {
  %w = "tosa.const"() <{values = dense<0.1> : tensor<8x3x3x8xf32>}> : () -> tensor<8x3x3x8xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = tosa.transpose %x_nhwc {perms = array<i32: 0, 3, 1, 2>} : (tensor<?x6x6x8xf32>) -> tensor<?x8x6x6xf32>
  %y = dyn.batch_cond %m, %x : (tensor<?xi1>, tensor<?x8x6x6xf32>) -> tensor<?x8x6x6xf32> {
  ^bb0(%a: tensor<?x8x6x6xf32>):
    %t = tosa.transpose %a {perms = array<i32: 0, 2, 3, 1>} : (tensor<?x8x6x6xf32>) -> tensor<?x6x6x8xf32>
    %c = tosa.conv2d %t, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x6x6x8xf32>, tensor<8x3x3x8xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x6x6x8xf32>
    %u = tosa.transpose %c {perms = array<i32: 0, 3, 1, 2>} : (tensor<?x6x6x8xf32>) -> tensor<?x8x6x6xf32>
    dyn.yield %u : tensor<?x8x6x6xf32>
  } else {
  ^bb0(%a: tensor<?x8x6x6xf32>):
    dyn.yield %a : tensor<?x8x6x6xf32>
  }
  return %y : tensor<?x8x6x6xf32>
}

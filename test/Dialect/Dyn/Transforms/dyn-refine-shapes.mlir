// RUN: dyn-opt %s --split-input-file --dyn-refine-shapes | FileCheck %s

// Static extents flow from a cast-away argument through tosa ops, into and
// out of a dyn.cond whose branches agree; only the return keeps its type.
// CHECK-LABEL: func.func @through_cond
//  CHECK-SAME: (%[[X:.+]]: tensor<1x64xf32>, %[[P:.+]]: i1)
//       CHECK:   %[[E:.+]] = tosa.exp %[[X]] : (tensor<1x64xf32>) -> tensor<1x64xf32>
//       CHECK:   %[[R:.+]] = dyn.cond %[[P]] : i1 -> tensor<1x64xf32> {
//       CHECK:     %[[T:.+]] = tosa.tanh %[[E]] : (tensor<1x64xf32>) -> tensor<1x64xf32>
//       CHECK:     dyn.yield %[[T]] : tensor<1x64xf32>
//       CHECK:   } else {
//       CHECK:     dyn.yield %[[E]] : tensor<1x64xf32>
//       CHECK:   %[[S:.+]] = tosa.add %[[R]], %[[R]] : (tensor<1x64xf32>, tensor<1x64xf32>) -> tensor<1x64xf32>
//       CHECK:   %[[C:.+]] = tensor.cast %[[S]] : tensor<1x64xf32> to tensor<?x64xf32>
//       CHECK:   return %[[C]]
func.func @through_cond(%x: tensor<1x64xf32>, %p: i1) -> tensor<?x64xf32> {
  %c = tensor.cast %x : tensor<1x64xf32> to tensor<?x64xf32>
  %y = tosa.exp %c : (tensor<?x64xf32>) -> tensor<?x64xf32>
  %r = dyn.cond %p : i1 -> tensor<?x64xf32> {
    %z = tosa.tanh %y : (tensor<?x64xf32>) -> tensor<?x64xf32>
    dyn.yield %z : tensor<?x64xf32>
  } else {
    dyn.yield %y : tensor<?x64xf32>
  }
  %s = tosa.add %r, %r : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %s : tensor<?x64xf32>
}

// -----

// Branches that disagree (a skipped downsampling block) keep the dim
// dynamic; the dim they agree on becomes static.
// CHECK-LABEL: func.func @disagree
//       CHECK:   dyn.cond %{{.+}} : i1 -> tensor<?x8xf32>
func.func @disagree(%a: tensor<4x8xf32>, %b: tensor<2x8xf32>, %p: i1) -> tensor<?x?xf32> {
  %r = dyn.cond %p : i1 -> tensor<?x?xf32> {
    dyn.yield %a : tensor<4x8xf32>
  } else {
    dyn.yield %b : tensor<2x8xf32>
  }
  return %r : tensor<?x?xf32>
}

// -----

// Constant extents in an expand_shape (what a specialised sequence length
// leaves behind) make it, its source and the consumers static; linalg ops
// and tensor.empty follow through upstream canonicalization.
// CHECK-LABEL: func.func @expand
//  CHECK-SAME: (%[[X:.+]]: tensor<7x64xf32>)
//       CHECK:   %[[H:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2]] output_shape [7, 4, 16] : tensor<7x64xf32> into tensor<7x4x16xf32>
//       CHECK:   tosa.transpose %[[H]] {{.*}} : (tensor<7x4x16xf32>) -> tensor<4x7x16xf32>
func.func @expand(%x: tensor<7x64xf32>) -> tensor<?x?x16xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.cast %x : tensor<7x64xf32> to tensor<?x64xf32>
  %s = tensor.dim %d, %c0 : tensor<?x64xf32>
  %h = tensor.expand_shape %d [[0], [1, 2]] output_shape [%s, 4, 16] : tensor<?x64xf32> into tensor<?x4x16xf32>
  %t = tosa.transpose %h {perms = array<i32: 1, 0, 2>} : (tensor<?x4x16xf32>) -> tensor<?x?x16xf32>
  return %t : tensor<?x?x16xf32>
}

// -----

// Loop-carried extents: the state %h keeps its extent every iteration (the
// induction holds), so it becomes static in the carried types, both
// regions and the result; the sequence %s grows (the body yields a concat)
// and stays dynamic.
// CHECK-LABEL: func.func @rnn
//       CHECK:   %[[R:.+]]:3 = dyn.while ({{.+}}) : (tensor<1x8xf32>, tensor<?x8xf32>, i64) -> (tensor<1x8xf32>, tensor<?x8xf32>, i64) {
//       CHECK:   } do {
//       CHECK:   ^bb0(%[[H:.+]]: tensor<1x8xf32>, %[[S:.+]]: tensor<?x8xf32>, %{{.+}}: i64):
//       CHECK:     %[[T:.+]] = tosa.tanh %[[H]] : (tensor<1x8xf32>) -> tensor<1x8xf32>
//       CHECK:     tensor.concat dim(0) %[[S]], %{{.+}} : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
//       CHECK:     dyn.yield %[[T]], %{{.+}}, %{{.+}} : tensor<1x8xf32>, tensor<?x8xf32>, i64
//       CHECK:   %[[C:.+]] = tensor.cast %[[R]]#0 : tensor<1x8xf32> to tensor<?x8xf32>
//       CHECK:   return %[[C]], %[[R]]#1
func.func @rnn(%h0: tensor<1x8xf32>, %seq0: tensor<1x8xf32>, %n: i64) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %c0 = arith.constant 0 : i64
  %r:3 = dyn.while (%h = %h0 : tensor<1x8xf32>, %s = %seq0 : tensor<1x8xf32>, %i = %c0)
      : (tensor<?x8xf32>, tensor<?x8xf32>, i64) -> (tensor<?x8xf32>, tensor<?x8xf32>, i64) {
    %go = arith.cmpi slt, %i, %n : i64
    dyn.condition(%go : i1) %h, %s, %i : tensor<?x8xf32>, tensor<?x8xf32>, i64
  } do {
  ^bb0(%a: tensor<?x8xf32>, %b: tensor<?x8xf32>, %j: i64):
    %t = tosa.tanh %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
    %g = tensor.concat dim(0) %b, %t : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
    %c1 = arith.constant 1 : i64
    %j1 = arith.addi %j, %c1 : i64
    dyn.yield %t, %g, %j1 : tensor<?x8xf32>, tensor<?x8xf32>, i64
  }
  return %r#0, %r#1 : tensor<?x8xf32>, tensor<?x8xf32>
}

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

// A while's carried value keeps its declared (dynamic) type: the loop body
// may grow it.
// CHECK-LABEL: func.func @loop
//       CHECK:   dyn.while ({{.+}}) : (tensor<?x4xf32>) -> tensor<?x4xf32>
func.func @loop(%x: tensor<1x4xf32>, %p: i1) -> tensor<?x4xf32> {
  %r = dyn.while (%a = %x : tensor<1x4xf32>) : (tensor<?x4xf32>) -> (tensor<?x4xf32>) {
    dyn.condition(%p : i1) %a : tensor<?x4xf32>
  } do {
  ^bb0(%b: tensor<?x4xf32>):
    %g = tensor.concat dim(0) %b, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    dyn.yield %g : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

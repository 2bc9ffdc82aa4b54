// RUN: dyn-opt %s --split-input-file --dyn-split-dynamic-reshapes | FileCheck %s

// Splitting the rows [B*S] of a [B*S, 64] activation into [B, S] (attention
// heads with a dynamic batch and sequence) becomes tensor.reshape.
// CHECK-LABEL: func.func @heads
//  CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[B:.+]]: index, %[[S:.+]]: index)
//   CHECK-DAG:   %[[C4:.+]] = arith.constant 4 : index
//   CHECK-DAG:   %[[C16:.+]] = arith.constant 16 : index
//       CHECK:   %[[SHAPE:.+]] = tensor.from_elements %[[B]], %[[S]], %[[C4]], %[[C16]] : tensor<4xindex>
//       CHECK:   %[[R:.+]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<?x64xf32>, tensor<4xindex>) -> tensor<?x?x4x16xf32>
//       CHECK:   return %[[R]]
func.func @heads(%x: tensor<?x64xf32>, %b: index, %s: index) -> tensor<?x?x4x16xf32> {
  %e = tensor.expand_shape %x [[0, 1], [2, 3]] output_shape [%b, %s, 4, 16]
      : tensor<?x64xf32> into tensor<?x?x4x16xf32>
  return %e : tensor<?x?x4x16xf32>
}

// -----

// One dynamic dim per group bufferizes fine: left alone.
// CHECK-LABEL: func.func @one_dynamic_per_group
//       CHECK:   tensor.expand_shape
//   CHECK-NOT:   tensor.reshape
func.func @one_dynamic_per_group(%x: tensor<?x64xf32>, %b: index) -> tensor<?x4x16xf32> {
  %e = tensor.expand_shape %x [[0], [1, 2]] output_shape [%b, 4, 16]
      : tensor<?x64xf32> into tensor<?x4x16xf32>
  return %e : tensor<?x4x16xf32>
}

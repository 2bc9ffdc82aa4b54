// RUN: dyn-opt %s --split-input-file --dyn-lower-batch-branches --verify-diagnostics | FileCheck %s

// A gated block: each sample's branch from the mask, the counts and the
// partition (pos, perm) as linalg ops; a batch that agrees skips both
// gathers; each region runs once, under a dyn.cond on its count, on its
// slice of the (gathered) rows, and writes them into a buffer of the batch.

// CHECK-LABEL: func.func @gated
// CHECK-SAME: (%[[M:.+]]: tensor<?xi1>, %[[X:.+]]: tensor<?x16xf32>)
// CHECK: %[[B:.+]] = tensor.dim %[[M]]
// CHECK: %[[XB:.+]] = tensor.dim %[[X]]
// CHECK: %[[OK:.+]] = arith.cmpi eq, %[[XB]], %[[B]]
// CHECK: cf.assert %[[OK]], "dyn.batch_cond: input #0 has a number of rows other than the mask's samples"
// CHECK: %[[IDS:.+]] = linalg.generic {{.+}} ins(%[[M]] : tensor<?xi1>)
// CHECK: arith.select %{{.+}}, %{{.+}}, %{{.+}} : i32
// CHECK: %[[COUNTS:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]} ins(%[[IDS]] : tensor<?xi32>) outs(%{{.+}} : tensor<2xi32>)
// CHECK: %[[OFFSETS:.+]] = linalg.generic {{.+}} ins(%[[COUNTS]] : tensor<2xi32>) outs(%{{.+}} : tensor<2xi32>)
// CHECK: %[[RANKS:.+]] = linalg.generic {{.+}} ins(%[[IDS]], %[[IDS]] : tensor<?xi32>, tensor<?xi32>)
// CHECK: %[[POS:.+]] = linalg.generic {{.+}} ins(%[[IDS]], %[[RANKS]] : tensor<?xi32>, tensor<?xi32>)
// CHECK: tensor.extract %[[OFFSETS]]
// CHECK: %[[PERM:.+]] = linalg.generic {{.+}} ins(%[[POS]] : tensor<?xi32>)
// CHECK: %[[N0:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[O0:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[N1:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[O1:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK: %[[AGREE:.+]] = arith.cmpi ule
// CHECK: %[[ROWS:.+]] = dyn.cond %[[AGREE]] : i1 -> tensor<?x16xf32> {
// CHECK-NEXT: dyn.yield %[[X]]
// CHECK-NEXT: } else {
// CHECK: linalg.generic {{.+}} ins(%[[PERM]] : tensor<?xi32>)
// CHECK: tensor.extract %[[X]]
// CHECK: %[[BUF:.+]] = tensor.empty(%[[B]]) : tensor<?x16xf32>
// CHECK: %[[SOME0:.+]] = arith.cmpi sgt, %[[N0]]
// CHECK: %[[BUF0:.+]] = dyn.cond %[[SOME0]] : i1 -> tensor<?x16xf32> {
// CHECK: %[[IN0:.+]] = tensor.extract_slice %[[ROWS]][%[[O0]], 0] [%[[N0]], 16] [1, 1]
// CHECK: %[[T:.+]] = tosa.tanh %[[IN0]]
// CHECK: cf.assert %{{.+}}, "dyn.batch_cond: region 0 yielded a number of rows for result #0 other than the number of samples it took"
// CHECK: %[[W0:.+]] = tensor.insert_slice %[[T]] into %[[BUF]][%[[O0]], 0] [%[[N0]], 16] [1, 1]
// CHECK: dyn.yield %[[W0]]
// CHECK: } else {
// CHECK-NEXT: dyn.yield %[[BUF]]
// CHECK: %[[SOME1:.+]] = arith.cmpi sgt, %[[N1]]
// CHECK: %[[BUF1:.+]] = dyn.cond %[[SOME1]] : i1 -> tensor<?x16xf32> {
// CHECK: %[[IN1:.+]] = tensor.extract_slice %[[ROWS]][%[[O1]], 0] [%[[N1]], 16] [1, 1]
// CHECK-NOT: tosa.tanh
// CHECK: %[[W1:.+]] = tensor.insert_slice %[[IN1]] into %[[BUF0]][%[[O1]], 0] [%[[N1]], 16] [1, 1]
// CHECK: dyn.yield %[[W1]]
// CHECK: %[[R:.+]] = dyn.cond %[[AGREE]] : i1 -> tensor<?x16xf32> {
// CHECK-NEXT: dyn.yield %[[BUF1]]
// CHECK-NEXT: } else {
// CHECK: linalg.generic {{.+}} ins(%[[POS]] : tensor<?xi32>)
// CHECK: tensor.extract %[[BUF1]]
// CHECK: return %[[R]]
// CHECK-NOT: dyn.batch_cond %
func.func @gated(%m: tensor<?xi1>, %x: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %y = dyn.batch_cond %m, %x : (tensor<?xi1>, tensor<?x16xf32>) -> tensor<?x16xf32> {
  ^bb0(%a: tensor<?x16xf32>):
    %t = tosa.tanh %a : (tensor<?x16xf32>) -> tensor<?x16xf32>
    dyn.yield %t : tensor<?x16xf32>
  } else {
  ^bb0(%a: tensor<?x16xf32>):
    dyn.yield %a : tensor<?x16xf32>
  }
  return %y : tensor<?x16xf32>
}

// -----

// A static batch whose input has as many rows as the mask (the verifier
// proved it): no run-time check; the results keep their static type.

// CHECK-LABEL: func.func @static_batch
// CHECK-NOT: cf.assert {{.+}} "dyn.batch_cond: input
// CHECK: tensor.cast %{{.+}} : tensor<4x8xf32> to tensor<?x8xf32>
// CHECK: tensor.cast %{{.+}} : tensor<?x8xf32> to tensor<4x8xf32>
func.func @static_batch(%m: tensor<4xi1>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = dyn.batch_cond %m, %x : (tensor<4xi1>, tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<?x8xf32>):
    %e = math.exp %a : tensor<?x8xf32>
    dyn.yield %e : tensor<?x8xf32>
  } else {
  ^bb0(%a: tensor<?x8xf32>):
    dyn.yield %a : tensor<?x8xf32>
  }
  return %y : tensor<4x8xf32>
}

// -----

// Nested: the inner op is lowered first; the outer region then holds its
// lowering.

// CHECK-LABEL: func.func @nested
// CHECK-NOT: dyn.batch_cond %
// CHECK: math.exp
// CHECK-NOT: dyn.batch_cond %
func.func @nested(%m: tensor<?xi1>, %n: tensor<?xi1>, %x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = dyn.batch_cond %m, %x, %n : (tensor<?xi1>, tensor<?x8xf32>, tensor<?xi1>) -> tensor<?x8xf32> {
  ^bb0(%a: tensor<?x8xf32>, %an: tensor<?xi1>):
    %z = dyn.batch_cond %an, %a : (tensor<?xi1>, tensor<?x8xf32>) -> tensor<?x8xf32> {
    ^bb0(%c: tensor<?x8xf32>):
      %e = math.exp %c : tensor<?x8xf32>
      dyn.yield %e : tensor<?x8xf32>
    } else {
    ^bb0(%c: tensor<?x8xf32>):
      dyn.yield %c : tensor<?x8xf32>
    }
    dyn.yield %z : tensor<?x8xf32>
  } else {
  ^bb0(%a: tensor<?x8xf32>, %an: tensor<?xi1>):
    dyn.yield %a : tensor<?x8xf32>
  }
  return %y : tensor<?x8xf32>
}

// -----

func.func @dynamic_feature_dim(%m: tensor<?xi1>, %x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{result #0 ('tensor<?x?xf32>') has a dynamic dim 1; per-sample branches need static non-batch result dims}}
  %y = dyn.batch_cond %m, %x : (tensor<?xi1>, tensor<?x?xf32>) -> tensor<?x?xf32> {
  ^bb0(%a: tensor<?x?xf32>):
    dyn.yield %a : tensor<?x?xf32>
  } else {
  ^bb0(%a: tensor<?x?xf32>):
    dyn.yield %a : tensor<?x?xf32>
  }
  return %y : tensor<?x?xf32>
}

// -----

// A per-sample switch: each sample's branch is 1 + the position of its
// selector's value among the cases, 0 (the default region) for the rest;
// three counts, one dyn.cond per region, in region order.

// CHECK-LABEL: func.func @switch
// CHECK-SAME: (%[[E:.+]]: tensor<?xi64>, %[[X:.+]]: tensor<?x8xf32>)
// CHECK: linalg.generic {{.+}} ins(%[[E]] : tensor<?xi64>)
// CHECK: ^bb0(%[[V:.+]]: i64, %{{.+}}: i32):
// CHECK: arith.cmpi eq, %[[V]], %{{.+}} : i64
// CHECK: arith.cmpi eq, %[[V]], %{{.+}} : i64
// CHECK: -> tensor<3xi32>
// CHECK: dyn.cond
// CHECK-NOT: math.
// CHECK: dyn.cond
// CHECK: math.exp
// CHECK: dyn.cond
// CHECK: math.tanh
func.func @switch(%e: tensor<?xi64>, %x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = dyn.batch_switch %e, %x : (tensor<?xi64>, tensor<?x8xf32>) -> tensor<?x8xf32>
  case 4 {
  ^bb0(%a: tensor<?x8xf32>):
    %r = math.exp %a : tensor<?x8xf32>
    dyn.yield %r : tensor<?x8xf32>
  }
  case 9 {
  ^bb0(%a: tensor<?x8xf32>):
    %r = math.tanh %a : tensor<?x8xf32>
    dyn.yield %r : tensor<?x8xf32>
  }
  default {
  ^bb0(%a: tensor<?x8xf32>):
    dyn.yield %a : tensor<?x8xf32>
  }
  return %y : tensor<?x8xf32>
}

// RUN: dyn-opt %s --split-input-file --dyn-subnet-destinations | FileCheck %s

// A matmul over a dynamic batch: the shape function reads the batch off the
// argument; the call site sizes the destination with it; the matmul's fill
// writes into the destination.
// CHECK-LABEL: func.func @f
//  CHECK-SAME: (%[[X:.+]]: tensor<?x64xf32>, %[[W:.+]]: tensor<64x64xf32>)
//       CHECK:   %[[N:.+]] = call @mm__shape(%[[X]], %[[W]]) : (tensor<?x64xf32>, tensor<64x64xf32>) -> index
//       CHECK:   %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?x64xf32>
//       CHECK:   call @mm(%[[X]], %[[W]], %[[E]])
// CHECK-LABEL: func.func private @mm
//  CHECK-SAME: (%[[A:.+]]: tensor<?x64xf32>, %[[B:.+]]: tensor<64x64xf32>, %[[D:.+]]: tensor<?x64xf32>)
//       CHECK:   %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[D]] : tensor<?x64xf32>)
//       CHECK:   linalg.matmul ins(%[[A]], %[[B]] : {{.+}}) outs(%[[Z]] : tensor<?x64xf32>)
// CHECK-LABEL: func.func private @mm__shape
//  CHECK-SAME: (%[[SA:.+]]: tensor<?x64xf32>, %{{.+}}: tensor<64x64xf32>) -> index attributes {dyn.shape_function}
//  CHECK-NEXT:   %[[C0:.+]] = arith.constant 0 : index
//  CHECK-NEXT:   %[[DIM:.+]] = tensor.dim %[[SA]], %[[C0]]
//  CHECK-NEXT:   return %[[DIM]] : index
func.func @f(%x: tensor<?x64xf32>, %w: tensor<64x64xf32>) -> tensor<?x64xf32> attributes {dyn.dispatcher} {
  %r = func.call @mm(%x, %w) : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}
func.func private @mm(%x: tensor<?x64xf32>, %w: tensor<64x64xf32>) -> tensor<?x64xf32> attributes {dyn.subnet} {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x64xf32>) outs(%z : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %m : tensor<?x64xf32>
}

// -----

// A static result needs no shape function; a concatenation keeps its own
// allocation (copying it into a destination would cost more).
// CHECK-LABEL: func.func @g
//   CHECK-NOT:   __shape
//       CHECK:   %[[E:.+]] = tensor.empty() : tensor<4xf32>
//       CHECK:   call @static_and_concat(%{{.+}}, %[[E]]) : (tensor<?xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<?xf32>)
// CHECK-LABEL: func.func private @static_and_concat
//  CHECK-SAME: (%{{.+}}: tensor<?xf32>, %[[D:.+]]: tensor<4xf32>)
//       CHECK:   linalg.fill ins(%{{.+}} : f32) outs(%[[D]] : tensor<4xf32>)
//       CHECK:   tensor.concat
func.func @g(%x: tensor<?xf32>) -> (tensor<4xf32>, tensor<?xf32>) attributes {dyn.dispatcher} {
  %r:2 = func.call @static_and_concat(%x) : (tensor<?xf32>) -> (tensor<4xf32>, tensor<?xf32>)
  return %r#0, %r#1 : tensor<4xf32>, tensor<?xf32>
}
func.func private @static_and_concat(%x: tensor<?xf32>) -> (tensor<4xf32>, tensor<?xf32>) attributes {dyn.subnet} {
  %f1 = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %z = linalg.fill ins(%f1 : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %c = tensor.concat dim(0) %x, %x : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %z, %c : tensor<4xf32>, tensor<?xf32>
}

// -----

// A result whose size is read from tensor data (a count computed by the
// subnet) with no upper bound in terms of the arguments: the subnet keeps
// allocating it.
// CHECK-LABEL: func.func @h
//       CHECK:   call @data_dependent(%{{[^,]+}}) : (tensor<i64>) -> tensor<?xf32>
//   CHECK-NOT: __shape
func.func @h(%t: tensor<i64>) -> tensor<?xf32> attributes {dyn.dispatcher} {
  %r = func.call @data_dependent(%t) : (tensor<i64>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func private @data_dependent(%t: tensor<i64>) -> tensor<?xf32> attributes {dyn.subnet} {
  %f1 = arith.constant 1.0 : f32
  %v = tensor.extract %t[] : tensor<i64>
  %n = arith.index_cast %v : i64 to index
  %e = tensor.empty(%n) : tensor<?xf32>
  %z = linalg.fill ins(%f1 : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32>
  return %z : tensor<?xf32>
}

// -----

// A data-dependent size with an upper bound: k rows kept, k read from a
// tensor and clamped to [0, rows]. The shape function returns the bound
// (rows), the call site allocates that, the subnet computes into the leading
// slice of its destination and also returns the actual size, with which the
// call site takes the slice.
// CHECK-LABEL: func.func @bounded
//  CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>, %[[K:.+]]: tensor<i64>)
//       CHECK:   %[[B:.+]] = call @keep_rows__shape(%[[X]], %[[K]]) : (tensor<?x8xf32>, tensor<i64>) -> index
//       CHECK:   %[[E:.+]] = tensor.empty(%[[B]]) : tensor<?x8xf32>
//       CHECK:   %[[R:.+]]:2 = call @keep_rows(%[[X]], %[[K]], %[[E]]) : (tensor<?x8xf32>, tensor<i64>, tensor<?x8xf32>) -> (tensor<?x8xf32>, index)
//       CHECK:   %[[S:.+]] = tensor.extract_slice %[[R]]#0[0, 0] [%[[R]]#1, 8] [1, 1]
//       CHECK:   return %[[S]]
// CHECK-LABEL: func.func private @keep_rows
//  CHECK-SAME: (%[[X:.+]]: tensor<?x8xf32>, %{{.+}}: tensor<i64>, %[[D:.+]]: tensor<?x8xf32>) -> (tensor<?x8xf32>, index)
//       CHECK:   %[[N:.+]] = arith.minsi
//       CHECK:   %[[SL:.+]] = tensor.extract_slice %[[D]][0, 0] [%[[N]], 8] [1, 1]
//       CHECK:   %[[G:.+]] = linalg.generic {{.+}} outs(%[[SL]] : tensor<?x8xf32>)
//       CHECK:   %[[IN:.+]] = tensor.insert_slice %[[G]] into %[[D]][0, 0] [%[[N]], 8] [1, 1]
//       CHECK:   return %[[IN]], %[[N]] : tensor<?x8xf32>, index
// CHECK-LABEL: func.func private @keep_rows__shape
//  CHECK-SAME: attributes {dyn.shape_function, dyn.upper_bounds}
//       CHECK:   %[[D0:.+]] = tensor.dim %{{.+}}, %c0
//       CHECK:   return %[[D0]] : index
func.func @bounded(%x: tensor<?x8xf32>, %k: tensor<i64>) -> tensor<?x8xf32> attributes {dyn.dispatcher} {
  %r = func.call @keep_rows(%x, %k) : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}
func.func private @keep_rows(%x: tensor<?x8xf32>, %k: tensor<i64>) -> tensor<?x8xf32> attributes {dyn.subnet} {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %k[] : tensor<i64>
  %i = arith.index_cast %v : i64 to index
  %rows = tensor.dim %x, %c0 : tensor<?x8xf32>
  %lo = arith.maxsi %i, %c0 : index
  %n = arith.minsi %lo, %rows : index
  %s = tensor.extract_slice %x[0, 0] [%n, 8] [1, 1] : tensor<?x8xf32> to tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %y = math.exp %a : f32
    linalg.yield %y : f32
  } -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

// Two results of one destination chain (the fill a matmul accumulates
// into, returned beside it): only the first takes a destination (both
// claiming the one tensor.empty crashed the pass; found by fuzzing).
// CHECK-LABEL: func.func @shared_root
//       CHECK:   %[[N:.+]] = call @fill_and_mm__shape
//       CHECK:   %[[D:.+]] = tensor.empty(%[[N]])
//       CHECK:   call @fill_and_mm(%{{.+}}, %[[D]])
// CHECK-LABEL: func.func private @fill_and_mm(
//  CHECK-SAME:   %{{.+}}: tensor<?x8xf32>, %[[DEST:.+]]: tensor<?x8xf32>)
//       CHECK:   %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[DEST]] : tensor<?x8xf32>)
//       CHECK:   %[[M:.+]] = linalg.matmul {{.+}} outs(%[[Z]] : tensor<?x8xf32>)
//       CHECK:   return %[[Z]], %[[M]]
func.func @shared_root(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) attributes {dyn.dispatcher} {
  %r:2 = func.call @fill_and_mm(%x) : (tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>)
  return %r#0, %r#1 : tensor<?x8xf32>, tensor<?x8xf32>
}
func.func private @fill_and_mm(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) attributes {dyn.subnet} {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<8x8xf32>
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x8xf32>, tensor<8x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %z, %m : tensor<?x8xf32>, tensor<?x8xf32>
}

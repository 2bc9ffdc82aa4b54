// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-lower-vectors))" --split-input-file | FileCheck %s

// Contractions become outer products (FMAs), not dot products.
// CHECK-LABEL: func.func @contract(
// CHECK-NOT: vector.contract
// CHECK: vector.fma
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @contract(%a: vector<4x8xf32>, %b: vector<8x16xf32>, %c: vector<4x16xf32>) -> vector<4x16xf32> {
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>}
      %a, %b, %c : vector<4x8xf32>, vector<8x16xf32> into vector<4x16xf32>
  return %r : vector<4x16xf32>
}

// -----

// Multi-reductions become 1-D reductions the LLVM lowering knows.
// CHECK-LABEL: func.func @reduce(
// CHECK-NOT: vector.multi_reduction
// CHECK: vector.reduction <add>
func.func @reduce(%v: vector<2x16xf32>, %acc: vector<2xf32>) -> vector<2xf32> {
  %r = vector.multi_reduction <add>, %v, %acc [1] : vector<2x16xf32> to vector<2xf32>
  return %r : vector<2xf32>
}

// -----

// Masked transfers become masked 1-D loads.
// CHECK-LABEL: func.func @masked_read(
// CHECK-NOT: vector.mask
// CHECK: vector.maskedload
func.func @masked_read(%m: memref<?xf32>, %n: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %mask = vector.create_mask %n : vector<16xi1>
  %v = vector.mask %mask { vector.transfer_read %m[%c0], %pad {in_bounds = [true]} : memref<?xf32>, vector<16xf32> } : vector<16xi1> -> vector<16xf32>
  return %v : vector<16xf32>
}

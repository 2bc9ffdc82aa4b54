// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-lower-vectors))" --split-input-file | FileCheck %s
// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-lower-vectors{approximate-math=false}))" --split-input-file | FileCheck %s --check-prefix=EXACT
// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-lower-vectors{tree-reductions=false}))" --split-input-file | FileCheck %s --check-prefix=ORDERED

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

// Multi-reductions become 1-D reductions, and those trees of whole-vector
// ops over halves (16 -> 8 -> 4 -> 2 -> 1 lanes, then the accumulator):
// LLVM lowers an ordered fadd reduction, or a NaN-propagating maximum, to
// a serial chain of 16 scalar ops. Without tree-reductions LLVM gets the
// 1-D reductions.
// CHECK-LABEL: func.func @reduce(
// CHECK-NOT: vector.multi_reduction
// CHECK-NOT: vector.reduction
// CHECK: arith.addf {{.+}} : vector<8xf32>
// CHECK: arith.addf {{.+}} : vector<4xf32>
// CHECK: arith.addf {{.+}} : vector<2xf32>
// CHECK: arith.addf {{.+}} : vector<1xf32>
// CHECK: arith.addf {{.+}} : f32
// CHECK-LABEL: func.func @reduce_max(
// CHECK-NOT: vector.reduction
// CHECK: arith.maximumf {{.+}} : vector<8xf32>
// CHECK: arith.maximumf {{.+}} : vector<1xf32>
// CHECK: arith.maximumf {{.+}} : f32
// ORDERED-LABEL: func.func @reduce(
// ORDERED: vector.reduction <add>
// ORDERED-LABEL: func.func @reduce_max(
// ORDERED: vector.reduction <maximumf>
func.func @reduce(%v: vector<2x16xf32>, %acc: vector<2xf32>) -> vector<2xf32> {
  %r = vector.multi_reduction <add>, %v, %acc [1] : vector<2x16xf32> to vector<2xf32>
  return %r : vector<2xf32>
}
func.func @reduce_max(%v: vector<16xf32>, %acc: f32) -> f32 {
  %r = vector.reduction <maximumf>, %v, %acc : vector<16xf32> into f32
  return %r : f32
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

// -----

// Math functions on vectors of f32 become polynomial approximations (no
// libm call per lane); scalar math, f64 and the functions whose
// approximations are not accurate everywhere (sin) are left alone; with
// approximate-math=false nothing is approximated.
// CHECK-LABEL: func.func @math(
// CHECK-NOT: math.exp {{.*}} : vector<8xf32>
// CHECK-NOT: math.erf {{.*}} : vector<8xf32>
// CHECK-NOT: math.tanh {{.*}} : vector<8xf32>
// CHECK-DAG: math.fma {{.*}} : vector<8xf32>
// CHECK-DAG: math.exp %{{.+}} : f32
// CHECK-DAG: math.exp %{{.+}} : vector<4xf64>
// CHECK-DAG: math.sin %{{.+}} : vector<8xf32>
// CHECK: return
// EXACT-LABEL: func.func @math(
// EXACT-DAG: math.exp %{{.+}} : vector<8xf32>
// EXACT-DAG: math.erf %{{.+}} : vector<8xf32>
// EXACT-DAG: math.tanh %{{.+}} : vector<8xf32>
// EXACT-NOT: math.fma
func.func @math(%v: vector<8xf32>, %s: f32, %d: vector<4xf64>)
    -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, f32, vector<4xf64>) {
  %e = math.exp %v : vector<8xf32>
  %g = math.erf %v : vector<8xf32>
  %t = math.tanh %v : vector<8xf32>
  %n = math.sin %v : vector<8xf32>
  %x = math.exp %s : f32
  %y = math.exp %d : vector<4xf64>
  return %e, %g, %t, %n, %x, %y : vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, f32, vector<4xf64>
}

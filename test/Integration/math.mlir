// Math functions on vectors go through polynomial approximations
// (dyn-lower-vectors, approximate-math): exp, tanh, erf and log over a wide
// range and the special values (signed zeros, tiny, overflowing and
// underflowing arguments, infinities, NaN), each element within a few ulp of
// libm's float64 result; the build with approximate-math=false (one libm
// call per lane) must pass the same check.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --approximate-math=false -o %t.libm.so
// RUN: %python %S/check.py math %t.so %t.libm.so | FileCheck %s
// CHECK: math: path approximations: 1 runs ok
// CHECK: math: all paths taken

func.func @forward(%x: tensor<2048xf32>, %p: tensor<2048xf32>)
    -> (tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>) {
  %e = tensor.empty() : tensor<2048xf32>
  %exp = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<2048xf32>) outs(%e : tensor<2048xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<2048xf32>
  %tanh = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<2048xf32>) outs(%e : tensor<2048xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.tanh %a : f32
    linalg.yield %r : f32
  } -> tensor<2048xf32>
  %erf = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%x : tensor<2048xf32>) outs(%e : tensor<2048xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.erf %a : f32
    linalg.yield %r : f32
  } -> tensor<2048xf32>
  %log = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%p : tensor<2048xf32>) outs(%e : tensor<2048xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.log %a : f32
    linalg.yield %r : f32
  } -> tensor<2048xf32>
  return %exp, %tanh, %erf, %log : tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>, tensor<2048xf32>
}

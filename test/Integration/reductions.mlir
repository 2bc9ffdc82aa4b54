// Row reductions over a run-time length, as a softmax and a layer norm
// compute them: whole tiles accumulate 16 (or 8) partial results in a
// vector, reduced across lanes once after the loop as a tree of
// whole-vector ops; the rest goes on element by element. Lengths around
// the tile (1, 15, 16, 17, 100) against numpy in float64: the maximum
// propagates NaN (a NaN in one lane of one tile) and -0.0 stays -0.0 in a
// row of -0.0s; sums within reassociation's rounding.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --emit=mlir -o - | FileCheck %s --check-prefix=IR
// RUN: %python %S/check.py reductions %t.so | FileCheck %s
// CHECK: reductions: path length=1: {{[0-9]+}} runs ok
// CHECK: reductions: path length=15: {{[0-9]+}} runs ok
// CHECK: reductions: path length=16: {{[0-9]+}} runs ok
// CHECK: reductions: path length=17: {{[0-9]+}} runs ok
// CHECK: reductions: path length=100: {{[0-9]+}} runs ok
// CHECK: reductions: all paths taken
// No LLVM reduction intrinsic is left for the back end to serialize.
// IR-NOT: llvm.intr.vector.reduce.fadd
// IR-NOT: llvm.intr.vector.reduce.fmaximum

func.func @rowmax(%x: tensor<4x?xf32>) -> tensor<4xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x?xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %a, %acc : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

func.func @rowsum(%x: tensor<4x?xf32>) -> tensor<4xf32> {
  %nzero = arith.constant -0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%nzero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x?xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

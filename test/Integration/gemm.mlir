// Matmuls at the sizes where the CPU code generation changes shape: blocked
// for the cache along N and K with B packed into strips (static, enough
// rows), blocked without packing (rows known only at run time: 1, 7, 96),
// and neither (extents the blocks and register tiles do not divide), each
// against numpy; a second build with the blocking and packing off and
// another register tile must agree.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --matmul-cache-tile-n=0 --matmul-cache-tile-k=0 --vector-size=8 --matmul-tile-m=4 --matmul-tile-n=8 -o %t.unblocked.so
// RUN: dyn-opt %s --pass-pipeline="builtin.module(func.func(dyn-tile-and-vectorize{vector-size=8 matmul-tile-m=6 matmul-tile-n=16}))" | FileCheck %s --check-prefix=PACK
// RUN: %python %S/check.py gemm %t.so %t.unblocked.so | FileCheck %s
// PACK-LABEL: func.func @large(
// PACK: step %c256
// PACK: step %c128
// PACK: tensor.expand_shape
// PACK-LABEL: func.func @ragged(
// PACK-NOT: tensor.expand_shape
// PACK-NOT: step %c256
// PACK-NOT: step %c128
// PACK-LABEL: func.func @rows(
// PACK-NOT: tensor.expand_shape
// PACK: step %c256
// PACK-NOT: tensor.expand_shape
// PACK: return
// CHECK: gemm: path large: {{[0-9]+}} runs ok
// CHECK: gemm: path ragged: {{[0-9]+}} runs ok
// CHECK: gemm: path rows=1: {{[0-9]+}} runs ok
// CHECK: gemm: path rows=7: {{[0-9]+}} runs ok
// CHECK: gemm: path rows=96: {{[0-9]+}} runs ok
// CHECK: gemm: all paths taken

func.func @large(%a: tensor<96x384xf32>, %b: tensor<384x512xf32>) -> tensor<96x512xf32> {
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<96x512xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<96x512xf32>) -> tensor<96x512xf32>
  %r = linalg.matmul ins(%a, %b : tensor<96x384xf32>, tensor<384x512xf32>)
                     outs(%z : tensor<96x512xf32>) -> tensor<96x512xf32>
  return %r : tensor<96x512xf32>
}

func.func @ragged(%a: tensor<100x200xf32>, %b: tensor<200x300xf32>) -> tensor<100x300xf32> {
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<100x300xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<100x300xf32>) -> tensor<100x300xf32>
  %r = linalg.matmul ins(%a, %b : tensor<100x200xf32>, tensor<200x300xf32>)
                     outs(%z : tensor<100x300xf32>) -> tensor<100x300xf32>
  return %r : tensor<100x300xf32>
}

func.func @rows(%a: tensor<?x384xf32>, %b: tensor<384x512xf32>) -> tensor<?x512xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %m = tensor.dim %a, %c0 : tensor<?x384xf32>
  %e = tensor.empty(%m) : tensor<?x512xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x512xf32>) -> tensor<?x512xf32>
  %r = linalg.matmul ins(%a, %b : tensor<?x384xf32>, tensor<384x512xf32>)
                     outs(%z : tensor<?x512xf32>) -> tensor<?x512xf32>
  return %r : tensor<?x512xf32>
}

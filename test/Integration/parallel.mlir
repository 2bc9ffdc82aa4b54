// The ops the CPU pipeline splits into the tasks of a parallel loop, each
// kind by the dim it splits: a convolution by output rows, an elementwise
// op by its outer dim, a batched matmul by its batch, a row reduction by
// rows, a matmul with rows known only at run time by columns. Run on the
// thread pool at 1, 2 and 3 threads (3 splits unevenly on 2 cores) against
// numpy, and against a build without parallel loops and one whose LLVM
// module was optimized and compiled in 3 partitions at once.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --parallel-tasks=0 -o %t.serial.so
// RUN: dyn-compile %s --emit=mlir -o - | FileCheck %s --check-prefix=IR
// RUN: env DYN_NUM_THREADS=1 %python %S/check.py parallel %t.so %t.serial.so | FileCheck %s
// RUN: dyn-compile %s --codegen-threads=3 --timing -o %t.split.so 2>&1 | FileCheck %s --check-prefix=SPLIT
// RUN: env DYN_NUM_THREADS=2 %python %S/check.py parallel %t.so %t.serial.so %t.split.so | FileCheck %s
// RUN: env DYN_NUM_THREADS=3 %python %S/check.py parallel %t.so %t.serial.so | FileCheck %s
// RUN: not dyn-run %t.so --threads 300 2>&1 | FileCheck %s --check-prefix=BAD
// IR-COUNT-5: llvm.call @dyn_rt_parallel_for(
// IR-NOT: llvm.call @dyn_rt_parallel_for(
// CHECK: parallel: path conv: {{[0-9]+}} runs ok
// CHECK: parallel: path relu: {{[0-9]+}} runs ok
// CHECK: parallel: path attention: {{[0-9]+}} runs ok
// CHECK: parallel: path rowsum: {{[0-9]+}} runs ok
// CHECK: parallel: path rows=1: {{[0-9]+}} runs ok
// CHECK: parallel: path rows=50: {{[0-9]+}} runs ok
// CHECK: parallel: all paths taken
// SPLIT: LLVM optimization and code generation (3 partitions at once)
// BAD: dyn-run: error: --threads must be between 1 and 256, not 300

func.func @conv(%x: tensor<1x16x16x8xf32>, %w: tensor<3x3x8x16xf32>) -> tensor<1x14x14x16xf32> {
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x14x14x16xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<1x14x14x16xf32>) -> tensor<1x14x14x16xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x16x16x8xf32>, tensor<3x3x8x16xf32>)
         outs(%z : tensor<1x14x14x16xf32>) -> tensor<1x14x14x16xf32>
  return %r : tensor<1x14x14x16xf32>
}

#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @relu(%x: tensor<2x64x32x32xf32>) -> tensor<2x64x32x32xf32> {
  %f0 = arith.constant 0.0 : f32
  %f1 = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x64x32x32xf32>
  %r = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x64x32x32xf32>) outs(%e : tensor<2x64x32x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %f0 : f32
    %a = arith.addf %m, %f1 : f32
    linalg.yield %a : f32
  } -> tensor<2x64x32x32xf32>
  return %r : tensor<2x64x32x32xf32>
}

func.func @attention(%q: tensor<4x64x32xf32>, %k: tensor<4x32x64xf32>) -> tensor<4x64x64xf32> {
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64x64xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
  %r = linalg.batch_matmul ins(%q, %k : tensor<4x64x32xf32>, tensor<4x32x64xf32>)
                           outs(%z : tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
  return %r : tensor<4x64x64xf32>
}

func.func @rowsum(%x: tensor<512x256xf32>) -> tensor<512xf32> {
  %f0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512xf32>
  %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<512xf32>) -> tensor<512xf32>
  %r = linalg.reduce ins(%x : tensor<512x256xf32>) outs(%z : tensor<512xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<512xf32>
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

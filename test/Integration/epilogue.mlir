// Epilogue fusion, executed: residual blocks as the frontends emit them
// (tosa, NHWC), whose bias, residual adds and ReLU run in the tiles of
// their convolutions: two convolutions anchoring one epilogue (a ResNet
// shortcut), 13 output columns (a peeled partial tile), a static batch of
// 1 (unit dims folded, then expanded back around the anchors; split into
// the tasks of a parallel loop) and a dynamic batch. Against numpy in
// float64, and against builds without fusion and without parallel loops.
// RUN: dyn-compile %s -o %t.so
// RUN: dyn-compile %s --fuse-epilogues=false -o %t.unfused.so
// RUN: dyn-compile %s --parallel-tasks=0 -o %t.serial.so
// RUN: env DYN_NUM_THREADS=2 %python %S/check.py epilogue %t.so %t.unfused.so %t.serial.so | FileCheck %s
// In the fused build each subnet is one parallel loop: the filters'
// transposes aside (the weights are arguments here, not constants), no
// linalg op is left outside the tiles.
// RUN: dyn-opt %s --dyn-cpu-pipeline="cpu=x86-64-v4" --mlir-print-ir-after=dyn-tile-and-vectorize --mlir-disable-threading -o /dev/null 2>&1 | FileCheck %s --check-prefix=IR
// CHECK: epilogue: path shortcut: {{[0-9]+}} runs ok
// CHECK: epilogue: path batch=1: {{[0-9]+}} runs ok
// CHECK: epilogue: path batch=3: {{[0-9]+}} runs ok
// CHECK: epilogue: all paths taken
// IR-LABEL: func.func private @shortcut_seg0(
// IR-NOT: linalg.
// IR: scf.forall
// IR-COUNT-2: vector.contract
// IR: arith.addf {{.+}} : vector<1x1x8x16xf32>
// IR: arith.maximumf {{.+}} : vector<1x1x8x16xf32>
// IR-COUNT-2: vector.contract
// IR: arith.addf {{.+}} : vector<1x1x5x16xf32>
// IR: arith.maximumf {{.+}} : vector<1x1x5x16xf32>
// IR: scf.forall.in_parallel
// IR-NOT: linalg.
// IR: return
// IR-LABEL: func.func private @residual_seg0(
// IR-NOT: linalg.
// IR: scf.forall
// IR: vector.contract
// IR: arith.maximumf {{.+}} : vector<1x1x8x16xf32>
// IR: vector.contract
// IR: arith.maximumf {{.+}} : vector<1x1x5x16xf32>
// IR-NOT: linalg.
// IR: return

func.func @shortcut(%x: tensor<1x5x13x16xf32>, %w1: tensor<16x3x3x16xf32>, %b1: tensor<16xf32>,
                    %w2: tensor<16x1x1x16xf32>, %b2: tensor<16xf32>) -> tensor<1x5x13x16xf32> {
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c1 = tosa.conv2d %x, %w1, %b1, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x5x13x16xf32>, tensor<16x3x3x16xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x13x16xf32>
  %c2 = tosa.conv2d %x, %w2, %b2, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x5x13x16xf32>, tensor<16x1x1x16xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x13x16xf32>
  %s = tosa.add %c1, %c2 : (tensor<1x5x13x16xf32>, tensor<1x5x13x16xf32>) -> tensor<1x5x13x16xf32>
  %r = tosa.clamp %s {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<1x5x13x16xf32>) -> tensor<1x5x13x16xf32>
  return %r : tensor<1x5x13x16xf32>
}

func.func @residual(%x: tensor<?x5x13x16xf32>, %w: tensor<16x3x3x16xf32>, %b: tensor<16xf32>) -> tensor<?x5x13x16xf32> {
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x5x13x16xf32>, tensor<16x3x3x16xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x5x13x16xf32>
  %s = tosa.add %c, %x : (tensor<?x5x13x16xf32>, tensor<?x5x13x16xf32>) -> tensor<?x5x13x16xf32>
  %r = tosa.clamp %s {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<?x5x13x16xf32>) -> tensor<?x5x13x16xf32>
  return %r : tensor<?x5x13x16xf32>
}

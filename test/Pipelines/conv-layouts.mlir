// RUN: dyn-opt %s --dyn-cpu-pipeline="cpu=" --mlir-print-ir-after=tosa-reduce-transposes --mlir-disable-threading -o /dev/null 2>&1 | FileCheck %s

// Layouts are chosen once per subnet: the frontends wrap every NCHW
// convolution in NCHW -> NHWC and NHWC -> NCHW transposes; inside the gated
// subnet the pair between the two convolutions cancels through the ReLU, so
// one transpose is left at each end of it.
// CHECK-LABEL: func.func private @forward_cond0_then(
// CHECK: tosa.transpose %{{.+}} {perms = array<i32: 0, 2, 3, 1>}
// CHECK: tosa.conv2d
// CHECK-NOT: tosa.transpose
// CHECK: tosa.clamp
// CHECK-NOT: tosa.transpose
// CHECK: tosa.conv2d
// CHECK: tosa.transpose %{{.+}} {perms = array<i32: 0, 3, 1, 2>}
// CHECK-NOT: tosa.transpose
// CHECK: return
func.func @forward(%x: tensor<?x4x6x6xf32>, %p: tensor<i1>) -> tensor<?x4x6x6xf32> {
  %w = "tosa.const"() <{values = dense<0.25> : tensor<4x3x3x4xf32>}> : () -> tensor<4x3x3x4xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = dyn.cond %p : tensor<i1> -> tensor<?x4x6x6xf32> {
    %t0 = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<?x4x6x6xf32>) -> tensor<?x6x6x4xf32>
    %c0 = tosa.conv2d %t0, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x6x6x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x6x6x4xf32>
    %t1 = tosa.transpose %c0 {perms = array<i32: 0, 3, 1, 2>} : (tensor<?x6x6x4xf32>) -> tensor<?x4x6x6xf32>
    %relu = tosa.clamp %t1 {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
    %t2 = tosa.transpose %relu {perms = array<i32: 0, 2, 3, 1>} : (tensor<?x4x6x6xf32>) -> tensor<?x6x6x4xf32>
    %c1 = tosa.conv2d %t2, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x6x6x4xf32>, tensor<4x3x3x4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x6x6x4xf32>
    %t3 = tosa.transpose %c1 {perms = array<i32: 0, 3, 1, 2>} : (tensor<?x6x6x4xf32>) -> tensor<?x4x6x6xf32>
    dyn.yield %t3 : tensor<?x4x6x6xf32>
  } else {
    dyn.yield %x : tensor<?x4x6x6xf32>
  }
  return %r : tensor<?x4x6x6xf32>
}

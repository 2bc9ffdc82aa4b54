// RUN: dyn-opt %s --dyn-nvptx-pipeline="gpu-format=isa cpu=" | FileCheck %s
// RUN: dyn-opt %s --dyn-nvptx-pipeline="gpu-format=isa cpu=" | FileCheck %s --check-prefix=BIN
// RUN: dyn-opt %s --dyn-nvptx-pipeline="gpu-format=isa outline=false gpu-chip=sm_80 gpu-features=+ptx70 cpu=" | FileCheck %s --check-prefix=PLAIN

// Down to the LLVM dialect with the kernels compiled: one embedded binary
// (here PTX for sm_90) holding every kernel, host functions in LLVM
// launching them, the C ABI entry dyn_forward.
// CHECK: module attributes {dyn.target_cpu = "", dyn.target_features = "", gpu.container_module, llvm.target_triple = "x86_64-unknown-linux-gnu"}
// CHECK-NOT: dyn.cond
// BIN: gpu.binary @dyn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// BIN-SAME: .target sm_90
// BIN-SAME: .entry forward_seg0_kernel
// BIN-SAME: bar.sync
// CHECK-DAG: llvm.func internal @forward__device(
// CHECK-DAG: llvm.func internal @forward_cond0_then(
// CHECK-DAG: gpu.launch_func <%{{.+}} : !llvm.ptr> @dyn_kernels::@forward_cond0_then_kernel
// CHECK-DAG: llvm.call @mgpuMemcpy(
// CHECK-DAG: llvm.call @mgpuStreamSynchronize(
// CHECK-DAG: llvm.func @dyn_forward(%{{.+}}: !llvm.ptr, %{{.+}}: i64, %{{.+}}: !llvm.ptr, %{{.+}}: i64) -> i32
// PLAIN: gpu.binary @dyn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">
// PLAIN-SAME: .target sm_80
// PLAIN-NOT: @forward_seg0
// PLAIN: llvm.func @dyn_forward(
func.func @forward(%x: tensor<?x32xf32>, %w: tensor<32x32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %s1 = tosa.reduce_sum %x {axis = 1 : i32} : (tensor<?x32xf32>) -> tensor<?x1xf32>
  %s2 = tosa.reduce_sum %s1 {axis = 0 : i32} : (tensor<?x1xf32>) -> tensor<1x1xf32>
  %g = tosa.greater %s2, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xi1>
  %p = tensor.collapse_shape %g [] : tensor<1x1xi1> into tensor<i1>
  %r = dyn.cond %p : tensor<i1> -> tensor<?x32xf32> {
    %n = tensor.dim %x, %c0 : tensor<?x32xf32>
    %e = tensor.empty(%n) : tensor<?x32xf32>
    %z = linalg.fill ins(%f0 : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
    %m = linalg.matmul ins(%x, %w : tensor<?x32xf32>, tensor<32x32xf32>) outs(%z : tensor<?x32xf32>) -> tensor<?x32xf32>
    dyn.yield %m : tensor<?x32xf32>
  } else {
    dyn.yield %x : tensor<?x32xf32>
  }
  return %r : tensor<?x32xf32>
}

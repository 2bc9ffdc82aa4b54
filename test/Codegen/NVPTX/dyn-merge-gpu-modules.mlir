// RUN: dyn-opt %s --dyn-merge-gpu-modules | FileCheck %s

// Two outlined kernel modules whose kernels share a name and a constant:
// one module, kernels named after their old modules, one copy of the
// constant, launches retargeted.
// CHECK:       gpu.module @dyn_kernels {
//   CHECK-DAG:   memref.global "private" constant @w : memref<2xf32>
//   CHECK-DAG:   gpu.func @f_kernel(
//   CHECK-DAG:   gpu.func @f_kernel_0(
//       CHECK: }
//   CHECK-NOT: gpu.module
// CHECK-LABEL: func.func @f
//       CHECK:   gpu.launch_func @dyn_kernels::@f_kernel blocks
//       CHECK:   gpu.launch_func @dyn_kernels::@f_kernel_0 blocks
module attributes {gpu.container_module} {
  gpu.module @f_kernel {
    memref.global "private" constant @w : memref<2xf32> = dense<[1.0, 2.0]>
    gpu.func @f_kernel(%m: memref<2xf32>) kernel {
      %w = memref.get_global @w : memref<2xf32>
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    memref.global "private" constant @w : memref<2xf32> = dense<[1.0, 2.0]>
    gpu.func @f_kernel(%m: memref<2xf32>) kernel {
      %w = memref.get_global @w : memref<2xf32>
      gpu.return
    }
  }
  func.func @f(%m: memref<2xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<2xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<2xf32>)
    return
  }
}

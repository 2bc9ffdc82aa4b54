// RUN: dyn-opt %s --pass-pipeline='builtin.module(func.func(gpu-async-region,dyn-elide-gpu-waits))' | FileCheck %s

// Two launches and a free run in stream order without the host waiting; the
// host waits once, for the scalar it copies back and reads.
// CHECK-LABEL: func.func @decide
//       CHECK:   gpu.launch_func async
//       CHECK:   gpu.launch_func async
//   CHECK-NOT:   gpu.wait [
//       CHECK:   %[[T:.+]] = gpu.memcpy async [%{{.+}}] %[[HOST:.+]], %{{.+}} : memref<i1>, memref<i1>
//  CHECK-NEXT:   gpu.wait [%[[T]]]
//  CHECK-NEXT:   memref.load %[[HOST]][]
//   CHECK-NOT:   gpu.wait [
//       CHECK:   gpu.dealloc async
//   CHECK-NOT:   gpu.wait [
//       CHECK:   return
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @step(%m: memref<i1>) kernel {
      gpu.return
    }
  }
  func.func @decide() -> i1 {
    %c1 = arith.constant 1 : index
    %flag = gpu.alloc () : memref<i1>
    gpu.launch_func @kernels::@step blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%flag : memref<i1>)
    gpu.launch_func @kernels::@step blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%flag : memref<i1>)
    %host = memref.alloca() : memref<i1>
    gpu.memcpy %host, %flag : memref<i1>, memref<i1>
    %v = memref.load %host[] : memref<i1>
    gpu.dealloc %flag : memref<i1>
    return %v : i1
  }
}

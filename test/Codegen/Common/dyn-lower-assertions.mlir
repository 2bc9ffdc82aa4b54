// RUN: dyn-opt %s --dyn-lower-assertions --split-input-file | FileCheck %s

// Each cf.assert reports its message through the runtime when its
// condition is false; equal messages share one constant.
// CHECK-LABEL: func.func @two_checks
//  CHECK-SAME:   (%[[A:.+]]: i1, %[[B:.+]]: i1)
//       CHECK:   %[[T:.+]] = arith.constant true
//       CHECK:   %[[F:.+]] = arith.xori %[[A]], %[[T]] : i1
//       CHECK:   scf.if %[[F]] {
//       CHECK:     %[[G:.+]] = memref.get_global @__dyn_assert_0 : memref<26xi8>
//       CHECK:     %[[D:.+]] = memref.cast %[[G]] : memref<26xi8> to memref<?xi8>
//       CHECK:     func.call @dyn_rt_assert_failed(%[[D]]) : (memref<?xi8>) -> ()
//       CHECK:   }
//       CHECK:   arith.xori %[[B]]
//       CHECK:   memref.get_global @__dyn_assert_0
//   CHECK-NOT:   cf.assert
//       CHECK:   return
//       CHECK: func.func private @dyn_rt_assert_failed(memref<?xi8>)
//       CHECK: memref.global "private" constant @__dyn_assert_0 : memref<26xi8> = dense<[86, 97, 108
//   CHECK-NOT: memref.global "private" constant @__dyn_assert_1
func.func @two_checks(%a: i1, %b: i1) {
  cf.assert %a, "ValueError: negative input"
  cf.assert %b, "ValueError: negative input"
  return
}

// -----

// Kernels keep their asserts (GPU modules are left alone).
// CHECK-LABEL: gpu.module @kernels
//       CHECK:   cf.assert
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: i1) kernel {
      cf.assert %a, "in a kernel"
      gpu.return
    }
  }
}

// The attributes the dyn dialect declares for its passes, where they belong,
// survive a round trip (verified by the dialect: see invalid-attributes.mlir).
// RUN: dyn-opt %s | FileCheck %s
// RUN: dyn-opt %s --mlir-print-op-generic | dyn-opt | FileCheck %s

// CHECK: module attributes {dyn.target_cpu = "znver4", dyn.target_features = "+avx2"}
module attributes {dyn.target_cpu = "znver4", dyn.target_features = "+avx2"} {
  // CHECK-LABEL: func.func @entry
  // CHECK-SAME: dyn.symbolic_dims = array<i64: 0, -1>
  // CHECK-SAME: dyn.required_extents = array<i64: -1, -1, 4>
  // CHECK-SAME: dyn.specialize = ["0.0=1,8"]
  func.func @entry(%x: tensor<?x64xf32> {dyn.symbolic_dims = array<i64: 0, -1>},
                   %m: tensor<?x?x4xf32> {dyn.required_extents = array<i64: -1, -1, 4>})
      -> tensor<?x64xf32> attributes {dyn.specialize = ["0.0=1,8"]} {
    return %x : tensor<?x64xf32>
  }
  // CHECK-LABEL: func.func private @entry_seg0
  // CHECK-SAME: attributes {dyn.subnet}
  func.func private @entry_seg0(%x: tensor<?x64xf32>) -> tensor<?x64xf32>
      attributes {dyn.subnet} {
    return %x : tensor<?x64xf32>
  }
  // CHECK-LABEL: func.func private @entry_seg0__shape
  // CHECK-SAME: attributes {dyn.shape_function, dyn.upper_bounds}
  func.func private @entry_seg0__shape(%x: tensor<?x64xf32>) -> index
      attributes {dyn.shape_function, dyn.upper_bounds} {
    %c0 = arith.constant 0 : index
    %d = tensor.dim %x, %c0 : tensor<?x64xf32>
    return %d : index
  }
  // CHECK-LABEL: func.func @dispatch
  // CHECK-SAME: attributes {dyn.dispatcher}
  func.func @dispatch(%x: tensor<?x64xf32>) -> tensor<?x64xf32>
      attributes {dyn.dispatcher} {
    %r = func.call @entry_seg0(%x) : (tensor<?x64xf32>) -> tensor<?x64xf32>
    return %r : tensor<?x64xf32>
  }
  // CHECK-LABEL: func.func private @dyn_emu_kernel_k
  // CHECK-SAME: attributes {dyn.emulated_kernel = "k"}
  func.func private @dyn_emu_kernel_k() attributes {dyn.emulated_kernel = "k"} {
    return
  }
}

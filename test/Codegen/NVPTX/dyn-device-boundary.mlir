// RUN: dyn-opt %s --dyn-bufferize-for-device --dyn-device-boundary | FileCheck %s

// The entry becomes a host wrapper around @f__device: the input crosses to
// the device once, the computed output comes back once; the output that is
// the input unchanged and the constant output are returned from host memory
// without moving; the host shape operand is passed as it is.
// CHECK: memref.global "private" constant @[[HOSTC:.+]] : memref<2xf32> = dense<[1.000000e+00, 2.000000e+00]>
// CHECK-LABEL: func.func @f
//  CHECK-SAME: (%[[X:.+]]: memref<?x4xf32>, %[[S:.+]]: memref<2xindex>) -> (memref<?x4xf32>, memref<?x4xf32>, memref<2xf32>, memref<?x2xf32>)
//       CHECK:   %[[D:.+]] = memref.alloc(%{{.+}}) {{.*}}: memref<?x4xf32, #gpu.address_space<global>>
//       CHECK:   memref.copy %[[X]], %[[D]] : memref<?x4xf32> to memref<?x4xf32, #gpu.address_space<global>>
//       CHECK:   %[[R:.+]]:4 = call @f__device(%[[D]], %[[S]])
//       CHECK:   %[[H0:.+]] = memref.alloc(%{{.+}}) {{.*}}: memref<?x4xf32>
//       CHECK:   memref.copy %[[R]]#0, %[[H0]]
//       CHECK:   %[[C:.+]] = memref.get_global @[[HOSTC]] : memref<2xf32>
//       CHECK:   %[[H3:.+]] = memref.alloc(%{{.+}}) {{.*}}: memref<?x2xf32>
//       CHECK:   memref.copy %[[R]]#3, %[[H3]]
//       CHECK:   return %[[H0]], %[[X]], %[[C]], %[[H3]]
// CHECK-LABEL: func.func private @f__device
//  CHECK-SAME: (%{{.+}}: memref<?x4xf32, #gpu.address_space<global>>, %{{.+}}: memref<2xindex>)
func.func @f(%x: tensor<?x4xf32>, %s: tensor<2xindex>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<2xf32>, tensor<?x2xf32>) {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  } -> tensor<?x4xf32>
  %r = tensor.reshape %y(%s) : (tensor<?x4xf32>, tensor<2xindex>) -> tensor<?x2xf32>
  return %y, %x, %c, %r : tensor<?x4xf32>, tensor<?x4xf32>, tensor<2xf32>, tensor<?x2xf32>
}

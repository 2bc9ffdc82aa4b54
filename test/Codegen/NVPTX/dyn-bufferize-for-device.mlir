// RUN: dyn-opt %s --dyn-bufferize-for-device | FileCheck %s

// Tensors become buffers in GPU global memory; index tensors (the shape a
// host-side reshape reads) stay on the host; constants are device globals.
// The entry's input is read-only: doubling it allocates a new buffer.
// CHECK: memref.global "private" constant @{{.+}} : memref<2xf32, #gpu.address_space<global>>
// CHECK-LABEL: func.func @f
//  CHECK-SAME: (%[[X:.+]]: memref<?x4xf32, #gpu.address_space<global>>, %[[S:.+]]: memref<2xindex>)
//  CHECK-SAME: -> (memref<?x4xf32, #gpu.address_space<global>>, memref<?x4xf32, #gpu.address_space<global>>, memref<2xf32, #gpu.address_space<global>>, memref<?x2xf32, #gpu.address_space<global>>)
//       CHECK:   %[[A:.+]] = memref.alloc(%{{.+}}) {{.*}}: memref<?x4xf32, #gpu.address_space<global>>
//       CHECK:   linalg.generic {{.*}} ins(%[[X]] : {{.*}}) outs(%[[A]] :
//       CHECK:   memref.reshape %[[A]](%[[S]])
//       CHECK:   return %[[A]], %[[X]]
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

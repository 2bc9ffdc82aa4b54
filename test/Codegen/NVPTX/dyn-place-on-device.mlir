// RUN: dyn-opt %s --split-input-file --dyn-place-on-device --verify-diagnostics | FileCheck %s

// Device buffers come from gpu.alloc; a host read of a device scalar (a
// predicate a subnet computed, a loop's bound) is a one-element copy into a
// stack slot allocated once at function entry; host buffers (shapes) stay;
// constants a kernel reads are read inside it; the memory space is erased.
// CHECK-LABEL: func.func @dispatch
//  CHECK-SAME: (%[[X:.+]]: memref<?xf32>, %[[SHAPE:.+]]: memref<2xindex>) -> f32
//   CHECK-DAG:   %[[S0:.+]] = memref.alloca() : memref<1xf32>
//   CHECK-DAG:   %[[S1:.+]] = memref.alloca() : memref<1xf32>
//   CHECK-DAG:   %[[P:.+]] = memref.alloca() : memref<i1>
//       CHECK:   %[[T:.+]] = gpu.alloc (%{{.+}}) : memref<?xf32>
//       CHECK:   gpu.launch
//       CHECK:     %[[W:.+]] = memref.get_global @w : memref<4xf32>
//       CHECK:     memref.load %[[W]]
//       CHECK:   %[[PRED:.+]] = call @subnet(%[[T]]) : (memref<?xf32>) -> memref<i1>
//       CHECK:   gpu.memcpy %[[P]], %[[PRED]] : memref<i1>, memref<i1>
//       CHECK:   memref.load %[[P]][] : memref<i1>
//       CHECK:   scf.while
//       CHECK:     %[[E:.+]] = memref.subview %[[X]][%{{.+}}] [1] [1]
//       CHECK:     gpu.memcpy %{{.+}}, %[[E]]
//       CHECK:   memref.store %{{.+}}, %[[SHAPE]][%{{.+}}] : memref<2xindex>
//       CHECK:   gpu.dealloc %[[T]] : memref<?xf32>
//   CHECK-NOT:   #gpu.address_space<global>
memref.global "private" constant @w : memref<4xf32, #gpu.address_space<global>> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func private @subnet(memref<?xf32, #gpu.address_space<global>>) -> memref<i1, #gpu.address_space<global>>
func.func @dispatch(%x: memref<?xf32, #gpu.address_space<global>>, %shape: memref<2xindex>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32, #gpu.address_space<global>>
  %t = memref.alloc(%n) : memref<?xf32, #gpu.address_space<global>>
  %w = memref.get_global @w : memref<4xf32, #gpu.address_space<global>>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %w[%c0] : memref<4xf32, #gpu.address_space<global>>
    memref.store %v, %t[%tx] : memref<?xf32, #gpu.address_space<global>>
    gpu.terminator
  }
  %p = func.call @subnet(%t) : (memref<?xf32, #gpu.address_space<global>>) -> memref<i1, #gpu.address_space<global>>
  %go = memref.load %p[] : memref<i1, #gpu.address_space<global>>
  %r = scf.while (%i = %c0) : (index) -> index {
    %e = memref.load %x[%i] : memref<?xf32, #gpu.address_space<global>>
    %z = arith.constant 0.0 : f32
    %pos = arith.cmpf ogt, %e, %z : f32
    %c = arith.andi %pos, %go : i1
    scf.condition(%c) %i : index
  } do {
  ^bb0(%i: index):
    %j = arith.addi %i, %c1 : index
    scf.yield %j : index
  }
  memref.store %n, %shape[%c0] : memref<2xindex>
  memref.dealloc %t : memref<?xf32, #gpu.address_space<global>>
  %out = memref.load %x[%r] : memref<?xf32, #gpu.address_space<global>>
  return %out : f32
}

// -----

func.func @host_compute(%x: memref<4xf32, #gpu.address_space<global>>) -> vector<4xf32> {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0.0 : f32
  // expected-error @below {{dyn-place-on-device: host op accesses device memory; expected it inside a kernel}}
  %v = vector.transfer_read %x[%c0], %z : memref<4xf32, #gpu.address_space<global>>, vector<4xf32>
  return %v : vector<4xf32>
}

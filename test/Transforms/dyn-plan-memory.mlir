// RUN: dyn-opt %s --split-input-file --dyn-plan-memory | FileCheck %s

// %a dies before %c is made: they share bytes; %b overlaps both in time and
// gets its own. Largest first: %b at 0, then %a and %c both at 8192.
// CHECK-LABEL: func.func @chain
//       CHECK:   %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<10240xi8>
//       CHECK:   memref.view %[[ARENA]][%c8192{{.*}}][] : memref<10240xi8> to memref<8x64xf32>
//       CHECK:   memref.view %[[ARENA]][%c0{{.*}}][] : memref<10240xi8> to memref<8x256xf32>
//       CHECK:   memref.view %[[ARENA]][%c8192{{.*}}][] : memref<10240xi8> to memref<8x64xf32>
//   CHECK-NOT:   memref.alloc()
//       CHECK:   return
func.func @chain(%x: memref<8x64xf32>, %w1: memref<64x256xf32>, %w2: memref<256x64xf32>, %out: memref<8x64xf32>) {
  %a = memref.alloc() : memref<8x64xf32>
  linalg.copy ins(%x : memref<8x64xf32>) outs(%a : memref<8x64xf32>)
  %b = memref.alloc() : memref<8x256xf32>
  linalg.matmul ins(%a, %w1 : memref<8x64xf32>, memref<64x256xf32>) outs(%b : memref<8x256xf32>)
  %c = memref.alloc() : memref<8x64xf32>
  linalg.matmul ins(%b, %w2 : memref<8x256xf32>, memref<256x64xf32>) outs(%c : memref<8x64xf32>)
  linalg.copy ins(%c : memref<8x64xf32>) outs(%out : memref<8x64xf32>)
  return
}

// -----

// A buffer used inside a loop lives until the loop ends; one returned
// (escaping) or of dynamic shape is left to the allocator.
// CHECK-LABEL: func.func @loop_and_escape
//       CHECK:   %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
//       CHECK:   memref.view %[[ARENA]][%c0{{.*}}][] : memref<128xi8> to memref<16xf32>
//       CHECK:   memref.view %[[ARENA]][%c64{{.*}}][] : memref<128xi8> to memref<16xf32>
//       CHECK:   %[[D:.+]] = memref.alloc(%{{.+}}) : memref<?xf32>
//       CHECK:   %[[E:.+]] = memref.alloc() : memref<4xf32>
//       CHECK:   return %[[E]]
func.func @loop_and_escape(%n: index) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  %t = memref.alloc() : memref<16xf32>
  %u = memref.alloc() : memref<16xf32>
  scf.for %i = %c0 to %n step %c1 {
    memref.store %f, %t[%c0] : memref<16xf32>
  }
  memref.store %f, %u[%c0] : memref<16xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  memref.store %f, %d[%c0] : memref<?xf32>
  %e = memref.alloc() : memref<4xf32>
  return %e : memref<4xf32>
}

// -----

// Functions that call others (dispatchers) are not planned.
// CHECK-LABEL: func.func @dispatcher
//   CHECK-NOT:   memref.view
func.func private @subnet(memref<4xf32>)
func.func @dispatcher() {
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  func.call @subnet(%a) : (memref<4xf32>) -> ()
  func.call @subnet(%b) : (memref<4xf32>) -> ()
  return
}

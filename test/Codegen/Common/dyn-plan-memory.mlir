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

// A dispatcher: a subnet that returns a fresh buffer ends the life of the
// destination it was given; %a and %b do not meet and share bytes. A buffer
// given to an external function (which could keep it) stays allocated.
// CHECK-LABEL: func.func @dispatcher
//       CHECK:   %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<16xi8>
//       CHECK:   %[[A:.+]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<16xi8> to memref<4xf32>
//       CHECK:   call @fresh(%[[A]])
//       CHECK:   %[[B:.+]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<16xi8> to memref<4xf32>
//       CHECK:   call @fresh(%[[B]])
//       CHECK:   %[[K:.+]] = memref.alloc() : memref<4xf32>
//       CHECK:   call @external(%[[K]])
func.func private @external(memref<4xf32>)
func.func private @fresh(%arg0: memref<4xf32>) -> memref<4xf32> {
  %r = memref.alloc() : memref<4xf32>
  memref.copy %arg0, %r : memref<4xf32> to memref<4xf32>
  return %r : memref<4xf32>
}
func.func @dispatcher() {
  %a = memref.alloc() : memref<4xf32>
  %0 = func.call @fresh(%a) : (memref<4xf32>) -> memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %1 = func.call @fresh(%b) : (memref<4xf32>) -> memref<4xf32>
  %k = memref.alloc() : memref<4xf32>
  func.call @external(%k) : (memref<4xf32>) -> ()
  return
}

// -----

// A subnet that may return its argument keeps the caller's buffer alive as
// long as the result: %a lives to the last use of %0 and meets %b.
// CHECK-LABEL: func.func @aliasing_call
//       CHECK:   %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<80xi8>
//       CHECK:   memref.view %[[ARENA]][%c0{{.*}}][] : memref<80xi8> to memref<4xf32>
//       CHECK:   memref.view %[[ARENA]][%c64{{.*}}][] : memref<80xi8> to memref<4xf32>
func.func private @same(%arg0: memref<4xf32>) -> memref<4xf32> {
  return %arg0 : memref<4xf32>
}
func.func @aliasing_call(%out: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  %0 = func.call @same(%a) : (memref<4xf32>) -> memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %1 = func.call @same(%b) : (memref<4xf32>) -> memref<4xf32>
  memref.copy %0, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// Loops: buffers allocated per iteration that die in it move to the arena
// (the upstream copy of while state included, when the subnet it is given
// returns a fresh buffer); a buffer carried into the next iteration stays,
// and so does one allocated under a parallel loop.
// CHECK-LABEL: func.func @loops
//       CHECK:   %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<80xi8>
//       CHECK:   scf.while
//   CHECK-NOT:     memref.alloc
//       CHECK:     memref.view %[[ARENA]]
//   CHECK-NOT:     memref.alloc
//       CHECK:     scf.condition
//       CHECK:   } do {
//   CHECK-NOT:     memref.alloc
//       CHECK:     memref.view %[[ARENA]]
//   CHECK-NOT:     memref.alloc
//       CHECK:     scf.yield
//       CHECK:   scf.while
//       CHECK:     memref.alloc() : memref<4xf32>
//       CHECK:     scf.condition
//       CHECK:   scf.forall
//       CHECK:     memref.alloc() : memref<4xf32>
func.func @loops(%init: memref<4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %r = scf.while (%s = %init) : (memref<4xf32>) -> memref<4xf32> {
    %copy = memref.alloc() : memref<4xf32>
    memref.copy %s, %copy : memref<4xf32> to memref<4xf32>
    %v = memref.load %copy[%c0] : memref<4xf32>
    %go = arith.cmpf olt, %v, %f : f32
    scf.condition(%go) %copy : memref<4xf32>
  } do {
  ^bb0(%s: memref<4xf32>):
    %tmp = memref.alloc() : memref<4xf32>
    %1 = func.call @step(%s, %tmp) : (memref<4xf32>, memref<4xf32>) -> memref<4xf32>
    scf.yield %1 : memref<4xf32>
  }
  %carried = scf.while (%s = %init) : (memref<4xf32>) -> memref<4xf32> {
    %copy = memref.alloc() : memref<4xf32>
    memref.copy %s, %copy : memref<4xf32> to memref<4xf32>
    %v = memref.load %copy[%c0] : memref<4xf32>
    %go = arith.cmpf olt, %v, %f : f32
    scf.condition(%go) %copy : memref<4xf32>
  } do {
  ^bb0(%s: memref<4xf32>):
    memref.store %f, %s[%c0] : memref<4xf32>
    scf.yield %s : memref<4xf32>
  }
  scf.forall (%i) in (%n) {
    %p = memref.alloc() : memref<4xf32>
    memref.store %f, %p[%c0] : memref<4xf32>
  }
  return
}
func.func private @step(%s: memref<4xf32>, %tmp: memref<4xf32>) -> memref<4xf32> {
  %r = memref.alloc() : memref<4xf32>
  memref.copy %s, %tmp : memref<4xf32> to memref<4xf32>
  memref.copy %tmp, %r : memref<4xf32> to memref<4xf32>
  return %r : memref<4xf32>
}

// -----

// A dynamic buffer whose extent has a constant upper bound (a clamp) gets a
// slot of the bound's size and a view of its actual size; one without a
// bound is left to the allocator.
// CHECK-LABEL: func.func @bounded
//  CHECK-SAME: (%[[N:.+]]: index
//       CHECK:   %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
//       CHECK:   %[[M:.+]] = arith.minsi %[[N]]
//       CHECK:   memref.view %[[ARENA]][%{{.+}}][%[[M]]] : memref<128xi8> to memref<?xf32>
//       CHECK:   memref.view %[[ARENA]][%{{.+}}][] : memref<128xi8> to memref<16xf32>
//       CHECK:   memref.alloc(%[[N]]) : memref<?xf32>
func.func @bounded(%n: index) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %f = arith.constant 1.0 : f32
  %m = arith.minsi %n, %c16 : index
  %a = memref.alloc(%m) : memref<?xf32>
  %b = memref.alloc() : memref<16xf32>
  memref.store %f, %b[%c0] : memref<16xf32>
  memref.store %f, %a[%c0] : memref<?xf32>
  %u = memref.alloc(%n) : memref<?xf32>
  memref.store %f, %u[%c0] : memref<?xf32>
  return
}

// -----

// One arena per memory space: device buffers share a device arena, host
// ones a host arena.
// CHECK-LABEL: func.func @spaces
//   CHECK-DAG:   %[[D:.+]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8, #gpu.address_space<global>>
//   CHECK-DAG:   %[[H:.+]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
//   CHECK-DAG:   memref.view %[[D]][%{{.+}}][] : memref<128xi8, #gpu.address_space<global>> to memref<16xf32, #gpu.address_space<global>>
//   CHECK-DAG:   memref.view %[[H]][%{{.+}}][] : memref<128xi8> to memref<16xf32>
func.func @spaces(%f: f32) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<16xf32, #gpu.address_space<global>>
  %b = memref.alloc() : memref<16xf32, #gpu.address_space<global>>
  %h = memref.alloc() : memref<16xf32>
  %i = memref.alloc() : memref<16xf32>
  memref.store %f, %a[%c0] : memref<16xf32, #gpu.address_space<global>>
  memref.store %f, %b[%c0] : memref<16xf32, #gpu.address_space<global>>
  memref.store %f, %h[%c0] : memref<16xf32>
  memref.store %f, %i[%c0] : memref<16xf32>
  %x = memref.load %a[%c0] : memref<16xf32, #gpu.address_space<global>>
  %y = memref.load %h[%c0] : memref<16xf32>
  return
}

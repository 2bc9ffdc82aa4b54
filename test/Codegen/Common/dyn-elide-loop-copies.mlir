// RUN: dyn-opt %s --split-input-file --dyn-elide-loop-copies | FileCheck %s

// What one-shot-bufferize makes of a decode loop: the condition forwards a
// copy of the sequence. Both subnets only read their argument, so the
// sequence itself is forwarded.
// CHECK-LABEL: func.func @decode
//       CHECK:   scf.while (%[[S:.+]] = %{{.+}}) : (memref<?x4xf32>) -> memref<?x4xf32> {
//   CHECK-NOT:     memref.alloc
//   CHECK-NOT:     memref.copy
//       CHECK:     scf.condition(%{{.+}}) %[[S]] : memref<?x4xf32>
func.func private @before(%s: memref<?x4xf32>) -> i1 {
  %c0 = arith.constant 0 : index
  %v = memref.load %s[%c0, %c0] : memref<?x4xf32>
  %z = arith.constant 0.0 : f32
  %p = arith.cmpf ogt, %v, %z : f32
  return %p : i1
}
func.func private @after(%s: memref<?x4xf32>) -> memref<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %s, %c0 : memref<?x4xf32>
  %m = arith.addi %n, %c1 : index
  %g = memref.alloc(%m) : memref<?x4xf32>
  %head = memref.subview %g[0, 0] [%n, 4] [1, 1] : memref<?x4xf32> to memref<?x4xf32, strided<[4, 1]>>
  memref.copy %s, %head : memref<?x4xf32> to memref<?x4xf32, strided<[4, 1]>>
  return %g : memref<?x4xf32>
}
func.func @decode(%x: memref<?x4xf32>) -> memref<?x4xf32> {
  %c0 = arith.constant 0 : index
  %r = scf.while (%s = %x) : (memref<?x4xf32>) -> memref<?x4xf32> {
    %p = func.call @before(%s) : (memref<?x4xf32>) -> i1
    %n = memref.dim %s, %c0 : memref<?x4xf32>
    %a = memref.alloc(%n) : memref<?x4xf32>
    memref.copy %s, %a : memref<?x4xf32> to memref<?x4xf32>
    scf.condition(%p) %a : memref<?x4xf32>
  } do {
  ^bb0(%t: memref<?x4xf32>):
    %g = func.call @after(%t) : (memref<?x4xf32>) -> memref<?x4xf32>
    scf.yield %g : memref<?x4xf32>
  }
  return %r : memref<?x4xf32>
}

// -----

// The after region's callee writes its argument: the copy stays.
// CHECK-LABEL: func.func @writes
//       CHECK:   memref.alloc
//       CHECK:   memref.copy
func.func private @scale(%s: memref<?x4xf32>) -> memref<?x4xf32> {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0.0 : f32
  memref.store %z, %s[%c0, %c0] : memref<?x4xf32>
  return %s : memref<?x4xf32>
}
func.func @writes(%x: memref<?x4xf32>, %p: i1) -> memref<?x4xf32> {
  %c0 = arith.constant 0 : index
  %r = scf.while (%s = %x) : (memref<?x4xf32>) -> memref<?x4xf32> {
    %n = memref.dim %s, %c0 : memref<?x4xf32>
    %a = memref.alloc(%n) : memref<?x4xf32>
    memref.copy %s, %a : memref<?x4xf32> to memref<?x4xf32>
    scf.condition(%p) %a : memref<?x4xf32>
  } do {
  ^bb0(%t: memref<?x4xf32>):
    %g = func.call @scale(%t) : (memref<?x4xf32>) -> memref<?x4xf32>
    scf.yield %g : memref<?x4xf32>
  }
  return %r : memref<?x4xf32>
}

// RUN: dyn-opt %s --dyn-promote-scratch-to-stack | FileCheck %s

// The arrays of a run-time alias check in a loop: one stack slot each at
// function entry, no allocation or free left in the loop. A buffer that
// escapes the block (yielded), one too big, one passed to a function that
// could keep it, and one never freed stay on the heap.
// CHECK-LABEL: func.func @loop
//   CHECK-DAG:   %[[P:.+]] = memref.alloca() : memref<4xindex>
//   CHECK-DAG:   %[[F:.+]] = memref.alloca() : memref<4xi1>
//       CHECK:   scf.for
//   CHECK-NOT:     memref.alloc()
//       CHECK:     memref.store %{{.+}}, %[[P]]
//       CHECK:     %[[C:.+]] = memref.cast %[[P]]
//       CHECK:     call @helper(%[[C]], %[[F]])
//   CHECK-NOT:     memref.dealloc
//       CHECK:   }
//       CHECK:   memref.alloc() : memref<4096xf32>
//       CHECK:   memref.alloc() : memref<2xindex>
//       CHECK:   call @keeps
//       CHECK:   memref.alloc() : memref<2xi1>
func.func private @helper(%p: memref<?xindex>, %f: memref<4xi1>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %p[%c0] : memref<?xindex>
  %t = arith.constant true
  memref.store %t, %f[%c0] : memref<4xi1>
  return
}
func.func private @keeps(memref<2xindex>)
func.func @loop(%n: index, %x: index) -> i1 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f0 = arith.constant false
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %f0) -> i1 {
    %p = memref.alloc() : memref<4xindex>
    %f = memref.alloc() : memref<4xi1>
    memref.store %x, %p[%c0] : memref<4xindex>
    %pc = memref.cast %p : memref<4xindex> to memref<?xindex>
    func.call @helper(%pc, %f) : (memref<?xindex>, memref<4xi1>) -> ()
    %b = memref.load %f[%c0] : memref<4xi1>
    memref.dealloc %p : memref<4xindex>
    memref.dealloc %f : memref<4xi1>
    scf.yield %b : i1
  }
  %big = memref.alloc() : memref<4096xf32>
  memref.dealloc %big : memref<4096xf32>
  %kept = memref.alloc() : memref<2xindex>
  func.call @keeps(%kept) : (memref<2xindex>) -> ()
  memref.dealloc %kept : memref<2xindex>
  %leak = memref.alloc() : memref<2xi1>
  memref.store %f0, %leak[%c0] : memref<2xi1>
  return %r : i1
}

// RUN: dyn-opt %s --split-input-file --dyn-outline-parallel-loops | FileCheck %s

// A loop over a dynamic memref with a float and an index from above: the
// memref's descriptor fields, the index and the float's bits travel in an
// 8-slot context; the task rebuilds them and runs [begin, end).

// CHECK-LABEL: func.func private @dyn_rt_parallel_for(
//  CHECK-SAME:   (!llvm.ptr, index, index) -> (), !llvm.ptr, index)
// CHECK-LABEL: func.func @scale(
//  CHECK-SAME:   %[[BUF:[^:]+]]: memref<64x?xf32>, %[[S:[^:]+]]: f32, %[[N:[^:]+]]: index)
//       CHECK:   %[[SLOTS:.+]] = llvm.mlir.constant(8 : i64)
//       CHECK:   %[[CTX:.+]] = llvm.alloca %[[SLOTS]] x i64
//       CHECK:   memref.extract_strided_metadata %[[BUF]]
//       CHECK:   %[[PTR:.+]] = memref.extract_aligned_pointer_as_index %[[BUF]]
//       CHECK:   %[[PTR64:.+]] = arith.index_castui %[[PTR]]
//       CHECK:   %[[SLOT0:.+]] = llvm.getelementptr %[[CTX]][0]
//       CHECK:   llvm.store %[[PTR64]], %[[SLOT0]]
//       CHECK:   arith.bitcast %[[S]] : f32 to i32
//       CHECK:   %[[TRIPS:.+]] = arith.ceildivsi
//       CHECK:   %[[TASK:.+]] = constant @scale_task
//       CHECK:   call @dyn_rt_parallel_for(%[[TASK]], %[[CTX]], %[[TRIPS]])
//   CHECK-NOT:   scf.forall
//       CHECK:   return
// CHECK-LABEL: func.func private @scale_task(
//  CHECK-SAME:   %[[C:[^:]+]]: !llvm.ptr, %[[BEGIN:[^:]+]]: index, %[[END:[^:]+]]: index)
//       CHECK:   llvm.load
//       CHECK:   llvm.inttoptr
//       CHECK:   %[[REBUILT:.+]] = builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<64x?xf32>
//       CHECK:   %[[FILL:.+]] = arith.bitcast %{{.+}} : i32 to f32
//       CHECK:   scf.for %[[I:.+]] = %[[BEGIN]] to %[[END]]
//       CHECK:     %[[ROW:.+]] = arith.muli %[[I]], %{{.+}}
//       CHECK:     memref.subview %[[REBUILT]][%{{.+}}, 0]
//       CHECK:     linalg.fill ins(%[[FILL]] : f32)
func.func @scale(%buf: memref<64x?xf32>, %s: f32, %n: index) {
  scf.forall (%i) = (0) to (64) step (8) {
    %sub = memref.subview %buf[%i, 0] [8, %n] [1, 1] : memref<64x?xf32> to memref<8x?xf32, strided<[?, 1], offset: ?>>
    linalg.fill ins(%s : f32) outs(%sub : memref<8x?xf32, strided<[?, 1], offset: ?>>)
  }
  return
}

// -----

// Constants and globals are cloned into the task, not passed; with nothing
// else from above the context is null. A dynamic bound gives the trip
// count at the call; the inner loop of a nest stays in the task.

memref.global "private" constant @table : memref<16xf32> = dense<1.0>

// CHECK-LABEL: func.func @copy_table(
//  CHECK-SAME:   %[[UB:[^:]+]]: index)
//   CHECK-NOT:   llvm.alloca
//       CHECK:   %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
//       CHECK:   %[[DIST:.+]] = arith.subi %[[UB]], %{{.+}}
//       CHECK:   %[[TRIPS:.+]] = arith.ceildivsi %[[DIST]], %{{.+}}
//       CHECK:   call @dyn_rt_parallel_for(%{{.+}}, %[[NULL]], %[[TRIPS]])
// CHECK-LABEL: func.func private @copy_table_task(
//       CHECK:   memref.get_global @table
//       CHECK:   scf.for
//       CHECK:     memref.alloca
//       CHECK:     scf.forall
func.func @copy_table(%ub: index) {
  %c2 = arith.constant 2.0 : f32
  %t = memref.get_global @table : memref<16xf32>
  scf.forall (%i) = (0) to (%ub) step (4) {
    %scratch = memref.alloca() : memref<16xf32>
    memref.copy %t, %scratch : memref<16xf32> to memref<16xf32>
    scf.forall (%j) in (16) {
      memref.store %c2, %scratch[%j] : memref<16xf32>
    }
  }
  return
}

// -----

// A dynamic step travels like any other index.

// CHECK-LABEL: func.func @strided(
//  CHECK-SAME:   %{{[^:]+}}: memref<?xf32>, %[[STEP:[^:]+]]: index)
//       CHECK:   %[[STEP64:.+]] = arith.index_castui %[[STEP]]
//       CHECK:   llvm.store %[[STEP64]]
//       CHECK:   call @dyn_rt_parallel_for
// CHECK-LABEL: func.func private @strided_task(
//       CHECK:   %[[LOADED:.+]] = arith.index_castui %{{.+}} : i64 to index
//       CHECK:   scf.for %[[I:[^ ]+]] =
//       CHECK:     arith.muli %[[I]], %[[LOADED]]
func.func @strided(%buf: memref<?xf32>, %step: index) {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %n = memref.dim %buf, %c0 : memref<?xf32>
  scf.forall (%i) = (0) to (%n) step (%step) {
    memref.store %f, %buf[%i] : memref<?xf32>
  }
  return
}

// -----

// Left sequential: two induction variables; a vector from above.

// CHECK-LABEL: func.func @two_dims(
//       CHECK:   scf.forall (%{{.+}}, %{{.+}}) in (4, 4)
//   CHECK-NOT:   dyn_rt_parallel_for
func.func @two_dims(%buf: memref<4x4xf32>, %v: f32) {
  scf.forall (%i, %j) in (4, 4) {
    memref.store %v, %buf[%i, %j] : memref<4x4xf32>
  }
  return
}

// CHECK-LABEL: func.func @vector_capture(
//       CHECK:   scf.forall (%{{.+}}) in (4)
//   CHECK-NOT:   dyn_rt_parallel_for
func.func @vector_capture(%buf: memref<4x8xf32>, %v: vector<8xf32>) {
  %c0 = arith.constant 0 : index
  scf.forall (%i) in (4) {
    vector.store %v, %buf[%i, %c0] : memref<4x8xf32>, vector<8xf32>
  }
  return
}

// RUN: dyn-opt %s --split-input-file --dyn-map-to-gpu | FileCheck %s

// A dynamic matmul: 16x16 output tiles per block, the K loop staged through
// two shared-memory tiles with barriers, accumulated into the init.
// CHECK-LABEL: func.func @matmul
//  CHECK-SAME: (%[[A:.+]]: memref<?x?xf32, #gpu.address_space<global>>, %[[B:.+]]: memref<?x?xf32, #gpu.address_space<global>>, %[[C:.+]]: memref<?x?xf32, #gpu.address_space<global>>)
//   CHECK-DAG:   %[[M:.+]] = memref.dim %[[A]], %c0
//   CHECK-DAG:   %[[N:.+]] = memref.dim %[[B]], %c1
//   CHECK-DAG:   %[[GX:.+]] = arith.ceildivui %[[N]], %c16
//   CHECK-DAG:   %[[GY:.+]] = arith.ceildivui %[[M]], %c16
//       CHECK:   gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[GX]], %{{.+}} = %[[GY]], %{{.+}} = %c1{{[_0-9]*}}) threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %c16{{[_0-9]*}}, %{{.+}} = %c16{{[_0-9]*}}, %{{.+}} = %c1{{[_0-9]*}})
//  CHECK-SAME:     workgroup(%[[AT:[a-z0-9]+]] : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[BT:[a-z0-9]+]] : memref<16x16xf32, #gpu.address_space<workgroup>>)
//       CHECK:     scf.for
//       CHECK:       memref.store %{{.+}}, %[[AT]]
//       CHECK:       memref.store %{{.+}}, %[[BT]]
//       CHECK:       gpu.barrier
//       CHECK:       scf.for
//       CHECK:         memref.load %[[AT]]
//       CHECK:         memref.load %[[BT]]
//       CHECK:       gpu.barrier
//       CHECK:     memref.load %[[C]]
//       CHECK:     arith.addf
//       CHECK:     memref.store %{{.+}}, %[[C]]
//   CHECK-NOT:   linalg.matmul
func.func @matmul(%a: memref<?x?xf32, #gpu.address_space<global>>, %b: memref<?x?xf32, #gpu.address_space<global>>, %c: memref<?x?xf32, #gpu.address_space<global>>) {
  linalg.matmul ins(%a, %b : memref<?x?xf32, #gpu.address_space<global>>, memref<?x?xf32, #gpu.address_space<global>>) outs(%c : memref<?x?xf32, #gpu.address_space<global>>)
  return
}

// -----

// A row sum: one block per row, a strided partial per thread, a tree over
// shared memory (8 halving steps for 256 threads), thread 0 folds the init.
// CHECK-LABEL: func.func @row_sum
//       CHECK:   gpu.launch blocks({{.+}}) in ({{.+}}) threads({{.+}}) in (%{{.+}} = %c256{{[_0-9]*}}, %{{[a-z0-9]+}} = %c1{{[_0-9]*}}, %{{[a-z0-9]+}} = %c1{{[_0-9]*}})
//  CHECK-SAME:     workgroup(%[[P:[a-z0-9]+]] : memref<256xf32, #gpu.address_space<workgroup>>)
//       CHECK:     %[[PART:.+]] = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c256{{.*}} iter_args
//       CHECK:       math.exp
//       CHECK:       arith.addf
//       CHECK:     memref.store %[[PART]], %[[P]]
//       CHECK:     gpu.barrier
// CHECK-COUNT-8:   gpu.barrier
//       CHECK:     arith.cmpi eq
//       CHECK:     scf.if
//       CHECK:       arith.addf
//   CHECK-NOT:   linalg.generic
func.func @row_sum(%x: memref<?x?xf32, #gpu.address_space<global>>, %out: memref<?xf32, #gpu.address_space<global>>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32, #gpu.address_space<global>>) outs(%out : memref<?xf32, #gpu.address_space<global>>) {
  ^bb0(%in: f32, %acc: f32):
    %e = math.exp %in : f32
    %s = arith.addf %e, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Anything else: one thread per point (256 a block, flattened), guarded; an
// argmax-like two-output reduction walks its reduction dim serially. Device
// copies become kernels; host<->device copies are left as transfers.
// CHECK-LABEL: func.func @pointwise
//       CHECK:   %[[G:.+]] = arith.ceildivui %{{.+}}, %c256
//       CHECK:   gpu.launch blocks({{.+}}) in (%{{.+}} = %[[G]], {{.+}}) threads({{.+}}) in (%{{.+}} = %c256{{[_0-9]*}}, %{{[a-z0-9]+}} = %c1{{[_0-9]*}}, %{{[a-z0-9]+}} = %c1{{[_0-9]*}})
//       CHECK:     arith.cmpi ult
//       CHECK:     scf.if
//       CHECK:       arith.remui
//       CHECK:       arith.divui
//       CHECK:       arith.addf
//       CHECK:   gpu.launch
//       CHECK:     scf.for
//       CHECK:       arith.cmpf ogt
//       CHECK:   gpu.launch
//       CHECK:   memref.copy %{{.+}}, %{{.+}} : memref<4xf32> to memref<4xf32, #gpu.address_space<global>>
//   CHECK-NOT:   linalg.
func.func @pointwise(%x: memref<?x8xf32, #gpu.address_space<global>>, %b: memref<8xf32, #gpu.address_space<global>>, %y: memref<?x8xf32, #gpu.address_space<global>>, %m: memref<?xf32, #gpu.address_space<global>>, %i: memref<?xi32, #gpu.address_space<global>>, %h: memref<4xf32>, %d: memref<4xf32, #gpu.address_space<global>>, %d2: memref<4xf32, #gpu.address_space<global>>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %b : memref<?x8xf32, #gpu.address_space<global>>, memref<8xf32, #gpu.address_space<global>>) outs(%y : memref<?x8xf32, #gpu.address_space<global>>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x8xf32, #gpu.address_space<global>>) outs(%m, %i : memref<?xf32, #gpu.address_space<global>>, memref<?xi32, #gpu.address_space<global>>) {
  ^bb0(%u: f32, %best: f32, %at: i32):
    %k = linalg.index 1 : index
    %ki = arith.index_cast %k : index to i32
    %gt = arith.cmpf ogt, %u, %best : f32
    %nb = arith.select %gt, %u, %best : f32
    %na = arith.select %gt, %ki, %at : i32
    linalg.yield %nb, %na : f32, i32
  }
  memref.copy %d, %d2 : memref<4xf32, #gpu.address_space<global>> to memref<4xf32, #gpu.address_space<global>>
  memref.copy %h, %d : memref<4xf32> to memref<4xf32, #gpu.address_space<global>>
  return
}

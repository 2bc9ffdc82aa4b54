// Nimble's case (examples/dynamic_shapes.py): a BERT-style encoder layer with
// dynamic batch and sequence length, compiled once and run at B in {1, 3} x
// S in {1, 7, 64, 128}, and a decode loop whose sequence grows by a row per
// step, run at every trip count 0..24, all against numpy.
// RUN: %python %dyn_src_root/examples/dynamic_shapes.py emit %t.mlir
// RUN: dyn-compile %t.mlir -o %t.so
// RUN: dyn-compile %t.mlir --no-outline --no-vectorize -o %t.plain.so
// Shape-specialised versions (batch 1 x each listed length; batch 3 takes
// the generic version) must give the same numbers:
// RUN: dyn-compile %t.mlir --specialize=encoder:0.1=1,7,64,128 --specialize=encoder:0.0=1 -o %t.spec.so
// RUN: %python %dyn_src_root/examples/dynamic_shapes.py check %t.so %t.plain.so %t.spec.so | FileCheck %s
// CHECK-DAG: encoder B=1 S=1: {{.*}} ok
// CHECK-DAG: encoder B=1 S=7: {{.*}} ok
// CHECK-DAG: encoder B=1 S=64: {{.*}} ok
// CHECK-DAG: encoder B=1 S=128: {{.*}} ok
// CHECK-DAG: encoder B=3 S=1: {{.*}} ok
// CHECK-DAG: encoder B=3 S=7: {{.*}} ok
// CHECK-DAG: encoder B=3 S=64: {{.*}} ok
// CHECK-DAG: encoder B=3 S=128: {{.*}} ok
// CHECK-DAG: decode steps=0: rows 1 ok
// CHECK-DAG: decode steps=1: rows 2 ok
// CHECK-DAG: decode steps=24: rows 25 ok
// CHECK: all shapes ok

// Wrong shapes are reported with the argument, dim, extent and the symbol
// the dim shares with another input (dyn-infer-symbolic-dims).
// RUN: %python %dyn_src_root/examples/dynamic_shapes.py errors %t.so | FileCheck %s --check-prefix=ERR
// ERR: rank: encoder: input 0 has rank 2, expected 3 (shape [s0,s1,64])
// ERR: feature dim: encoder: input 0 has shape [2,5,32], expected [s0,s1,64] (dim 2 is 32)
// ERR: mask batch: encoder: input 1 has shape [1,5], expected [s0,s1] (dim 0 is 1, but s0 is 2 from input 0 dim 0)
// ERR: mask length: encoder: input 1 has shape [2,4], expected [s0,s1] (dim 1 is 4, but s1 is 5 from input 0 dim 1)
// ERR: dtype: encoder: input 0 has element type f64, expected f32

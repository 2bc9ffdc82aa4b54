// The bundled example (examples/gated_mlp.py): generated, compiled with and
// without outlining, and checked against numpy on 300 random inputs that
// take every path (two gates, an early exit, batch 1-8).
// RUN: %python %dyn_src_root/examples/gated_mlp.py emit %t.mlir
// RUN: dyn-compile %t.mlir -o %t.so
// RUN: %python %dyn_src_root/examples/gated_mlp.py consistency %t.so 300 | FileCheck %s
// RUN: dyn-compile %t.mlir --no-outline --no-vectorize -o %t.plain.so
// RUN: %python %dyn_src_root/examples/gated_mlp.py consistency %t.plain.so 100 | FileCheck %s --check-prefix=PLAIN
// CHECK-DAG: path [gate1=run exit=1]
// CHECK-DAG: path [gate1=skip exit=1]
// CHECK-DAG: path [gate1=run exit=2 gate2=run]
// CHECK-DAG: path [gate1=run exit=2 gate2=skip]
// CHECK-DAG: path [gate1=skip exit=2 gate2=run]
// CHECK-DAG: path [gate1=skip exit=2 gate2=skip]
// CHECK: inconsistent: 0/300
// PLAIN: inconsistent: 0/100

// RUN: dyn-opt %s --split-input-file --dyn-finalize-llvm-module | FileCheck %s
// RUN: dyn-opt %s --split-input-file --dyn-finalize-llvm-module="triple=aarch64-unknown-linux-gnu cpu=neoverse-n1 features=+neon" | FileCheck %s --check-prefix=ARM

// The target is recorded on the module; private definitions (private symbols,
// as func-to-llvm leaves a private func.func) become internal: not exported
// from the shared library, free to inline. Public functions and declarations
// keep their linkage.
// CHECK: module attributes {dyn.target_cpu = "", dyn.target_features = "", llvm.target_triple = "x86_64-unknown-linux-gnu"}
// CHECK-DAG: llvm.func internal @subnet(
// CHECK-DAG: llvm.func @dyn_forward(
// CHECK-DAG: llvm.func @malloc(
// ARM: module attributes {dyn.target_cpu = "neoverse-n1", dyn.target_features = "+neon", llvm.target_triple = "aarch64-unknown-linux-gnu"}
module {
  llvm.func @subnet(%x: f32) -> f32 attributes {sym_visibility = "private"} {
    llvm.return %x : f32
  }
  llvm.func @dyn_forward(%x: f32) -> f32 {
    %y = llvm.call @subnet(%x) : (f32) -> f32
    llvm.return %y : f32
  }
  llvm.func @malloc(i64) -> !llvm.ptr attributes {sym_visibility = "private"}
}

// -----

// A module that already records a target gets the one asked for.
// CHECK: module attributes {dyn.target_cpu = "", dyn.target_features = "", llvm.target_triple = "x86_64-unknown-linux-gnu"}
module attributes {dyn.target_cpu = "old", llvm.target_triple = "riscv64"} {
}

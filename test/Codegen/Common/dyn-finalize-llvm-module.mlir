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

// -----

// Constant weights become byte arrays (little-endian f32 1.0 = 0x3F800000),
// their alignment kept (at least the element size); splats, byte arrays and
// mutable globals stay as they are.
// CHECK-DAG: llvm.mlir.global private constant @w(dense<[0, 0, -128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, -128, 64]> : tensor<16xi8>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<16 x i8>
// CHECK-DAG: llvm.mlir.global private constant @h(dense<[1, 0, 2, 0]> : tensor<4xi8>) {addr_space = 0 : i32, alignment = 2 : i64} : !llvm.array<4 x i8>
// CHECK-DAG: llvm.mlir.global private constant @splat(dense<1.000000e+00> : tensor<4xf32>) {{.+}} : !llvm.array<4 x f32>
// CHECK-DAG: llvm.mlir.global private constant @b(dense<[1, 2]> : tensor<2xi8>) {{.+}} : !llvm.array<2 x i8>
// CHECK-DAG: llvm.mlir.global private @state(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>) {{.+}} : !llvm.array<2 x f32>
module {
  llvm.mlir.global private constant @w(dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<2 x array<2 x f32>>
  llvm.mlir.global private constant @h(dense<[1, 2]> : tensor<2xi16>) {addr_space = 0 : i32} : !llvm.array<2 x i16>
  llvm.mlir.global private constant @splat(dense<1.0> : tensor<4xf32>) {addr_space = 0 : i32} : !llvm.array<4 x f32>
  llvm.mlir.global private constant @b(dense<[1, 2]> : tensor<2xi8>) {addr_space = 0 : i32} : !llvm.array<2 x i8>
  llvm.mlir.global private @state(dense<[1.0, 2.0]> : tensor<2xf32>) {addr_space = 0 : i32} : !llvm.array<2 x f32>
}

// RUN: dyn-opt %s --dyn-check-input --split-input-file --verify-diagnostics | FileCheck %s

// In-range indices and agreeing extents pass unchanged.
// CHECK-LABEL: func.func @valid
// CHECK: tensor.dim
// CHECK: linalg.matmul
func.func @valid(%x: tensor<?x16xf32>, %w: tensor<16x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x16xf32>, tensor<16x8xf32>) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %m : tensor<?x8xf32>
}

// -----

func.func @negative_dim(%x: tensor<?x4xf32>) -> index {
  %c = arith.constant -2 : index
  // expected-error @below {{'tensor.dim' op index -2 is out of range for a rank-2 tensor}}
  %d = tensor.dim %x, %c : tensor<?x4xf32>
  return %d : index
}

// -----

func.func @memref_dim_past_rank(%x: memref<?x4xf32>) -> index {
  %c = arith.constant 2 : index
  // expected-error @below {{'memref.dim' op index 2 is out of range for a rank-2 memref}}
  %d = memref.dim %x, %c : memref<?x4xf32>
  return %d : index
}

// -----

// The contraction dim K is 15 in the lhs and 16 in the rhs: linalg's
// verifier accepts it, the loops would read past the lhs rows.
func.func @matmul_k_mismatch(%a: tensor<?x15xf32>, %b: tensor<16x8xf32>, %c: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @below {{'linalg.matmul' op loop dimension d2 is 15 in operand 0 but 16 in operand 1 (dim 0)}}
  %m = linalg.matmul ins(%a, %b : tensor<?x15xf32>, tensor<16x8xf32>) outs(%c : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %m : tensor<?x8xf32>
}

// -----

func.func @matvec_mismatch(%a: tensor<?x15xf32>, %x: tensor<16xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @below {{'linalg.matvec' op loop dimension d1 is 15 in operand 0 but 16 in operand 1 (dim 0)}}
  %r = linalg.matvec ins(%a, %x : tensor<?x15xf32>, tensor<16xf32>) outs(%y : tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Dialects the pipelines do not compile are named where they are used (not
// as "op was not bufferized" deep in the pipeline). torch-mlir emits
// ml_program globals for module state.
// expected-error @below {{'ml_program.global' op is not in a dialect dyn compiles (accepted: builtin, func, dyn, arith, math, tensor, linalg, tosa, scf, cf, index, affine, complex, memref, ub, vector, bufferization)}}
ml_program.global private @w(dense<1.0> : tensor<4xf32>) : tensor<4xf32>
func.func @ml_program_state(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{'ml_program.global_load_const' op is not in a dialect dyn compiles}}
  %w = ml_program.global_load_const @w : tensor<4xf32>
  %y = arith.addf %x, %w : tensor<4xf32>
  return %y : tensor<4xf32>
}

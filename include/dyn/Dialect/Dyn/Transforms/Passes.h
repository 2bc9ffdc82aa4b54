//===- Passes.h - dyn dialect transformations -------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_DIALECT_DYN_TRANSFORMS_PASSES_H
#define DYN_DIALECT_DYN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace dyn {

/// Gives the dynamic dims of `func`'s tensor arguments symbols, dims the
/// body requires to be equal sharing one (`dyn.symbolic_dims` argument
/// attributes, see dyn-infer-symbolic-dims); returns how many dims were
/// merged into another's symbol.
unsigned annotateSymbolicDims(func::FuncOp func);

/// The checks of dyn-check-input on `root`: a located error for each
/// dim index, linalg loop extent or reshape reassociation out of range.
LogicalResult checkInput(Operation *root);

/// Checks that must precede the verifier, on IR that has not been verified:
/// attributes that upstream verifiers index with unchecked (MLIR 22's
/// tensor.concat verifier crashes on a `dim` outside the rank).
LogicalResult checkBeforeVerify(Operation *root);

/// Adds the canonicalization patterns of every loaded dialect and registered
/// op (what `canonicalize` applies) to `patterns`, for passes that run them
/// together with their own patterns to a joint fixed point.
void populateAllCanonicalizationPatterns(RewritePatternSet &patterns);

/// Attaches ValueBoundsOpInterface models to `arith.minsi` / `arith.maxsi`
/// (upstream has none), so upper bounds of clamped extents can be computed.
void registerArithMinMaxValueBounds(DialectRegistry &registry);

#define GEN_PASS_DECL
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"

} // namespace dyn
} // namespace mlir

#endif // DYN_DIALECT_DYN_TRANSFORMS_PASSES_H

//===- RaiseControlFlow.h - scf / tosa control flow to dyn ------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The entry of programs that other MLIR producers emit: their data-dependent
// control flow over tensors (scf.if, scf.index_switch, scf.while, scf.for;
// tosa.cond_if, tosa.while_loop) becomes dyn.cond / dyn.switch / dyn.while,
// so that outlining, shape functions, the dispatcher and code generation
// apply to it as to dyn's own frontends' output.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CONVERSION_RAISECONTROLFLOW_RAISECONTROLFLOW_H
#define DYN_CONVERSION_RAISECONTROLFLOW_RAISECONTROLFLOW_H

#include "mlir/Support/LLVM.h"

namespace mlir {
class Operation;
class RewriterBase;
namespace dyn {

/// What `raiseControlFlowToDyn` did.
struct RaiseStatistics {
  unsigned conds = 0;    // scf.if (and tosa.cond_if) -> dyn.cond
  unsigned switches = 0; // scf.index_switch -> dyn.switch
  unsigned whiles = 0;   // scf.while (and tosa.while_loop) -> dyn.while
  unsigned fors = 0;     // scf.for -> dyn.while
};

/// Raises the scf control flow that computes on tensors in every function
/// body nested in `root` (or in `root`'s body when it is a function), from
/// the outside in: an op is raised when it sits directly in a function body
/// or in a region of a dyn op, and it or an op nested in it has a tensor
/// operand or result. Control flow that only computes on scalars or indices
/// stays scf (it is ordinary compute inside a subnet or the dispatcher), and
/// so does control flow over buffers (memref values), which dyn's regions do
/// not hold. tosa.cond_if / tosa.while_loop must have been converted to scf
/// first (upstream's TosaToSCF patterns; the pass does both).
RaiseStatistics raiseControlFlowToDyn(RewriterBase &rewriter, Operation *root);

/// Rewrites tosa.cond_if / tosa.while_loop nested in `root` into scf with
/// upstream's TosaToSCF patterns, after giving their conditions the 0-d
/// shape those patterns assume (`tensor<1xi1>` is valid TOSA, and MLIR 22's
/// patterns would read it with a 0-index tensor.extract, which does not
/// verify).
LogicalResult convertTosaControlFlowToSCF(Operation *root);

} // namespace dyn
} // namespace mlir

#endif // DYN_CONVERSION_RAISECONTROLFLOW_RAISECONTROLFLOW_H

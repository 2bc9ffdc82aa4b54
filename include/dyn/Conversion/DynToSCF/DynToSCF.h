//===- DynToSCF.h - dyn control flow to scf ---------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The host side of a network: dyn.cond / dyn.switch / dyn.while become
// scf.if / scf.index_switch / scf.while, in place (dyn-lower-to-scf) or, after
// outlining, around subnet calls (dyn-build-dispatcher).
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CONVERSION_DYNTOSCF_DYNTOSCF_H
#define DYN_CONVERSION_DYNTOSCF_DYNTOSCF_H

namespace mlir {
class Operation;
class RewriterBase;
namespace dyn {

/// Lowers every dyn op nested in `root` (innermost first) to scf. Returns the
/// number of ops lowered.
unsigned lowerDynToSCF(RewriterBase &rewriter, Operation *root);

} // namespace dyn
} // namespace mlir

#endif // DYN_CONVERSION_DYNTOSCF_DYNTOSCF_H

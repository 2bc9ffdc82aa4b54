//===- ParserGuards.h - inputs that crash MLIR 22's parser ------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Constructs on which MLIR 22's own parser crashes instead of reporting an
// error, found by fuzzing dyn's tools (utils/fuzz). The tools scan their
// input for them before parsing and report a located error, so that a
// malformed file never kills them. Each entry names the upstream failure;
// remove it when the LLVM dyn builds against fixes it.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_SUPPORT_PARSERGUARDS_H
#define DYN_SUPPORT_PARSERGUARDS_H

#include "llvm/Support/SourceMgr.h"

namespace mlir {
namespace dyn {

/// Reports (through `sourceMgr`, as errors at their location) every known
/// parser crash in buffer `bufferId`; true if there was one.
bool reportKnownParserCrashes(llvm::SourceMgr &sourceMgr, unsigned bufferId);

} // namespace dyn
} // namespace mlir

#endif // DYN_SUPPORT_PARSERGUARDS_H

//===- Header.h - the C header of a compiled module -------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_TARGET_HEADER_H
#define DYN_TARGET_HEADER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir {
namespace dyn {

/// Reads the entry-point signature lines (`dyn_module_signature`, one per
/// entry point) of an LLVM-dialect module produced by a dyn pipeline.
FailureOr<std::string> getModuleSignature(ModuleOp module);

/// The C header declaring the entry points listed in `signature`, with the
/// runtime ABI (dyn_runtime.h) embedded.
std::string generateHeader(StringRef signature, StringRef moduleName);

} // namespace dyn
} // namespace mlir

#endif // DYN_TARGET_HEADER_H

//===- Passes.h - dyn conversion passes -------------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CONVERSION_PASSES_H
#define DYN_CONVERSION_PASSES_H

#include "dyn/Conversion/DynToSCF/DynToSCF.h"
#include "dyn/Conversion/RaiseControlFlow/RaiseControlFlow.h"
#include "dyn/Dialect/Dyn/IR/DynDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace dyn {

#define GEN_PASS_DECL
#include "dyn/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dyn/Conversion/Passes.h.inc"

} // namespace dyn
} // namespace mlir

#endif // DYN_CONVERSION_PASSES_H

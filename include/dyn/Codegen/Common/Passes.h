//===- Passes.h - dyn target-independent codegen passes ---------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Code generation for subnets that every target shares: broadcast folding,
// reshape splitting, memory planning, scratch promotion, loop-copy elision,
// the C ABI of entry points and the finalized LLVM module.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_COMMON_PASSES_H
#define DYN_CODEGEN_COMMON_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace dyn {

#define GEN_PASS_DECL
#include "dyn/Codegen/Common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dyn/Codegen/Common/Passes.h.inc"

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_COMMON_PASSES_H

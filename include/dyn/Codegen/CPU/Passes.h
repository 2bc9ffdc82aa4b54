//===- Passes.h - dyn CPU code generation passes ----------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Code generation for x86-64 and AArch64: tiling and vectorization of
// linalg ops, and the vector lowering that maps them onto LLVM vectors.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_CPU_PASSES_H
#define DYN_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace dyn {

#define GEN_PASS_DECL
#include "dyn/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dyn/Codegen/CPU/Passes.h.inc"

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_CPU_PASSES_H

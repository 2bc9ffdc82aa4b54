//===- Passes.h - dyn code generation passes --------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_TRANSFORMS_PASSES_H
#define DYN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace dyn {

/// Marks a host copy of a GPU kernel with the kernel's name
/// (dyn-emulate-gpu-kernels, read by dyn-emulated-kernel-entries).
constexpr StringLiteral kEmulatedKernelAttrName = "dyn.emulated_kernel";

#define GEN_PASS_DECL
#include "dyn/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dyn/Transforms/Passes.h.inc"

} // namespace dyn
} // namespace mlir

#endif // DYN_TRANSFORMS_PASSES_H

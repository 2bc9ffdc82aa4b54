//===- Passes.h - dyn CUDA (nvptx) code generation passes -------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Code generation for CUDA GPUs: buffers in device memory, host wrappers
// that move inputs and outputs once, one kernel per linalg op, transfers
// and scalar reads, one merged gpu.module, and the host's waits.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_NVPTX_PASSES_H
#define DYN_CODEGEN_NVPTX_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace dyn {

#define GEN_PASS_DECL
#include "dyn/Codegen/NVPTX/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dyn/Codegen/NVPTX/Passes.h.inc"

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_NVPTX_PASSES_H

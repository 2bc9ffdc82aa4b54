//===- Passes.h - dyn GPU emulation passes (testing) ------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// For testing nvptx artifacts without a GPU: host copies of every kernel,
// entered the way cuLaunchKernel passes arguments, for an emulating libcuda
// (test/Integration/Inputs/emulated_cuda.c). Nothing here is needed to run
// on a GPU; its own library, linked only by the nvptx pipeline's
// gpu-emulation option.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_NVPTX_EMULATION_PASSES_H
#define DYN_CODEGEN_NVPTX_EMULATION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace dyn {

#define GEN_PASS_DECL
#include "dyn/Codegen/NVPTX/Emulation/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dyn/Codegen/NVPTX/Emulation/Passes.h.inc"

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_NVPTX_EMULATION_PASSES_H

//===- InitAllDyn.h - register dyn dialects and passes ----------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One place for tools (dyn-opt, dyn-compile, and other MLIR compilers that
// embed dyn) to register everything dyn provides.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_INITALLDYN_H
#define DYN_INITALLDYN_H

#include "dyn/Codegen/CPU/Passes.h"
#include "dyn/Codegen/CPU/Pipeline.h"
#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Codegen/NVPTX/Emulation/Passes.h"
#include "dyn/Codegen/NVPTX/Passes.h"
#include "dyn/Codegen/NVPTX/Pipeline.h"
#include "dyn/Conversion/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynDialect.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

namespace mlir {
namespace dyn {

/// Adds the dyn dialect (and the dialects its ops and passes create) to
/// `registry`. The dyn dialect is loaded whenever the func dialect is, so
/// that the attributes dyn declares on functions are verified even in IR
/// that has no dyn op.
inline void registerAllDynDialects(DialectRegistry &registry) {
  registry.insert<DynDialect, arith::ArithDialect, func::FuncDialect,
                  scf::SCFDialect, tensor::TensorDialect>();
  registry.addExtension(+[](MLIRContext *context, func::FuncDialect *) {
    context->getOrLoadDialect<DynDialect>();
  });
}

/// Adds the interface models dyn's passes rely on for upstream ops (value
/// bounds of `arith.minsi`/`arith.maxsi`); needs the DynTransforms library.
inline void registerAllDynExtensions(DialectRegistry &registry) {
  registerArithMinMaxValueBounds(registry);
}

/// Registers every dyn pass and pipeline with the global pass registry, so
/// they can be named in textual pass pipelines (`--dyn-lower-to-scf`).
inline void registerAllDynPasses() {
  registerDynTransformsPasses();
  registerDynConversionPasses();
  registerDynCodegenCommonPasses();
  registerDynCodegenCPUPasses();
  registerDynCodegenNVPTXPasses();
  registerDynCodegenNVPTXEmulationPasses();
  registerCPUPipeline();
  registerNVPTXPipeline();
}

} // namespace dyn
} // namespace mlir

#endif // DYN_INITALLDYN_H

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

#include "dyn/Conversion/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynDialect.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"
#include "dyn/Pipelines/Pipelines.h"
#include "dyn/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

namespace mlir {
namespace dyn {

/// Adds the dyn dialect (and the dialects its ops and passes create) to
/// `registry`.
inline void registerAllDynDialects(DialectRegistry &registry) {
  registry.insert<DynDialect, arith::ArithDialect, func::FuncDialect,
                  scf::SCFDialect, tensor::TensorDialect>();
}

/// Adds the interface models dyn's passes rely on for upstream ops (value
/// bounds of `arith.minsi`/`arith.maxsi`); needs the DynTransforms library.
inline void registerAllDynExtensions(DialectRegistry &registry) {
  registerArithMinMaxValueBounds(registry);
}

/// Registers every dyn pass and pipeline with the global pass registry, so
/// they can be named in textual pass pipelines (`--dyn-lower-to-scf`).
inline void registerAllDynPasses() {
  registerDynConversionPasses();
  registerDynTransformsPasses();
  registerDynCodegenPasses();
  registerDynPipelines();
}

} // namespace dyn
} // namespace mlir

#endif // DYN_INITALLDYN_H

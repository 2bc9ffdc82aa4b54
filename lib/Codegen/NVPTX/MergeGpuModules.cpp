//===- MergeGpuModules.cpp - one gpu.module for all kernels ---------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// gpu-kernel-outlining makes one gpu.module per kernel; one module means
// one device binary and one module load per artifact.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/NVPTX/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNMERGEGPUMODULES
#include "dyn/Codegen/NVPTX/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

struct DynMergeGpuModulesPass
    : public dyn::impl::DynMergeGpuModulesBase<DynMergeGpuModulesPass> {
  using DynMergeGpuModulesBase::DynMergeGpuModulesBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() < 2)
      return;
    SymbolTable symbols(module);
    OpBuilder b(modules.front());
    auto merged =
        gpu::GPUModuleOp::create(b, modules.front().getLoc(), moduleName);
    symbols.insert(merged);
    SymbolTable mergedSymbols(merged);
    Block &body = merged.getBodyRegion().front();

    // Kernel module @M holds kernel @K: @K becomes @M in the merged module
    // (module names are unique); the device copies of host constants are
    // identical wherever they were cloned, so the first one is kept.
    DenseMap<Attribute, Attribute> renamed;
    for (gpu::GPUModuleOp kernels : modules) {
      StringRef name = kernels.getSymName();
      for (Operation &op :
           llvm::make_early_inc_range(kernels.getBodyRegion().front())) {
        auto symbol = dyn_cast<SymbolOpInterface>(&op);
        if (auto func = dyn_cast<gpu::GPUFuncOp>(&op);
            func && func.isKernel()) {
          renamed[SymbolRefAttr::get(
              kernels.getSymNameAttr(),
              {FlatSymbolRefAttr::get(func.getNameAttr())})] =
              SymbolRefAttr::get(
                  merged.getSymNameAttr(),
                  {FlatSymbolRefAttr::get(b.getStringAttr(name))});
          func.setName(name);
        } else if (symbol && mergedSymbols.lookup(symbol.getName())) {
          continue; // an identical constant is there already
        }
        op.moveBefore(&body, body.end());
        if (symbol)
          mergedSymbols.insert(&op);
      }
    }
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      Attribute to = renamed.lookup(launch.getKernel());
      if (!to) {
        launch.emitError("dyn-merge-gpu-modules: unknown kernel");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(cast<SymbolRefAttr>(to));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (gpu::GPUModuleOp kernels : modules)
      kernels.erase();
    if (!module->hasAttr(gpu::GPUDialect::getContainerModuleAttrName()))
      module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                      UnitAttr::get(&getContext()));
  }
};

} // namespace

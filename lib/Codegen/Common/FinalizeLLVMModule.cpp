//===- FinalizeLLVMModule.cpp - target record and linkage -----------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynAttrs.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

#define DEBUG_TYPE "dyn-finalize-llvm-module"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNFINALIZELLVMMODULE
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {
struct DynFinalizeLLVMModulePass
    : public dyn::impl::DynFinalizeLLVMModuleBase<DynFinalizeLLVMModulePass> {
  using DynFinalizeLLVMModuleBase::DynFinalizeLLVMModuleBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
      if (func.isExternal() || !func.isPrivate())
        continue;
      func.setLinkage(LLVM::Linkage::Internal);
      ++numInternalized;
    }
    module->setAttr(LLVM::LLVMDialect::getTargetTripleAttrName(),
                    StringAttr::get(&getContext(), triple));
    dyn::setTargetDescription(module, cpu, features);
  }
};
} // namespace

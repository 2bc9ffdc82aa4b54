//===- LLVMIR.cpp - LLVM-dialect modules to optimized LLVM IR -------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Target/LLVMIR.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::dyn;

void mlir::dyn::registerLLVMIRTranslations(DialectRegistry &registry) {
  registerAllToLLVMIRTranslations(registry);
}

FailureOr<std::unique_ptr<llvm::Module>>
mlir::dyn::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                             llvm::TargetMachine &machine) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "dyn");
  if (!llvmModule)
    return module.emitError("cannot translate the module to LLVM IR");
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", machine.getTargetCPU());
    if (!machine.getTargetFeatureString().empty())
      function.addFnAttr("target-features", machine.getTargetFeatureString());
  }
  return llvmModule;
}

llvm::Error mlir::dyn::optimizeLLVMModule(llvm::Module &module,
                                          llvm::TargetMachine &machine,
                                          unsigned optLevel) {
  auto optimize =
      makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &machine);
  if (llvm::Error error = optimize(&module))
    return llvm::createStringError("LLVM optimization failed: " +
                                   llvm::toString(std::move(error)));
  return llvm::Error::success();
}

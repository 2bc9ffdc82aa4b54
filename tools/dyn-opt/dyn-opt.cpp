//===- dyn-opt.cpp - the dyn optimizer driver -----------------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// mlir-opt with the dyn dialect and passes: every upstream dialect, pass and
// extension is registered too, so dyn passes compose with any upstream
// pipeline and other MLIR compilers' output can be fed in as is.
//
//===----------------------------------------------------------------------===//

#include "dyn/InitAllDyn.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::dyn::registerAllDynPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::dyn::registerAllDynDialects(registry);
  mlir::dyn::registerAllDynExtensions(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv,
                        "dyn optimizer driver: the dyn dialect and passes plus "
                        "every upstream MLIR dialect and pass\n",
                        registry));
}

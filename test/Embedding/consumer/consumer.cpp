//===- consumer.cpp - a tool embedding dyn via find_package(Dyn) ----------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Registers the dyn dialect in its own context, parses a program, counts
// the dyn ops, optionally runs a pipeline of its own built from dyn's pass
// constructors (and upstream's), and prints the result.
//
//   dyn-consumer FILE [--lower | --dispatch]
//
// --lower:    dyn ops to scf in place (dyn-lower-to-scf).
// --dispatch: scf control flow over tensors raised into dyn, then subnets
//             outlined around a host dispatcher, with upstream's
//             canonicalizer and CSE between dyn's passes.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynOps.h"
#include "dyn/InitAllDyn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

int main(int argc, char **argv) {
  if (argc < 2) {
    llvm::errs() << "usage: dyn-consumer FILE [--lower | --dispatch]\n";
    return 2;
  }
  mlir::DialectRegistry registry;
  mlir::dyn::registerAllDynDialects(registry);
  registry.insert<mlir::func::FuncDialect, mlir::math::MathDialect>();
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module)
    return 1;

  unsigned conds = 0, switches = 0, whiles = 0;
  module->walk([&](mlir::Operation *op) {
    conds += mlir::isa<mlir::dyn::CondOp>(op);
    switches += mlir::isa<mlir::dyn::SwitchOp>(op);
    whiles += mlir::isa<mlir::dyn::WhileOp>(op);
  });
  llvm::outs() << "dyn ops: cond=" << conds << " switch=" << switches
               << " while=" << whiles << "\n";

  if (argc > 2) {
    mlir::PassManager pm(&context);
    if (std::strcmp(argv[2], "--lower") == 0) {
      pm.addPass(mlir::dyn::createDynLowerToSCF());
    } else if (std::strcmp(argv[2], "--dispatch") == 0) {
      pm.addPass(mlir::dyn::createDynRaiseControlFlow());
      pm.addPass(mlir::createCanonicalizerPass());
      pm.addPass(mlir::dyn::createDynOutlineRegions());
      pm.addPass(mlir::createCSEPass());
      pm.addPass(mlir::dyn::createDynBuildDispatcher());
    } else {
      llvm::errs() << "dyn-consumer: unknown option '" << argv[2] << "'\n";
      return 2;
    }
    if (mlir::failed(pm.run(*module)))
      return 1;
  }
  module->print(llvm::outs());
  return 0;
}

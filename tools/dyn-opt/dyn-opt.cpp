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

#include "dyn/Dialect/Dyn/Transforms/Passes.h"
#include "dyn/InitAllDyn.h"
#include "dyn/Support/ParserGuards.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/ParseUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "llvm/Support/ToolOutputFile.h"

namespace {
/// Runs dyn's guards for inputs on which MLIR 22 itself crashes, on each
/// split of `input`: constructs its parser dies on (reported before
/// parsing), then verifiers that index unchecked attributes (the input is
/// parsed without verification into a scratch context and
/// checkBeforeVerify runs). Diagnostics are printed; true if any was found.
bool reportUpstreamCrashes(const llvm::MemoryBuffer &input,
                           mlir::DialectRegistry &registry,
                           const mlir::MlirOptMainConfig &config) {
  bool found = false;
  auto check = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                   const llvm::MemoryBufferRef &, llvm::raw_ostream &) {
    auto sourceMgr = std::make_shared<llvm::SourceMgr>();
    unsigned id =
        sourceMgr->AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
    if (mlir::dyn::reportKnownParserCrashes(*sourceMgr, id)) {
      found = true;
      return mlir::success();
    }
    mlir::MLIRContext context(registry);
    context.allowUnregisteredDialects(config.shouldAllowUnregisteredDialects());
    mlir::SourceMgrDiagnosticHandler print(*sourceMgr, &context);
    // Parse errors are MlirOptMain's to report: only the checks' errors
    // pass on to the printing handler.
    bool parsing = true;
    mlir::ScopedDiagnosticHandler filter(
        &context, [&](mlir::Diagnostic &) { return mlir::success(parsing); });
    mlir::OwningOpRef<mlir::Operation *> op = mlir::parseSourceFileForTool(
        sourceMgr, mlir::ParserConfig(&context, /*verifyAfterParse=*/false),
        !config.shouldUseExplicitModule());
    parsing = false;
    if (op)
      found |= mlir::failed(mlir::dyn::checkBeforeVerify(*op));
    return mlir::success();
  };
  std::string discard;
  llvm::raw_string_ostream os(discard);
  (void)mlir::splitAndProcessBuffer(
      llvm::MemoryBuffer::getMemBuffer(input.getMemBufferRef(),
                                       /*RequiresNullTerminator=*/false),
      check, os, config.inputSplitMarker(), config.outputSplitMarker());
  return found;
}
} // namespace

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

  auto [inputFile, outputFile] = mlir::registerAndParseCLIOptions(
      argc, argv,
      "dyn optimizer driver: the dyn dialect and passes plus every upstream "
      "MLIR dialect and pass\n",
      registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  // Then as MlirOptMain(argc, argv, ...). With -verify-diagnostics the
  // guards stay off: their errors would be unexpected diagnostics.
  if (!config.shouldVerifyDiagnostics() &&
      reportUpstreamCrashes(*input, registry, config))
    return 1;
  // Some upstream passes report an error without failing; an error printed
  // must still end in a non-zero exit. Errors are counted where the pass
  // manager is set up, on the context it runs in.
  unsigned errors = 0;
  if (!config.shouldVerifyDiagnostics())
    config.setPassPipelineSetupFn(
        [&errors,
         setup = mlir::MlirOptMainConfig(config)](mlir::PassManager &pm) {
          pm.getContext()->getDiagEngine().registerHandler(
              [&errors](mlir::Diagnostic &diagnostic) {
                errors +=
                    diagnostic.getSeverity() == mlir::DiagnosticSeverity::Error;
                return mlir::failure(); // printed by MlirOptMain's handler
              });
          return setup.setupPassPipeline(pm);
        });
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (mlir::failed(mlir::MlirOptMain(output->os(), std::move(input), registry,
                                     config)) ||
      errors)
    return 1;
  output->os().flush();
  if (std::error_code ec = output->os().error()) {
    output->os().clear_error();
    llvm::errs() << "error: cannot write '" << outputFile
                 << "': " << ec.message() << "\n";
    return 1;
  }
  output->keep();
  return 0;
}

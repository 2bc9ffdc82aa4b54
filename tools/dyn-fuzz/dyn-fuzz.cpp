//===- dyn-fuzz.cpp - libFuzzer target over parse, verify, pipelines ------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each input is MLIR text. It goes the way of dyn-compile's input: the
// guards for inputs MLIR 22 itself crashes on, parsing without
// verification, checkBeforeVerify, the verifier, then the whole CPU
// pipeline (dyn-cpu-pipeline for x86-64, down to the LLVM dialect). Every
// diagnostic is discarded: an input may be rejected anywhere, but nothing
// may crash, hang, leak or read out of bounds (built with ASan + UBSan,
// utils/fuzz/run-libfuzzer.sh).
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/CPU/Pipeline.h"
#include "dyn/Codegen/Common/Pipeline.h"
#include "dyn/Compiler/Compiler.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"
#include "dyn/Support/ParserGuards.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

using namespace mlir;

namespace {
/// One registry for every input: building it is the slow part.
DialectRegistry &getRegistry() {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    dyn::registerCompilerDialects(*r);
    return r;
  }();
  return *registry;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::SourceMgr sourceMgr;
  unsigned id = sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz"), llvm::SMLoc());
  // Reported inputs are rejected quietly.
  sourceMgr.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
  if (dyn::reportKnownParserCrashes(sourceMgr, id))
    return 0;

  MLIRContext context(getRegistry(), MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(
      sourceMgr, ParserConfig(&context, /*verifyAfterParse=*/false));
  if (!module || failed(dyn::checkBeforeVerify(*module)) ||
      failed(verify(*module)))
    return 0;

  PassManager pm(&context);
  dyn::TargetOptions target;
  target.cpu = "x86-64"; // the same code on every machine
  if (llvm::Error error = dyn::buildCPUPipeline(
          pm, target, dyn::SubnetOptions(), dyn::CPUCodegenOptions())) {
    llvm::consumeError(std::move(error));
    return 0;
  }
  (void)pm.run(*module);
  return 0;
}

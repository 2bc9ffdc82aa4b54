//===- Compiler.cpp - compile dyn modules to native artifacts -------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Compiler/Compiler.h"
#include "dyn/InitAllDyn.h"
#include "dyn/Target/LLVMIR.h"

#include "dyn/Dialect/Dyn/Transforms/Passes.h"
#include "dyn/Support/ParserGuards.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::dyn;

void mlir::dyn::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerLLVMIRTranslations(registry);
  registerAllDynDialects(registry);
  registerAllDynExtensions(registry);
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

/// The flag of the first option of `options` (a table's struct) that differs
/// from its default, or null.
template <typename Options>
static const char *findNonDefaultOption(const Options &options);

template <> const char *findNonDefaultOption(const CPUCodegenOptions &options) {
  CPUCodegenOptions defaults;
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  if (options.FIELD != defaults.FIELD)                                         \
    return FLAG;
#include "dyn/Codegen/CPU/CPUOptions.def"
  return nullptr;
}

template <>
const char *findNonDefaultOption(const NVPTXCodegenOptions &options) {
  NVPTXCodegenOptions defaults;
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  if (options.FIELD != defaults.FIELD)                                         \
    return FLAG;
#include "dyn/Codegen/NVPTX/NVPTXOptions.def"
  return nullptr;
}

llvm::Error mlir::dyn::verifyCompileOptions(const CompileOptions &options) {
  if (!isKnownTarget(options.target))
    return llvm::createStringError(
        "unknown target '%s' (expected x86_64, aarch64 or nvptx)",
        options.target.c_str());
  bool nvptx = options.target == "nvptx";
  if (const char *flag = nvptx ? findNonDefaultOption(options.cpuOptions)
                               : findNonDefaultOption(options.nvptxOptions))
    return llvm::createStringError(
        "option '%s' does not apply to the %s target (%s)", flag,
        options.target.c_str(),
        nvptx ? "it configures CPU code generation; kernels are compiled "
                "for --gpu-chip"
              : "it configures CUDA kernels; use --target=nvptx");
  if (options.optLevel > 3)
    return llvm::createStringError(
        "optimization level %u is out of range (0-3)", options.optLevel);
  return verifySubnetOptions(options.subnetOptions);
}

//===----------------------------------------------------------------------===//
// Compiler
//===----------------------------------------------------------------------===//

llvm::Expected<std::unique_ptr<Compiler>>
Compiler::create(const CompileOptions &input) {
  if (llvm::Error error = verifyCompileOptions(input))
    return std::move(error);
  CompileOptions options = input;
  auto target = resolveTargetOptions(options.targetOptions, options.target);
  if (!target)
    return target.takeError();
  options.targetOptions = *target;
  // The same resolution the pipeline builders apply, done here so that a
  // bad option fails before the input is read.
  if (options.target == "nvptx") {
    auto nvptx = resolveNVPTXCodegenOptions(options.nvptxOptions);
    if (!nvptx)
      return nvptx.takeError();
    options.nvptxOptions = *nvptx;
  } else {
    auto cpu =
        resolveCPUCodegenOptions(options.targetOptions, options.cpuOptions);
    if (!cpu)
      return cpu.takeError();
    options.cpuOptions = *cpu;
  }
  auto machine = createTargetMachine(options.targetOptions, options.optLevel);
  if (!machine)
    return machine.takeError();
  return std::unique_ptr<Compiler>(new Compiler(options, std::move(*machine)));
}

Compiler::Compiler(const CompileOptions &options,
                   std::unique_ptr<llvm::TargetMachine> targetMachine)
    : options(options), targetMachine(std::move(targetMachine)) {
  timingManager.setEnabled(options.timing);
  rootTiming = timingManager.getRootScope();
}

Compiler::~Compiler() = default;

LinkOptions Compiler::getLinkOptions(const char *argv0) const {
  LinkOptions link;
  link.target = options.target;
  link.cudaPath = options.nvptxOptions.cudaPath;
  link.allowUndefined = options.nvptxOptions.gpuEmulation;
  link.runtimeLibrary = getDefaultRuntimeLibrary(argv0, options.target);
  return link;
}

LogicalResult Compiler::lowerToLLVMDialect(ModuleOp module) {
  PassManager pm(module.getContext());
  bool nvptx = options.target == "nvptx";
  TimingScope timing =
      rootTiming.nest(nvptx ? "MLIR pipeline (dyn-nvptx-pipeline)"
                            : "MLIR pipeline (dyn-cpu-pipeline)");
  if (options.timing)
    pm.enableTiming(timing);
  llvm::Error built =
      nvptx ? buildNVPTXPipeline(pm, options.targetOptions,
                                 options.subnetOptions, options.nvptxOptions)
            : buildCPUPipeline(pm, options.targetOptions, options.subnetOptions,
                               options.cpuOptions);
  if (built)
    return module.emitError() << llvm::toString(std::move(built));
  return pm.run(module);
}

FailureOr<std::unique_ptr<llvm::Module>>
Compiler::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                            bool optimize) {
  TimingScope timing = rootTiming.nest("LLVM IR translation");
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      dyn::translateToLLVMIR(module, llvmContext, *targetMachine);
  if (failed(llvmModule))
    return failure();
  timing.stop();
  if (!optimize)
    return llvmModule;
  TimingScope optTiming = rootTiming.nest("LLVM optimization");
  if (llvm::Error error =
          optimizeLLVMModule(**llvmModule, *targetMachine, options.optLevel))
    return module.emitError() << llvm::toString(std::move(error));
  return llvmModule;
}

LogicalResult Compiler::emitObject(llvm::Module &llvmModule, StringRef path,
                                   Location loc) {
  TimingScope timing = rootTiming.nest("LLVM code generation");
  if (llvm::Error error = emitObjectFile(llvmModule, *targetMachine, path))
    return emitError(loc) << llvm::toString(std::move(error));
  return success();
}

LogicalResult
Compiler::linkSharedLibrary(std::unique_ptr<llvm::Module> llvmModule,
                            StringRef outputPath, const LinkOptions &link,
                            Location loc) {
  unsigned parts =
      dyn::getCodegenPartitions(*llvmModule, options.codegenThreads);
  SmallVector<std::string> objects;
  llvm::scope_exit removeObjects([&] {
    for (const std::string &object : objects)
      llvm::sys::fs::remove(object);
  });
  for (unsigned i = 0; i < parts; ++i) {
    SmallString<128> path;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("dyn-part", "o", path))
      return emitError(loc)
             << "cannot create a temporary file: " << ec.message();
    objects.push_back(std::string(path));
  }
  if (parts == 1) {
    TimingScope optTiming = rootTiming.nest("LLVM optimization");
    if (llvm::Error error =
            optimizeLLVMModule(*llvmModule, *targetMachine, options.optLevel))
      return emitError(loc) << llvm::toString(std::move(error));
    optTiming.stop();
    if (failed(emitObject(*llvmModule, objects.front(), loc)))
      return failure();
  } else {
    TimingScope timing =
        rootTiming.nest("LLVM optimization and code generation (" +
                        std::to_string(parts) + " partitions at once)");
    if (llvm::Error error =
            emitObjectFiles(std::move(llvmModule), options.targetOptions,
                            options.optLevel, objects))
      return emitError(loc) << llvm::toString(std::move(error));
  }
  TimingScope linkTiming = rootTiming.nest("link");
  return dyn::linkSharedLibrary(objects, outputPath, link, loc);
}

LogicalResult Compiler::compileToSharedLibrary(ModuleOp module,
                                               StringRef outputPath,
                                               const LinkOptions &link) {
  if (failed(lowerToLLVMDialect(module)))
    return failure();
  llvm::LLVMContext llvmContext;
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      translateToLLVMIR(module, llvmContext, /*optimize=*/false);
  if (failed(llvmModule))
    return failure();
  return linkSharedLibrary(std::move(*llvmModule), outputPath, link,
                           module.getLoc());
}

OwningOpRef<ModuleOp> mlir::dyn::parseInputModule(llvm::SourceMgr &sourceMgr,
                                                  MLIRContext *context) {
  if (reportKnownParserCrashes(sourceMgr, sourceMgr.getMainFileID()))
    return nullptr;
  ParserConfig config(context, /*verifyAfterParse=*/false);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, config);
  if (!module || failed(checkBeforeVerify(*module)) || failed(verify(*module)))
    return nullptr;
  return module;
}

mlir::dyn::ErrorDiagnosticObserver::ErrorDiagnosticObserver(
    MLIRContext *context)
    : context(context) {
  handler = context->getDiagEngine().registerHandler([this](Diagnostic &d) {
    errors += d.getSeverity() == DiagnosticSeverity::Error;
    return failure(); // the earlier handlers print it
  });
}

mlir::dyn::ErrorDiagnosticObserver::~ErrorDiagnosticObserver() {
  context->getDiagEngine().eraseHandler(handler);
}

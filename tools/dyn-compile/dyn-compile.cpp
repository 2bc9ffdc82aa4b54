//===- dyn-compile.cpp - compile a dynamic network to a native artifact ---===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
//   dyn-compile IN.mlir --target=x86_64 [-o OUT] [--emit=mlir|llvm|obj|shared]
//
// Runs the target's pipeline, translates to LLVM IR, optimizes at -O3, emits
// an object through an LLVM TargetMachine and links a shared library against
// the dyn runtime. Object and shared outputs come with a C header (OUT.h)
// declaring every entry point in dyn's C ABI (dyn/Runtime/dyn_runtime.h).
// The compile options are those of dyn/Compiler/CompileFlags.h, shared with
// dyn-run and the named pipelines.
//
//===----------------------------------------------------------------------===//

#include "dyn/Compiler/CompileFlags.h"
#include "dyn/Compiler/Compiler.h"
#include "dyn/Support/OutputFiles.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { MLIR, LLVM, Object, Shared };

cl::OptionCategory category("dyn-compile options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                               cl::init("-"), cl::cat(category));
cl::opt<std::string> outputFile(
    "o",
    cl::desc("Output file (default: derived from the input: .so, .o, "
             "or stdout for mlir/llvm)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("What to produce"), cl::init(Emit::Shared),
    cl::values(clEnumValN(Emit::MLIR, "mlir",
                          "LLVM-dialect MLIR after the "
                          "dyn pipeline"),
               clEnumValN(Emit::LLVM, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Object, "obj", "relocatable object + C header"),
               clEnumValN(Emit::Shared, "shared",
                          "shared library + C header (default)")),
    cl::cat(category));
// Every compile option: the tables' and --target, -O, --timing.
dyn::CompileFlags
    compileFlags(category,
                 "Target: x86_64, aarch64, or nvptx (CUDA kernels for the GPU, "
                 "host code for this machine)");
cl::opt<std::string> gpuBinaryFile(
    "gpu-binary",
    cl::desc("nvptx: also write the kernel binary (the fatbin, cubin or "
             "PTX) to this file, for cuobjdump / ptxas"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> headerFile("header",
                                cl::desc("Where to write the C header "
                                         "(default: OUT with extension .h)"),
                                cl::value_desc("file"), cl::cat(category));
cl::opt<std::string>
    linker("linker",
           cl::desc("Compiler driver used to link shared "
                    "libraries (default: $DYN_CC or clang "
                    "from LLVM 22; for aarch64 "
                    "$DYN_CC_AARCH64 or aarch64-linux-gnu-gcc)"),
           cl::cat(category));
cl::opt<std::string> runtimeLib("runtime-lib",
                                cl::desc("The dyn runtime archive (default: "
                                         "$DYN_RUNTIME_LIB or "
                                         "<bindir>/../lib[/aarch64]/"
                                         "libdyn_runtime.a)"),
                                cl::cat(category));
cl::opt<std::string> listOptions(
    "list-options",
    cl::desc("Print every compile option (flag, type, default, targets, "
             "description) and exit: one JSON object per line, or a "
             "Markdown table with =markdown"),
    cl::value_desc("json|markdown"), cl::ValueOptional, cl::cat(category));

std::string defaultOutput() {
  if (emit == Emit::MLIR || emit == Emit::LLVM || inputFile == "-")
    return emit == Emit::Object   ? "out.o"
           : emit == Emit::Shared ? "out.so"
                                  : "-";
  SmallString<256> path(inputFile.getValue());
  llvm::sys::path::replace_extension(path, emit == Emit::Object ? ".o" : ".so");
  return std::string(llvm::sys::path::filename(path));
}

/// Reports `error` (if any) as the tool's error; true if there was one.
bool reportError(llvm::Error error) {
  if (!error)
    return false;
  llvm::errs() << "error: " << llvm::toString(std::move(error)) << "\n";
  return true;
}

/// Renames the outputs into place, unless an error was reported (also by a
/// pass that did not fail): then none is written. True on failure.
bool commitOutputs(dyn::OutputFiles &outputs,
                   const dyn::ErrorDiagnosticObserver &errors) {
  return errors.sawError() || reportError(outputs.commit());
}

/// Adds the kernel binary (`gpu.binary`) of an nvptx module to `outputs`
/// as `path`.
LogicalResult addGpuBinary(ModuleOp module, StringRef path,
                           dyn::OutputFiles &outputs) {
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  if (binaries.size() != 1) {
    llvm::errs() << "error: --gpu-binary: expected one kernel binary, found "
                 << binaries.size() << " (is the target nvptx?)\n";
    return failure();
  }
  auto object = cast<gpu::ObjectAttr>(binaries.front().getObjects()[0]);
  return failure(
      reportError(outputs.addText(path, object.getObject().getValue())));
}

int run(int argc, char **argv) {
  dyn::CompileOptions options = compileFlags.getOptions();
  auto compiler = dyn::Compiler::create(options);
  if (!compiler) {
    llvm::errs() << "error: " << llvm::toString(compiler.takeError()) << "\n";
    return 1;
  }

  DialectRegistry registry;
  dyn::registerCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  dyn::ErrorDiagnosticObserver errors(&context);
  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "error: " << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  OwningOpRef<ModuleOp> module = dyn::parseInputModule(sourceMgr, &context);
  if (!module)
    return 1;

  std::string output =
      outputFile.empty() ? defaultOutput() : outputFile.getValue();
  // Every output is written beside its destination and renamed onto it
  // once all of them were written: a failure leaves none behind.
  dyn::OutputFiles outputs;
  if (failed((*compiler)->lowerToLLVMDialect(*module)))
    return 1;
  if (!gpuBinaryFile.empty() &&
      failed(addGpuBinary(*module, gpuBinaryFile, outputs)))
    return 1;
  if (emit == Emit::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return reportError(outputs.addText(output, text)) ||
           commitOutputs(outputs, errors);
  }

  FailureOr<std::string> signature = dyn::getModuleSignature(*module);
  if (failed(signature))
    return 1;
  llvm::LLVMContext llvmContext;
  // A shared library is optimized with its partitions (linkSharedLibrary).
  auto llvmModule = (*compiler)->translateToLLVMIR(
      *module, llvmContext, /*optimize=*/emit != Emit::Shared);
  if (failed(llvmModule))
    return 1;
  if (emit == Emit::LLVM) {
    std::string text;
    llvm::raw_string_ostream os(text);
    (*llvmModule)->print(os, nullptr);
    return reportError(outputs.addText(output, text)) ||
           commitOutputs(outputs, errors);
  }

  llvm::Expected<std::string> artifact = outputs.add(output);
  if (!artifact)
    return reportError(artifact.takeError());
  if (emit == Emit::Object) {
    if (failed(
            (*compiler)->emitObject(**llvmModule, *artifact, module->getLoc())))
      return 1;
  } else {
    dyn::LinkOptions link = (*compiler)->getLinkOptions(argv[0]);
    link.linker = linker;
    if (!runtimeLib.empty())
      link.runtimeLibrary = runtimeLib.getValue();
    if (failed((*compiler)->linkSharedLibrary(std::move(*llvmModule), *artifact,
                                              link, module->getLoc())))
      return 1;
  }

  std::string header = headerFile;
  if (header.empty()) {
    SmallString<256> path(output);
    llvm::sys::path::replace_extension(path, ".h");
    header = std::string(path);
  }
  return reportError(outputs.addText(
             header, dyn::generateHeader(
                         *signature, llvm::sys::path::filename(inputFile)))) ||
         commitOutputs(outputs, errors);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "dyn-compile: compile a dynamic network (dyn dialect) to a native "
      "artifact\n\n"
      "Runs dyn-cpu-pipeline (subnet outlining, host dispatcher, vectorized "
      "linalg, bufferization, C ABI; for --target=nvptx dyn-nvptx-pipeline: "
      "subnets as CUDA kernels, tensors in device memory), optimizes with "
      "LLVM at -O3 and emits an "
      "object file or a shared library with a C header declaring\n"
      "  int32_t dyn_<entry>(const dyn_tensor *in, int64_t n_in, dyn_tensor "
      "*out, int64_t n_out)\nfor every public function. The compile options "
      "have the names and defaults of the pipelines' options "
      "(--list-options prints them; docs/reference/options.md).\n");
  if (listOptions.getNumOccurrences()) {
    if (listOptions != "" && listOptions != "json" &&
        listOptions != "markdown") {
      llvm::errs() << "error: --list-options=" << listOptions
                   << ": expected json or markdown\n";
      return 1;
    }
    dyn::printOptionTable(llvm::outs(), listOptions == "markdown"
                                            ? dyn::OptionTableFormat::Markdown
                                            : dyn::OptionTableFormat::JSON);
    return 0;
  }
  return run(argc, argv);
}

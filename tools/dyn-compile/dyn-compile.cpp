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
// Runs dyn-cpu-pipeline, translates to LLVM IR, optimizes at -O3, emits an
// object through an LLVM TargetMachine and links a shared library against
// the dyn runtime. Object and shared outputs come with a C header (OUT.h)
// declaring every entry point in dyn's C ABI (dyn/Runtime/dyn_runtime.h).
//
//===----------------------------------------------------------------------===//

#include "dyn/Compiler/Compiler.h"
#include "dyn/InitAllDyn.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

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
cl::opt<std::string> target(
    "target",
    cl::desc("Target: x86_64, aarch64, or nvptx (CUDA kernels for the GPU, "
             "host code for this machine)"),
    cl::init("x86_64"), cl::cat(category));
cl::opt<std::string> gpuChip("gpu-chip",
                             cl::desc("nvptx: GPU architecture (sm_80, "
                                      "sm_90, ...)"),
                             cl::init("sm_90"), cl::cat(category));
cl::opt<std::string> gpuFeatures("gpu-features",
                                 cl::desc("nvptx: PTX features (the PTX ISA "
                                          "version, e.g. +ptx80)"),
                                 cl::init("+ptx80"), cl::cat(category));
cl::opt<std::string> gpuFormat(
    "gpu-format",
    cl::desc("nvptx: kernel binary embedded in the host code: fatbin, bin "
             "(cubin), or isa (PTX, compiled by the driver at load time); "
             "default: fatbin when the toolkit has ptxas, else isa"),
    cl::cat(category));
cl::opt<std::string> cudaPath("cuda-path",
                              cl::desc("nvptx: CUDA toolkit (ptxas, "
                                       "fatbinary, libdevice, stub libcuda; "
                                       "default: $DYN_CUDA_PATH or "
                                       "/usr/local/cuda)"),
                              cl::cat(category));
cl::opt<bool> gpuEmulation(
    "gpu-emulation",
    cl::desc("nvptx, for testing without a GPU: also compile the kernels "
             "for the host, so that an emulating libcuda (see "
             "docs/targets.md) can run the artifact on the CPU"),
    cl::cat(category));
cl::opt<std::string> gpuBinaryFile(
    "gpu-binary",
    cl::desc("nvptx: also write the kernel binary (the fatbin, cubin or "
             "PTX) to this file, for cuobjdump / ptxas"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> triple("triple",
                            cl::desc("LLVM target triple (default: the "
                                     "target's Linux triple)"),
                            cl::cat(category));
cl::opt<std::string> cpu("cpu",
                         cl::desc("Target CPU: 'host' (default; generic when "
                                  "cross compiling), or an LLVM CPU name"),
                         cl::init("host"), cl::cat(category));
cl::opt<std::string> features("features",
                              cl::desc("LLVM target features, e.g. +avx2"),
                              cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level (0-3)"),
                           cl::init(3), cl::Prefix, cl::cat(category));
cl::opt<int64_t> vectorSize("vector-size",
                            cl::desc("Vector length in elements (default: "
                                     "from the target CPU)"),
                            cl::init(0), cl::cat(category));
cl::opt<bool> noOutline("no-outline",
                        cl::desc("Lower dyn ops in place instead of outlining "
                                 "subnets (the plain upstream path)"),
                        cl::cat(category));
cl::opt<bool> noVectorize("no-vectorize",
                          cl::desc("Lower linalg to scalar loops"),
                          cl::cat(category));
cl::opt<bool> noPlanMemory(
    "no-plan-memory",
    cl::desc("Allocate every temporary separately instead of packing static "
             "ones into one arena per subnet"),
    cl::cat(category));
cl::list<std::string> specialize(
    "specialize",
    cl::desc("Also emit a version of entry ENTRY specialised to the given "
             "extents of argument ARG's dim DIM, selected at run time by a "
             "guard (repeatable; dims of one entry combine as a cross "
             "product), e.g. --specialize=encoder:0.1=64,128"),
    cl::value_desc("ENTRY:ARG.DIM=V,V,..."), cl::cat(category));
cl::opt<bool> timing("timing", cl::desc("Print per-stage timings"),
                     cl::cat(category));
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

std::string defaultOutput() {
  if (emit == Emit::MLIR || emit == Emit::LLVM || inputFile == "-")
    return emit == Emit::Object   ? "out.o"
           : emit == Emit::Shared ? "out.so"
                                  : "-";
  SmallString<256> path(inputFile.getValue());
  llvm::sys::path::replace_extension(path, emit == Emit::Object ? ".o" : ".so");
  return std::string(llvm::sys::path::filename(path));
}

LogicalResult writeText(StringRef path, StringRef text) {
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file) {
    llvm::errs() << "error: " << error << "\n";
    return failure();
  }
  file->os() << text;
  file->keep();
  return success();
}

/// Writes the object of the kernel binary (`gpu.binary`) of an nvptx
/// module to `path`.
LogicalResult writeGpuBinary(ModuleOp module, StringRef path) {
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  if (binaries.size() != 1) {
    llvm::errs() << "error: --gpu-binary: expected one kernel binary, found "
                 << binaries.size() << " (is the target nvptx?)\n";
    return failure();
  }
  auto object = cast<gpu::ObjectAttr>(binaries.front().getObjects()[0]);
  return writeText(path, object.getObject().getValue());
}

int run(int argc, char **argv) {
  DialectRegistry registry;
  dyn::registerCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "error: " << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  dyn::CompileOptions options;
  options.target = target;
  options.gpuChip = gpuChip;
  options.gpuFeatures = gpuFeatures;
  options.gpuFormat = gpuFormat;
  options.cudaPath = cudaPath;
  options.emulateKernels = gpuEmulation;
  options.triple = triple;
  options.cpu = cpu;
  options.features = features;
  options.optLevel = optLevel;
  options.vectorSize = vectorSize;
  options.outline = !noOutline;
  options.vectorize = !noVectorize;
  options.planMemory = !noPlanMemory;
  options.specialize.assign(specialize.begin(), specialize.end());
  options.timing = timing;
  auto compiler = dyn::Compiler::create(options);
  if (!compiler) {
    llvm::errs() << "error: " << llvm::toString(compiler.takeError()) << "\n";
    return 1;
  }

  std::string output =
      outputFile.empty() ? defaultOutput() : outputFile.getValue();
  if (failed((*compiler)->lowerToLLVMDialect(*module)))
    return 1;
  if (!gpuBinaryFile.empty() && failed(writeGpuBinary(*module, gpuBinaryFile)))
    return 1;
  if (emit == Emit::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return failed(writeText(output, text));
  }

  FailureOr<std::string> signature = dyn::getModuleSignature(*module);
  if (failed(signature))
    return 1;
  llvm::LLVMContext llvmContext;
  auto llvmModule = (*compiler)->translateToLLVMIR(*module, llvmContext);
  if (failed(llvmModule))
    return 1;
  if (emit == Emit::LLVM) {
    std::string text;
    llvm::raw_string_ostream os(text);
    (*llvmModule)->print(os, nullptr);
    return failed(writeText(output, text));
  }

  std::string objectPath = output;
  SmallString<128> tempObject;
  if (emit == Emit::Shared) {
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "dyn-compile", "o", tempObject)) {
      llvm::errs() << "error: cannot create a temporary file: " << ec.message()
                   << "\n";
      return 1;
    }
    objectPath = std::string(tempObject);
  }
  if (failed((*compiler)->emitObject(**llvmModule, objectPath)))
    return 1;
  if (emit == Emit::Shared) {
    TimingScope linkTiming = (*compiler)->getTimingScope().nest("link");
    dyn::LinkOptions link;
    link.target = target;
    link.cudaPath = cudaPath;
    link.linker = linker;
    link.runtimeLibrary = runtimeLib.empty()
                              ? dyn::getDefaultRuntimeLibrary(argv[0], target)
                              : runtimeLib.getValue();
    LogicalResult linked = dyn::linkSharedLibrary(objectPath, output, link,
                                                  UnknownLoc::get(&context));
    llvm::sys::fs::remove(tempObject);
    if (failed(linked))
      return 1;
  }

  std::string header = headerFile;
  if (header.empty()) {
    SmallString<256> path(output);
    llvm::sys::path::replace_extension(path, ".h");
    header = std::string(path);
  }
  return failed(writeText(
      header,
      dyn::generateHeader(*signature, llvm::sys::path::filename(inputFile))));
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllPasses();
  dyn::registerAllDynPasses();
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
      "*out, int64_t n_out)\nfor every public function.\n");
  return run(argc, argv);
}

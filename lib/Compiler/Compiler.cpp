//===- Compiler.cpp - compile dyn modules to native artifacts -------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Compiler/Compiler.h"
#include "dyn/InitAllDyn.h"
#include "dyn/Pipelines/Pipelines.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir;
using namespace mlir::dyn;

#ifndef DYN_DEFAULT_CC
#define DYN_DEFAULT_CC "clang"
#endif

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64Target();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64AsmPrinter();
}

/// The targets dyn generates CPU code for; initialized once.
static void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
  });
}

void mlir::dyn::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerAllDynDialects(registry);
  registerAllDynExtensions(registry);
}

//===----------------------------------------------------------------------===//
// Target resolution
//===----------------------------------------------------------------------===//

/// The vector length (elements of 32 bits) of the machine's widest
/// general-purpose vector registers.
static int64_t getVectorSize(const llvm::TargetMachine &machine) {
  if (machine.getTargetTriple().isAArch64())
    return 4; // NEON
  const llvm::MCSubtargetInfo *subtarget = machine.getMCSubtargetInfo();
  if (subtarget->checkFeatures("+avx512f"))
    return 16;
  if (subtarget->checkFeatures("+avx"))
    return 8;
  return 4;
}

/// The host's features as an LLVM feature string.
static std::string getHostFeatures() {
  std::string result;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    result += (result.empty() ? "" : ",") +
              std::string(feature.second ? "+" : "-") + feature.first().str();
  return result;
}

llvm::Expected<std::unique_ptr<Compiler>>
Compiler::create(const CompileOptions &input) {
  initializeTargets();
  CompileOptions options = input;
  if (options.target == "nvptx") {
    // Kernels for the GPU; the host code (dispatcher, C ABI) for this
    // machine.
    options.cudaPath = resolveCudaPath(options.cudaPath);
    if (options.gpuFormat.empty()) {
      SmallString<256> ptxas(options.cudaPath);
      llvm::sys::path::append(ptxas, "bin", "ptxas");
      options.gpuFormat = llvm::sys::fs::can_execute(ptxas) ? "fatbin" : "isa";
    }
    if (options.gpuFormat != "fatbin" && options.gpuFormat != "bin" &&
        options.gpuFormat != "isa")
      return llvm::createStringError(
          "unknown GPU binary format '%s' (expected fatbin, bin or isa)",
          options.gpuFormat.c_str());
    if (!StringRef(options.gpuChip).starts_with("sm_"))
      return llvm::createStringError(
          "unknown GPU chip '%s' (expected sm_<NN>, e.g. sm_90)",
          options.gpuChip.c_str());
    if (options.triple.empty())
      options.triple = llvm::sys::getProcessTriple();
  }
  if (options.triple.empty()) {
    if (options.target == "x86_64")
      options.triple = "x86_64-unknown-linux-gnu";
    else if (options.target == "aarch64")
      options.triple = "aarch64-unknown-linux-gnu";
    else
      return llvm::createStringError(
          "unknown target '%s' (expected x86_64, aarch64 or nvptx)",
          options.target.c_str());
  }
  llvm::Triple triple(options.triple);
  llvm::Triple host(llvm::sys::getProcessTriple());
  if (options.cpu == "host") {
    if (triple.getArch() == host.getArch()) {
      options.cpu = llvm::sys::getHostCPUName().str();
      if (options.features.empty())
        options.features = getHostFeatures();
    } else {
      options.cpu = ""; // cross compiling: the triple's generic CPU
    }
  }
  if (options.cpu.empty() && triple.isX86())
    options.cpu = "x86-64";
  if (options.cpu.empty() && triple.isAArch64())
    options.cpu = "generic";

  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("cannot generate code for '%s': %s",
                                   options.triple.c_str(), error.c_str());
  if (!target->hasTargetMachine())
    return llvm::createStringError("no target machine for '%s'",
                                   options.triple.c_str());
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, options.cpu, options.features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt,
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                              : llvm::CodeGenOptLevel::Default));
  if (!machine)
    return llvm::createStringError("cannot create a target machine for '%s' "
                                   "(cpu '%s')",
                                   options.triple.c_str(), options.cpu.c_str());
  if (options.vectorSize == 0)
    options.vectorSize = getVectorSize(*machine);
  return std::unique_ptr<Compiler>(new Compiler(options, std::move(machine)));
}

Compiler::Compiler(const CompileOptions &options,
                   std::unique_ptr<llvm::TargetMachine> targetMachine)
    : options(options), targetMachine(std::move(targetMachine)) {
  timingManager.setEnabled(options.timing);
  rootTiming = timingManager.getRootScope();
}

Compiler::~Compiler() = default;

//===----------------------------------------------------------------------===//
// MLIR pipeline
//===----------------------------------------------------------------------===//

LogicalResult Compiler::lowerToLLVMDialect(ModuleOp module) {
  PassManager pm(module.getContext());
  bool nvptx = options.target == "nvptx";
  TimingScope timing =
      rootTiming.nest(nvptx ? "MLIR pipeline (dyn-nvptx-pipeline)"
                            : "MLIR pipeline (dyn-cpu-pipeline)");
  if (options.timing)
    pm.enableTiming(timing);
  if (nvptx) {
    NvptxPipelineOptions pipeline;
    pipeline.chip = options.gpuChip;
    pipeline.features = options.gpuFeatures;
    pipeline.format = options.gpuFormat;
    pipeline.toolkit = options.cudaPath;
    pipeline.emulateKernels = options.emulateKernels;
    pipeline.hostTriple = options.triple;
    pipeline.outline = options.outline;
    pipeline.specialize = llvm::join(options.specialize, ";");
    buildNvptxPipeline(pm, pipeline);
    return pm.run(module);
  }
  CpuPipelineOptions pipeline;
  pipeline.targetTriple = options.triple;
  pipeline.cpu = options.cpu;
  pipeline.features = options.features;
  pipeline.vectorSize = options.vectorSize;
  pipeline.outline = options.outline;
  pipeline.vectorize = options.vectorize;
  pipeline.planMemory = options.planMemory;
  pipeline.specialize = llvm::join(options.specialize, ";");
  buildCpuPipeline(pm, pipeline);
  return pm.run(module);
}

//===----------------------------------------------------------------------===//
// LLVM
//===----------------------------------------------------------------------===//

FailureOr<std::unique_ptr<llvm::Module>>
Compiler::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext) {
  TimingScope timing = rootTiming.nest("LLVM IR translation");
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "dyn");
  if (!llvmModule)
    return module.emitError("cannot translate the module to LLVM IR");
  llvmModule->setTargetTriple(targetMachine->getTargetTriple());
  llvmModule->setDataLayout(targetMachine->createDataLayout());
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", targetMachine->getTargetCPU());
    if (!targetMachine->getTargetFeatureString().empty())
      function.addFnAttr("target-features",
                         targetMachine->getTargetFeatureString());
  }
  timing.stop();
  TimingScope optTiming = rootTiming.nest("LLVM optimization");
  auto optimize =
      makeOptimizingTransformer(options.optLevel,
                                /*sizeLevel=*/0, targetMachine.get());
  if (llvm::Error error = optimize(llvmModule.get())) {
    std::string message = llvm::toString(std::move(error));
    return module.emitError("LLVM optimization failed: ") << message;
  }
  return llvmModule;
}

LogicalResult Compiler::emitObject(llvm::Module &llvmModule, StringRef path) {
  TimingScope timing = rootTiming.nest("LLVM code generation");
  std::error_code error;
  llvm::ToolOutputFile output(path, error, llvm::sys::fs::OF_None);
  if (error) {
    llvm::errs() << "error: cannot open '" << path << "': " << error.message()
                 << "\n";
    return failure();
  }
  llvm::legacy::PassManager passes;
  if (targetMachine->addPassesToEmitFile(passes, output.os(), nullptr,
                                         llvm::CodeGenFileType::ObjectFile)) {
    llvm::errs() << "error: the target cannot emit object files\n";
    return failure();
  }
  passes.run(llvmModule);
  output.keep();
  return success();
}

LogicalResult Compiler::compileToObject(ModuleOp module, StringRef path) {
  if (failed(lowerToLLVMDialect(module)))
    return failure();
  llvm::LLVMContext llvmContext;
  FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      translateToLLVMIR(module, llvmContext);
  if (failed(llvmModule))
    return failure();
  return emitObject(**llvmModule, path);
}

//===----------------------------------------------------------------------===//
// Signature and header
//===----------------------------------------------------------------------===//

FailureOr<std::string> mlir::dyn::getModuleSignature(ModuleOp module) {
  auto global = module.lookupSymbol<LLVM::GlobalOp>("dyn_module_signature");
  if (!global)
    return module.emitError("module has no dyn_module_signature; was it "
                            "compiled with dyn-cpu-pipeline?");
  auto value = dyn_cast_or_null<StringAttr>(global.getValueOrNull());
  if (!value)
    return module.emitError("dyn_module_signature is not a string");
  return value.getValue().rtrim('\0').str();
}

static const char kRuntimeHeader[] =
#include "DynRuntimeHeader.inc"
    ;

std::string mlir::dyn::generateHeader(StringRef signature,
                                      StringRef moduleName) {
  std::string guard = "DYN_GENERATED_";
  for (char c : moduleName)
    guard += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  guard += "_H";

  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by dyn-compile from " << moduleName
     << ". Do not edit. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << kRuntimeHeader << "\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* One line per entry point: name(input types) -> (output types). */\n"
     << "extern const char dyn_module_signature[];\n\n";
  SmallVector<StringRef> lines;
  signature.split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef line : lines) {
    StringRef name = line.take_until([](char c) { return c == '('; });
    os << "/* " << line << " */\n"
       << "int32_t dyn_" << name
       << "(const dyn_tensor *inputs, int64_t num_inputs,\n"
       << "    dyn_tensor *outputs, int64_t num_outputs);\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return text;
}

//===----------------------------------------------------------------------===//
// Linking
//===----------------------------------------------------------------------===//

std::string mlir::dyn::resolveCudaPath(StringRef path) {
  if (!path.empty())
    return path.str();
  if (const char *env = std::getenv("DYN_CUDA_PATH"))
    return env;
  return "/usr/local/cuda";
}

std::string mlir::dyn::getDefaultRuntimeLibrary(const char *argv0,
                                                StringRef target) {
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0, (void *)&getDefaultRuntimeLibrary);
  SmallString<256> path(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(path, "..", "lib");
  if (target == "aarch64")
    llvm::sys::path::append(path, "aarch64");
  llvm::sys::path::append(path, "libdyn_runtime.a");
  return std::string(path);
}

LogicalResult mlir::dyn::linkSharedLibrary(StringRef objectPath,
                                           StringRef outputPath,
                                           const LinkOptions &options,
                                           Location loc) {
  bool aarch64 = options.target == "aarch64";
  std::string linker = options.linker;
  if (linker.empty())
    if (const char *env = std::getenv(aarch64 ? "DYN_CC_AARCH64" : "DYN_CC"))
      linker = env;
  if (linker.empty())
    linker = aarch64 ? "aarch64-linux-gnu-gcc" : DYN_DEFAULT_CC;
  llvm::ErrorOr<std::string> program =
      llvm::sys::path::is_absolute(linker)
          ? llvm::ErrorOr<std::string>(linker)
          : llvm::sys::findProgramByName(linker);
  if (!program)
    return emitError(loc) << "cannot find the linker driver '" << linker
                          << "' (set --linker, or DYN_CC / DYN_CC_AARCH64)";

  std::string runtime = options.runtimeLibrary;
  if (const char *env = std::getenv("DYN_RUNTIME_LIB"); env && runtime.empty())
    runtime = env;
  if (!llvm::sys::fs::exists(runtime))
    return emitError(loc) << "cannot find the dyn runtime library '" << runtime
                          << "' (set --runtime-lib or DYN_RUNTIME_LIB)";

  SmallVector<std::string> args = {*program, "-shared", "-o", outputPath.str(),
                                   objectPath.str()};
  if (options.target == "nvptx") {
    // The CUDA shim (before the runtime it reports errors through) and the
    // driver API; the toolkit's stub libcuda stands in for the driver at
    // link time, the driver's own libcuda.so.1 is loaded at run time.
    std::string shim = options.cudaRuntimeLibrary;
    if (shim.empty()) {
      SmallString<256> path(llvm::sys::path::parent_path(runtime));
      llvm::sys::path::append(path, "libdyn_cuda_runtime.a");
      shim = std::string(path);
    }
    if (!llvm::sys::fs::exists(shim))
      return emitError(loc)
             << "cannot find the dyn CUDA shim '" << shim
             << "' (build dyn with the CUDA toolkit's cuda.h, DYN_CUDA_PATH)";
    SmallString<256> stubs(resolveCudaPath(options.cudaPath));
    llvm::sys::path::append(stubs, "lib64", "stubs");
    args.push_back(shim);
    args.push_back(runtime);
    args.push_back("-L" + std::string(stubs));
    args.push_back("-lcuda");
  } else {
    args.push_back(runtime);
  }
  args.push_back("-lm");
  // A clang driver cross-links given the target; gcc drivers are per target.
  if (aarch64 && StringRef(*program).contains("clang"))
    args.insert(args.begin() + 1, "--target=aarch64-linux-gnu");
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*program, argRefs, std::nullopt, {},
                                         /*SecondsToWait=*/0,
                                         /*MemoryLimit=*/0, &message);
  if (status != 0)
    return emitError(loc) << "linking '" << outputPath << "' failed ("
                          << llvm::join(argRefs, " ") << ")"
                          << (message.empty() ? "" : ": ") << message;
  return success();
}

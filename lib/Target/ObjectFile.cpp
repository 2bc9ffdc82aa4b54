//===- ObjectFile.cpp - LLVM IR to relocatable objects --------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Target/LLVMIR.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#include <mutex>

using namespace mlir;
using namespace mlir::dyn;

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

/// The code generators of the CPU targets, once (registering a target's
/// description again, as resolveTargetOptions does too, is allowed).
static void initializeCodeGenerators() {
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

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::dyn::createTargetMachine(const TargetOptions &options,
                               unsigned optLevel) {
  initializeCodeGenerators();
  llvm::Triple triple(options.triple);
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target || !target->hasTargetMachine())
    return llvm::createStringError("no code generator for '%s'%s%s",
                                   options.triple.c_str(),
                                   error.empty() ? "" : ": ", error.c_str());
  // An empty CPU is the triple's generic one.
  std::string cpu = options.cpu;
  if (cpu.empty())
    cpu = triple.isX86() ? "x86-64" : "generic";
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, options.features, targetOptions, llvm::Reloc::PIC_,
      std::nullopt,
      optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : optLevel == 0 ? llvm::CodeGenOptLevel::None
                      : llvm::CodeGenOptLevel::Default));
  if (!machine)
    return llvm::createStringError(
        "cannot create a target machine for '%s' (cpu '%s')",
        options.triple.c_str(), cpu.c_str());
  return machine;
}

llvm::Error mlir::dyn::emitObjectFile(llvm::Module &module,
                                      llvm::TargetMachine &machine,
                                      StringRef path) {
  std::error_code error;
  llvm::ToolOutputFile output(path, error, llvm::sys::fs::OF_None);
  if (error)
    return llvm::createStringError(error, "cannot open '%s': %s",
                                   path.str().c_str(), error.message().c_str());
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, output.os(), nullptr,
                                  llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the target cannot emit object files");
  passes.run(module);
  output.os().flush();
  if (std::error_code writeError = output.os().error()) {
    // Reported here, not as a fatal error when the stream closes; the
    // partial file is removed with `output`.
    output.os().clear_error();
    return llvm::createStringError(writeError, "cannot write '%s': %s",
                                   path.str().c_str(),
                                   writeError.message().c_str());
  }
  output.keep();
  return llvm::Error::success();
}

unsigned mlir::dyn::getCodegenPartitions(const llvm::Module &module,
                                         unsigned threads) {
  unsigned definitions = 0;
  size_t instructions = 0;
  for (const llvm::Function &function : module)
    if (!function.isDeclaration()) {
      ++definitions;
      instructions += function.getInstructionCount();
    }
  if (threads > 0) // as asked, one function at least per partition
    return std::max(1u, std::min(threads, definitions));
  if (instructions < 20000)
    return 1;
  threads = std::min(4u, llvm::hardware_concurrency().compute_thread_count());
  return std::max(1u, std::min(threads, definitions / 4));
}

llvm::Error mlir::dyn::emitObjectFiles(std::unique_ptr<llvm::Module> module,
                                       const TargetOptions &options,
                                       unsigned optLevel,
                                       ArrayRef<std::string> paths) {
  // Partitions cross to their threads as bitcode: an LLVM context, and the
  // modules in it, belong to one thread.
  SmallVector<SmallString<0>> partitions;
  llvm::SplitModule(
      *module, paths.size(),
      [&](std::unique_ptr<llvm::Module> partition) {
        llvm::raw_svector_ostream os(partitions.emplace_back());
        llvm::WriteBitcodeToFile(*partition, os);
      },
      /*PreserveLocals=*/false);
  module.reset();
  if (partitions.size() != paths.size())
    return llvm::createStringError("the module split into %zu partitions, "
                                   "not %zu",
                                   partitions.size(), paths.size());
  SmallVector<std::string> errors(partitions.size());
  {
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency(partitions.size()));
    for (size_t i = 0; i < partitions.size(); ++i)
      pool.async([&, i] {
        llvm::LLVMContext context;
        auto emit = [&]() -> llvm::Error {
          auto partition = llvm::parseBitcodeFile(
              llvm::MemoryBufferRef(partitions[i], "partition"), context);
          if (!partition)
            return partition.takeError();
          auto machine = createTargetMachine(options, optLevel);
          if (!machine)
            return machine.takeError();
          if (llvm::Error error =
                  optimizeLLVMModule(**partition, **machine, optLevel))
            return error;
          return emitObjectFile(**partition, **machine, paths[i]);
        };
        if (llvm::Error error = emit())
          errors[i] = llvm::toString(std::move(error));
      });
    pool.wait();
  }
  for (const std::string &error : errors)
    if (!error.empty()) {
      for (const std::string &path : paths)
        llvm::sys::fs::remove(path);
      return llvm::createStringError(error);
    }
  return llvm::Error::success();
}

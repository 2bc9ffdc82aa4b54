//===- LLVMIR.h - LLVM-dialect modules to optimized LLVM IR -----*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_TARGET_LLVMIR_H
#define DYN_TARGET_LLVMIR_H

#include "dyn/Target/TargetInfo.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

#include <memory>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
class DialectRegistry;
namespace dyn {

/// Registers the translations of every dialect dyn's pipelines leave in an
/// LLVM-dialect module (LLVM, NVVM, GPU binaries, builtin).
void registerLLVMIRTranslations(DialectRegistry &registry);

/// The LLVM TargetMachine for `options` as resolveTargetOptions made them,
/// position-independent, generating code at `optLevel` (0-3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetOptions &options, unsigned optLevel);

/// Translates an LLVM-dialect module to LLVM IR for `machine`: its triple
/// and data layout, its CPU and features on every function definition.
FailureOr<std::unique_ptr<llvm::Module>>
translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &machine);

/// Runs LLVM's optimization pipeline at `optLevel` (0-3) for `machine`.
llvm::Error optimizeLLVMModule(llvm::Module &module,
                               llvm::TargetMachine &machine, unsigned optLevel);

/// Writes `module` as a relocatable object file at `path` (all or nothing:
/// no file is left behind on failure).
llvm::Error emitObjectFile(llvm::Module &module, llvm::TargetMachine &machine,
                           StringRef path);

/// How many partitions emitObjectFiles makes of `module` for `threads`
/// threads: as many (one function definition at least in each), or with 0
/// one per core, at most 4, and 1 for a module too small to gain (fewer
/// than 20k instructions, or 4 function definitions per partition).
unsigned getCodegenPartitions(const llvm::Module &module, unsigned threads);

/// Optimizes (at `optLevel`) and compiles the not yet optimized `module` in
/// `paths.size()` partitions at once, one object file per path, each
/// partition in its own LLVM context on its own thread with its own target
/// machine. Functions and globals that partitions share become hidden
/// externals (not exported from a shared library); a function called from
/// another partition is no longer inlined there. All or nothing: no file is
/// left behind on failure.
llvm::Error emitObjectFiles(std::unique_ptr<llvm::Module> module,
                            const TargetOptions &options, unsigned optLevel,
                            ArrayRef<std::string> paths);

} // namespace dyn
} // namespace mlir

#endif // DYN_TARGET_LLVMIR_H

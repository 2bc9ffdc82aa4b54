//===- Compiler.h - compile dyn modules to native artifacts -----*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The driver shared by dyn-compile and dyn-run (and through them the Python
// package): one set of options, checked against the target, then the
// target's pipeline (Codegen/CPU or Codegen/NVPTX), LLVM translation and
// optimisation, and object emission (Target/). Linking and headers are in
// dyn/Target/Link.h and dyn/Target/Header.h.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_COMPILER_COMPILER_H
#define DYN_COMPILER_COMPILER_H

#include "dyn/Codegen/CPU/Pipeline.h"
#include "dyn/Codegen/Common/Pipeline.h"
#include "dyn/Codegen/NVPTX/Pipeline.h"
#include "dyn/Target/Header.h"
#include "dyn/Target/Link.h"
#include "dyn/Target/TargetInfo.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace mlir {
class DialectRegistry;
namespace dyn {

/// What to compile for and how: every option of the tables, grouped by
/// concern, plus the driver's own.
struct CompileOptions {
  /// `x86_64`, `aarch64`, or `nvptx` (kernels for a CUDA GPU, host code for
  /// this machine).
  std::string target = "x86_64";
  /// The (host) code's triple, CPU and features (TargetOptions.def).
  TargetOptions targetOptions;
  /// Subnets, shapes and memory, for every target (SubnetOptions.def).
  SubnetOptions subnetOptions;
  /// x86_64 and aarch64 only (CPUOptions.def).
  CPUCodegenOptions cpuOptions;
  /// nvptx only (NVPTXOptions.def).
  NVPTXCodegenOptions nvptxOptions;
  /// LLVM optimization level 0-3.
  unsigned optLevel = 3;
  /// Print per-stage timings to stderr.
  bool timing = false;
  /// Threads that optimize and compile a shared library's LLVM module in
  /// partitions (0: one per core, at most 4; 1: one module).
  unsigned codegenThreads = 0;
};

/// Checks `options` before anything is compiled: a known target, an
/// option of another target's table set away from its default (it would
/// be ignored), and what each table can check on its own. The message
/// names the flag.
llvm::Error verifyCompileOptions(const CompileOptions &options);

/// Registers every dialect, extension and translation the driver needs.
void registerCompilerDialects(DialectRegistry &registry);

/// Records whether any error diagnostic was emitted in `context` (passed on
/// to the handlers registered before it): a tool whose passes report an
/// error without failing still exits non-zero.
class ErrorDiagnosticObserver {
public:
  explicit ErrorDiagnosticObserver(MLIRContext *context);
  ~ErrorDiagnosticObserver();
  bool sawError() const { return errors != 0; }

private:
  MLIRContext *context;
  uint64_t handler;
  unsigned errors = 0;
};

/// Parses the module in `sourceMgr`'s main buffer the way dyn's tools do:
/// the checks that must precede upstream's verifiers (checkBeforeVerify)
/// run first, then the verifier; null (diagnostics emitted) on any error.
OwningOpRef<ModuleOp> parseInputModule(llvm::SourceMgr &sourceMgr,
                                       MLIRContext *context);

/// A configured compilation for one target.
class Compiler {
public:
  /// Verifies the options and resolves the target (triple, CPU, features,
  /// vector size, kernel format); fails with a message.
  static llvm::Expected<std::unique_ptr<Compiler>>
  create(const CompileOptions &options);
  ~Compiler();

  /// The options, resolved.
  const CompileOptions &getOptions() const { return options; }

  /// How to link what this compiler emits, as far as its options say: the
  /// target, the CUDA toolkit, the symbols GPU emulation leaves undefined,
  /// the target's default runtime archive next to `tool` (argv[0]). The
  /// caller may change the linker and the runtime archive.
  LinkOptions getLinkOptions(const char *argv0) const;

  /// The scope stage timings nest under (disabled unless options.timing);
  /// the report is printed when the Compiler is destroyed.
  TimingScope &getTimingScope() { return rootTiming; }

  /// Runs the target's pipeline: dyn dialect in, LLVM dialect out.
  LogicalResult lowerToLLVMDialect(ModuleOp module);

  /// Translates an LLVM-dialect module to LLVM IR, optimized unless
  /// `optimize` is false (linkSharedLibrary optimizes).
  FailureOr<std::unique_ptr<llvm::Module>>
  translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext,
                    bool optimize = true);

  /// Optimizes and compiles `llvmModule` (translated, not optimized) and
  /// links it with the runtime (`link`) into the shared library
  /// `outputPath`: one object file, or partitions compiled at once
  /// (codegenThreads), temporary files removed before this returns.
  LogicalResult linkSharedLibrary(std::unique_ptr<llvm::Module> llvmModule,
                                  StringRef outputPath, const LinkOptions &link,
                                  Location loc);

  /// Emits `llvmModule` as a relocatable object file at `path`.
  LogicalResult emitObject(llvm::Module &llvmModule, StringRef path,
                           Location loc);

  /// The whole way: dyn dialect module to a shared library (see
  /// linkSharedLibrary).
  LogicalResult compileToSharedLibrary(ModuleOp module, StringRef outputPath,
                                       const LinkOptions &link);

private:
  Compiler(const CompileOptions &options,
           std::unique_ptr<llvm::TargetMachine> targetMachine);

  CompileOptions options;
  std::unique_ptr<llvm::TargetMachine> targetMachine;
  DefaultTimingManager timingManager;
  TimingScope rootTiming;
};

} // namespace dyn
} // namespace mlir

#endif // DYN_COMPILER_COMPILER_H

//===- Compiler.h - compile dyn modules to native artifacts -----*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The driver logic shared by dyn-compile and dyn-run: the MLIR pipeline, LLVM
// IR translation and optimization, object emission through an LLVM
// TargetMachine, linking a shared library against the dyn runtime, and the C
// header of a module's entry points.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_COMPILER_COMPILER_H
#define DYN_COMPILER_COMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/Error.h"

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

/// What to compile for and how.
struct CompileOptions {
  /// `x86_64`, `aarch64`, or `nvptx` (kernels for a CUDA GPU, host code for
  /// this machine).
  std::string target = "x86_64";
  /// nvptx: the GPU architecture, PTX features, the kernel binary format
  /// (`fatbin`, `bin` (cubin), `isa` (PTX); empty: fatbin when the toolkit
  /// has ptxas, else PTX) and the CUDA toolkit path (empty: $DYN_CUDA_PATH,
  /// else /usr/local/cuda).
  std::string gpuChip = "sm_90";
  std::string gpuFeatures = "+ptx80";
  std::string gpuFormat;
  std::string cudaPath;
  /// nvptx, for testing without a GPU: also compile the kernels for the
  /// host, run by an emulating libcuda (dyn-emulate-gpu-kernels).
  bool emulateKernels = false;
  /// LLVM triple (of the host code for nvptx); empty: the target's Linux
  /// triple.
  std::string triple;
  /// LLVM CPU name; `host` for this machine's CPU (the default when the
  /// target is the host's architecture), empty for the triple's generic CPU.
  std::string cpu = "host";
  /// LLVM feature string (`+avx2,+fma`); with cpu=host, the host's features.
  std::string features;
  /// LLVM optimization level 0-3.
  unsigned optLevel = 3;
  /// Vector length in elements; 0: from the target (AVX-512: 16, AVX2: 8,
  /// NEON/SSE: 4).
  int64_t vectorSize = 0;
  /// Outline subnets and build a dispatcher (false: plain upstream path).
  bool outline = true;
  /// Tile and vectorize linalg ops (false: scalar loops).
  bool vectorize = true;
  /// Pack static temporaries of subnets into arenas (dyn-plan-memory).
  bool planMemory = true;
  /// Shape-specialised entry versions, `ENTRY:ARG.DIM=V,V,...` each (see
  /// dyn-specialize-shapes).
  std::vector<std::string> specialize;
  /// Print per-stage timings to stderr.
  bool timing = false;
};

/// Registers every dialect, extension and translation the driver needs.
void registerCompilerDialects(DialectRegistry &registry);

/// A configured compilation for one target.
class Compiler {
public:
  /// Resolves the target (triple, CPU, features, vector size); fails with a
  /// message for an unknown target or CPU.
  static llvm::Expected<std::unique_ptr<Compiler>>
  create(const CompileOptions &options);
  ~Compiler();

  const CompileOptions &getOptions() const { return options; }

  /// The scope stage timings nest under (disabled unless options.timing);
  /// the report is printed when the Compiler is destroyed.
  TimingScope &getTimingScope() { return rootTiming; }

  /// Runs dyn-cpu-pipeline: dyn dialect in, LLVM dialect out.
  LogicalResult lowerToLLVMDialect(ModuleOp module);

  /// Translates an LLVM-dialect module to optimized LLVM IR.
  FailureOr<std::unique_ptr<llvm::Module>>
  translateToLLVMIR(ModuleOp module, llvm::LLVMContext &llvmContext);

  /// Emits `llvmModule` as a relocatable object file at `path`.
  LogicalResult emitObject(llvm::Module &llvmModule, StringRef path);

  /// The whole way: dyn dialect module to object file.
  LogicalResult compileToObject(ModuleOp module, StringRef path);

private:
  Compiler(const CompileOptions &options,
           std::unique_ptr<llvm::TargetMachine> targetMachine);

  CompileOptions options;
  std::unique_ptr<llvm::TargetMachine> targetMachine;
  DefaultTimingManager timingManager;
  TimingScope rootTiming;
};

/// Reads the entry-point signature lines (`dyn_module_signature`) of an
/// LLVM-dialect module produced by the pipeline.
FailureOr<std::string> getModuleSignature(ModuleOp module);

/// The C header declaring the entry points listed in `signature`.
std::string generateHeader(StringRef signature, StringRef moduleName);

/// How to link a shared library.
struct LinkOptions {
  /// `x86_64`, `aarch64` or `nvptx`: picks the default linker and runtime.
  std::string target = "x86_64";
  /// nvptx: the CUDA shim archive (empty: next to the runtime archive) and
  /// the toolkit whose stub libcuda is linked against (empty: default).
  std::string cudaRuntimeLibrary;
  std::string cudaPath;
  /// The compiler driver used as linker; empty: $DYN_CC (x86_64) or
  /// $DYN_CC_AARCH64 (aarch64) from the environment, else clang from LLVM 22
  /// (x86_64) or aarch64-linux-gnu-gcc (aarch64).
  std::string linker;
  /// The dyn runtime archive built for the target; empty: $DYN_RUNTIME_LIB,
  /// else getDefaultRuntimeLibrary().
  std::string runtimeLibrary;
};

/// Links `objectPath` with the dyn runtime into the shared library
/// `outputPath`.
LogicalResult linkSharedLibrary(StringRef objectPath, StringRef outputPath,
                                const LinkOptions &options, Location loc);

/// The CUDA toolkit path: `path` if given, else $DYN_CUDA_PATH, else
/// /usr/local/cuda.
std::string resolveCudaPath(StringRef path);

/// Default location of the runtime archive for `target`, next to the running
/// executable: `<bindir>/../lib/libdyn_runtime.a` (x86_64) or
/// `<bindir>/../lib/aarch64/libdyn_runtime.a`.
std::string getDefaultRuntimeLibrary(const char *argv0,
                                     StringRef target = "x86_64");

} // namespace dyn
} // namespace mlir

#endif // DYN_COMPILER_COMPILER_H

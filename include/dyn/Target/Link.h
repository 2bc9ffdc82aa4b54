//===- Link.h - link artifacts against the dyn runtime ----------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_TARGET_LINK_H
#define DYN_TARGET_LINK_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir {
namespace dyn {

/// How to link a shared library.
struct LinkOptions {
  /// `x86_64`, `aarch64` or `nvptx`: picks the default linker and runtime.
  std::string target = "x86_64";
  /// nvptx: the CUDA shim archive (empty: next to the runtime archive) and
  /// the toolkit whose stub libcuda is linked against (empty: default).
  std::string cudaRuntimeLibrary;
  std::string cudaPath;
  /// The compiler driver used as linker; empty: $DYN_CC (x86_64, nvptx) or
  /// $DYN_CC_AARCH64 (aarch64) from the environment, else clang from LLVM 22
  /// (x86_64, nvptx) or aarch64-linux-gnu-gcc (aarch64).
  std::string linker;
  /// The dyn runtime archive built for the target; empty: $DYN_RUNTIME_LIB,
  /// else getDefaultRuntimeLibrary().
  std::string runtimeLibrary;
  /// Symbols left for the process to provide at load time (the dyn_emu_*
  /// entry points of --gpu-emulation artifacts, defined by the emulating
  /// libcuda). Otherwise every symbol must resolve at link time.
  bool allowUndefined = false;
};

/// Links `objectPaths` with the dyn runtime (and for nvptx the CUDA shim and
/// the driver API) into the shared library `outputPath`; errors are
/// reported at `loc`.
LogicalResult linkSharedLibrary(ArrayRef<std::string> objectPaths,
                                StringRef outputPath,
                                const LinkOptions &options, Location loc);

/// Default location of the runtime archive for `target`, next to the running
/// executable: `<bindir>/../lib/libdyn_runtime.a` (x86_64, nvptx) or
/// `<bindir>/../lib/aarch64/libdyn_runtime.a`.
std::string getDefaultRuntimeLibrary(const char *argv0,
                                     StringRef target = "x86_64");

} // namespace dyn
} // namespace mlir

#endif // DYN_TARGET_LINK_H

//===- Link.cpp - link artifacts against the dyn runtime ------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Target/Link.h"
#include "dyn/Target/TargetInfo.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::dyn;

#ifndef DYN_DEFAULT_CC
#define DYN_DEFAULT_CC "clang"
#endif

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

LogicalResult mlir::dyn::linkSharedLibrary(ArrayRef<std::string> objectPaths,
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
  if (!llvm::sys::fs::is_regular_file(runtime))
    return emitError(loc) << "cannot find the dyn runtime library '" << runtime
                          << "' (set --runtime-lib or DYN_RUNTIME_LIB)";
  llvm::file_magic magic;
  if (llvm::identify_magic(runtime, magic) ||
      magic != llvm::file_magic::archive)
    return emitError(loc) << "the dyn runtime library '" << runtime
                          << "' is not a static library (libdyn_runtime.a)";

  // --no-undefined: a symbol that neither the runtime nor libc/libm
  // defines (a wrong --runtime-lib, say) is a link error here rather than
  // an artifact that fails to load.
  SmallVector<std::string> args = {*program, "-shared", "-o", outputPath.str()};
  llvm::append_range(args, objectPaths);
  if (!options.allowUndefined)
    args.insert(args.begin() + 2, "-Wl,--no-undefined");
  // Every shared artifact exports the thread-count functions, parallel
  // loops or not (the archive member would be left out without a use), so
  // that hosts can set the count of any artifact.
  args.insert(args.begin() + 2, "-Wl,--undefined=dyn_set_num_threads");
  // A sanitizer build's runtime archives need the sanitizer runtime (host
  // targets only: the AArch64 runtime is never instrumented).
  if (!aarch64)
    for (StringRef flag : llvm::split(StringRef(DYN_ARTIFACT_LINK_FLAGS), ' '))
      if (!flag.empty())
        args.insert(args.begin() + 2, flag.str());
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

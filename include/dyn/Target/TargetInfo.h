//===- TargetInfo.h - what dyn generates code for ---------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Target descriptions: the options of TargetOptions.def and their
// resolution ("host", empty defaults) into a concrete triple, CPU and
// feature string, checked against LLVM's description of the target. The
// pipelines and the driver resolve through the same functions, so a
// default means the same everywhere. Needs only LLVM's MC layer.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_TARGET_TARGETINFO_H
#define DYN_TARGET_TARGETINFO_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mlir {
namespace dyn {

/// What the (host) code is generated for (TargetOptions.def).
struct TargetOptions {
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  TYPE FIELD = DEFAULT;
#include "dyn/Target/TargetOptions.def"
};

/// The targets dyn compiles for: `x86_64`, `aarch64` (CPU code) and `nvptx`
/// (CUDA kernels with host code for this machine).
bool isKnownTarget(llvm::StringRef target);

/// The Linux triple of a CPU architecture (`x86_64`, `aarch64`).
std::string getLinuxTriple(llvm::StringRef arch);

/// `options` with its defaults made concrete for `target`: an empty triple
/// becomes the target's Linux triple (for nvptx, the host's architecture),
/// `cpu=host` this machine's CPU and features when the architectures agree
/// (else the generic CPU). Fails with a message for an unknown target,
/// triple, CPU or feature.
llvm::Expected<TargetOptions> resolveTargetOptions(const TargetOptions &options,
                                                   llvm::StringRef target);

/// The number of 32-bit lanes of the widest general-purpose vector
/// registers of the CPU that resolved `options` describe: 16 with AVX-512,
/// 8 with AVX, 4 otherwise (SSE, NEON).
llvm::Expected<int64_t> getNativeVectorSize(const TargetOptions &options);

/// The number of those vector registers the instruction set names: 32 with
/// AVX-512 and on AArch64 (NEON), 16 otherwise (AVX2, SSE). Register tiles
/// of contractions are sized by it.
llvm::Expected<int64_t>
getNativeVectorRegisterCount(const TargetOptions &options);

/// The CUDA toolkit: `path` if given, else $DYN_CUDA_PATH, else
/// /usr/local/cuda.
std::string resolveCudaPath(llvm::StringRef path);

/// The kernel binary format when none is asked for: `fatbin` when the
/// toolkit at `cudaPath` has ptxas, else `isa` (PTX).
std::string getDefaultGpuFormat(llvm::StringRef cudaPath);

/// Checks a GPU chip (`sm_<N>`), a binary format (`fatbin`, `bin`, `isa`)
/// and that the toolkit at `cudaPath` has what the format needs (libdevice
/// always, ptxas for cubins and fatbins).
llvm::Error verifyGpuTarget(llvm::StringRef chip, llvm::StringRef format,
                            llvm::StringRef cudaPath);

} // namespace dyn
} // namespace mlir

#endif // DYN_TARGET_TARGETINFO_H

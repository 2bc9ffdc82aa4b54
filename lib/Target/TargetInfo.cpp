//===- TargetInfo.cpp - what dyn generates code for -----------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Target/TargetInfo.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <cstdlib>
#include <memory>
#include <mutex>

using namespace mlir;
using namespace mlir::dyn;

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86TargetMC();
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64TargetMC();
}

/// The CPU targets' descriptions (not their code generators), once.
static void initializeTargetDescriptions() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86TargetMC();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64TargetMC();
  });
}

bool mlir::dyn::isKnownTarget(llvm::StringRef target) {
  return target == "x86_64" || target == "aarch64" || target == "nvptx";
}

std::string mlir::dyn::getLinuxTriple(llvm::StringRef arch) {
  return (arch + "-unknown-linux-gnu").str();
}

/// The host's features as an LLVM feature string.
static std::string getHostFeatures() {
  std::string result;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    result += (result.empty() ? "" : ",") +
              std::string(feature.second ? "+" : "-") + feature.first().str();
  return result;
}

/// The subtarget `options` (resolved) describe, or an error naming what LLVM
/// does not know.
static llvm::Expected<std::unique_ptr<llvm::MCSubtargetInfo>>
getSubtarget(const TargetOptions &options) {
  initializeTargetDescriptions();
  llvm::Triple triple(options.triple);
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("cannot generate code for '%s': %s",
                                   options.triple.c_str(), error.c_str());
  // Probe with the generic CPU first, so that an unknown name is reported
  // here rather than as LLVM's warning on stderr.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!generic)
    return llvm::createStringError("no subtarget description for '%s'",
                                   options.triple.c_str());
  if (!options.cpu.empty() && !generic->isCPUStringValid(options.cpu))
    return llvm::createStringError(
        "'%s' is not a recognized processor for '%s' (expected an LLVM CPU "
        "name, 'host', or empty for the triple's generic CPU)",
        options.cpu.c_str(), options.triple.c_str());
  llvm::SmallVector<llvm::StringRef> features;
  llvm::StringRef(options.features)
      .split(features, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (llvm::StringRef feature : features) {
    feature = feature.trim();
    llvm::StringRef name = feature.drop_front();
    if ((!feature.starts_with("+") && !feature.starts_with("-")) ||
        !llvm::any_of(
            generic->getAllProcessorFeatures(),
            [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; }))
      return llvm::createStringError(
          "'%s' is not a recognized feature for '%s' (expected +NAME or "
          "-NAME with an LLVM feature name, e.g. +avx2)",
          feature.str().c_str(), options.triple.c_str());
  }
  return std::unique_ptr<llvm::MCSubtargetInfo>(
      target->createMCSubtargetInfo(triple, options.cpu, options.features));
}

llvm::Expected<TargetOptions>
mlir::dyn::resolveTargetOptions(const TargetOptions &options,
                                llvm::StringRef target) {
  if (!isKnownTarget(target))
    return llvm::createStringError(
        "unknown target '%s' (expected x86_64, aarch64 or nvptx)",
        target.str().c_str());
  TargetOptions resolved = options;
  llvm::Triple host(llvm::sys::getProcessTriple());
  if (resolved.triple.empty())
    resolved.triple =
        getLinuxTriple(target == "nvptx" ? host.getArchName() : target);
  llvm::Triple triple(resolved.triple);
  if (triple.getArch() == llvm::Triple::UnknownArch)
    return llvm::createStringError("unknown target triple '%s'",
                                   resolved.triple.c_str());
  if (target != "nvptx" &&
      triple.getArch() != llvm::Triple(getLinuxTriple(target)).getArch())
    return llvm::createStringError("triple '%s' is not for the %s target",
                                   resolved.triple.c_str(),
                                   target.str().c_str());
  if (resolved.cpu == "host") {
    if (triple.getArch() == host.getArch()) {
      resolved.cpu = llvm::sys::getHostCPUName().str();
      if (resolved.features.empty())
        resolved.features = getHostFeatures();
    } else {
      resolved.cpu = ""; // cross compiling: the triple's generic CPU
    }
  }
  if (llvm::Error error = getSubtarget(resolved).takeError())
    return std::move(error);
  return resolved;
}

llvm::Expected<int64_t>
mlir::dyn::getNativeVectorSize(const TargetOptions &options) {
  auto subtarget = getSubtarget(options);
  if (!subtarget)
    return subtarget.takeError();
  if (llvm::Triple(options.triple).isAArch64())
    return 4; // NEON
  if ((*subtarget)->checkFeatures("+avx512f"))
    return 16;
  if ((*subtarget)->checkFeatures("+avx"))
    return 8;
  return 4;
}

llvm::Expected<int64_t>
mlir::dyn::getNativeVectorRegisterCount(const TargetOptions &options) {
  auto subtarget = getSubtarget(options);
  if (!subtarget)
    return subtarget.takeError();
  if (llvm::Triple(options.triple).isAArch64() ||
      (*subtarget)->checkFeatures("+avx512f"))
    return 32;
  return 16;
}

std::string mlir::dyn::resolveCudaPath(llvm::StringRef path) {
  if (!path.empty())
    return path.str();
  if (const char *env = std::getenv("DYN_CUDA_PATH"))
    return env;
  return "/usr/local/cuda";
}

std::string mlir::dyn::getDefaultGpuFormat(llvm::StringRef cudaPath) {
  llvm::SmallString<256> ptxas(cudaPath);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  return llvm::sys::fs::can_execute(ptxas) ? "fatbin" : "isa";
}

llvm::Error mlir::dyn::verifyGpuTarget(llvm::StringRef chip,
                                       llvm::StringRef format,
                                       llvm::StringRef cudaPath) {
  // sm_<N>, with the architecture-specific suffixes (sm_90a, sm_100f).
  llvm::StringRef version = chip.starts_with("sm_") ? chip.drop_front(3) : "";
  llvm::StringRef digits = version.take_while(llvm::isDigit);
  llvm::StringRef suffix = version.drop_front(digits.size());
  if (digits.empty() || (!suffix.empty() && suffix != "a" && suffix != "f"))
    return llvm::createStringError(
        "unknown GPU chip '%s' (expected sm_<NN>, e.g. sm_90)",
        chip.str().c_str());
  if (format != "fatbin" && format != "bin" && format != "isa")
    return llvm::createStringError(
        "unknown GPU binary format '%s' (expected fatbin, bin or isa)",
        format.str().c_str());
  // Kernels link the toolkit's libdevice whatever the format.
  if (!llvm::sys::fs::is_directory(cudaPath))
    return llvm::createStringError(
        "no CUDA toolkit at '%s' (the nvptx target needs its libdevice; set "
        "cuda-path or $DYN_CUDA_PATH)",
        cudaPath.str().c_str());
  if (format != "isa" && getDefaultGpuFormat(cudaPath) == "isa")
    return llvm::createStringError(
        "gpu-format=%s needs ptxas, which the CUDA toolkit at '%s' does not "
        "have (gpu-format=isa embeds PTX instead)",
        format.str().c_str(), cudaPath.str().c_str());
  return llvm::Error::success();
}

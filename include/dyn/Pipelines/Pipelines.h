//===- Pipelines.h - dyn's named compilation pipelines ----------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_PIPELINES_PIPELINES_H
#define DYN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
namespace dyn {

/// Options of `dyn-cpu-pipeline`.
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  PassOptions::Option<std::string> targetTriple{
      *this, "target-triple",
      llvm::cl::desc("LLVM target triple of the generated code"),
      llvm::cl::init("x86_64-unknown-linux-gnu")};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("Target CPU (LLVM name, e.g. x86-64-v3, znver4, "
                     "neoverse-n1); empty means the triple's generic CPU"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("Target features (LLVM syntax, e.g. +avx2,+fma)"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> vectorSize{
      *this, "vector-size",
      llvm::cl::desc("Vector length in elements along the innermost dim"),
      llvm::cl::init(16)};
  PassOptions::Option<bool> outline{
      *this, "outline",
      llvm::cl::desc("Outline subnets and build a dispatcher (false: lower "
                     "dyn ops in place, the plain upstream path)"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> specialize{
      *this, "specialize",
      llvm::cl::desc("Shape-specialised versions of entry points: "
                     "ENTRY:ARG.DIM=V,V,... separated by ';' (see "
                     "dyn-specialize-shapes)"),
      llvm::cl::init("")};
  PassOptions::Option<bool> checkSubnetShapes{
      *this, "check-subnet-shapes",
      llvm::cl::desc("Check the dims each subnet needs equal at its calls "
                     "(dyn-check-subnet-shapes)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> destinations{
      *this, "destinations",
      llvm::cl::desc("Give subnets destination arguments sized by shape "
                     "functions (dyn-subnet-destinations)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> planMemory{
      *this, "plan-memory",
      llvm::cl::desc("Pack static temporaries of each subnet into one arena "
                     "by liveness (dyn-plan-memory)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> elideLoopCopies{
      *this, "elide-loop-copies",
      llvm::cl::desc("Forward read-only loop state without the copies "
                     "scf.while bufferization adds (dyn-elide-loop-copies)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize linalg ops (false: scalar loops)"),
      llvm::cl::init(true)};
};

/// Adds the dyn-dialect-to-LLVM-dialect pipeline for CPUs to `pm` (anchored
/// on builtin.module): canonicalize, outline subnets, tosa -> linalg,
/// elementwise fusion, tiling and vectorization, host dispatcher,
/// bufferization with deallocation, the C ABI, and lowering to LLVM.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// Options of `dyn-nvptx-pipeline`.
struct NvptxPipelineOptions : public PassPipelineOptions<NvptxPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture (sm_80, sm_90, ...)"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features (the PTX ISA version, e.g. +ptx80)"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel binary: fatbin or bin (cubin; both need ptxas "
                     "from the CUDA toolkit), or isa (PTX, compiled by the "
                     "driver at load time; no toolkit needed)"),
      llvm::cl::init("fatbin")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit path (ptxas, fatbinary, libdevice)"),
      llvm::cl::init("/usr/local/cuda")};
  PassOptions::Option<std::string> hostTriple{
      *this, "host-triple",
      llvm::cl::desc("LLVM target triple of the host code"),
      llvm::cl::init("x86_64-unknown-linux-gnu")};
  PassOptions::Option<bool> outline{
      *this, "outline",
      llvm::cl::desc("Outline subnets and build a dispatcher (false: lower "
                     "dyn ops in place)"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> specialize{
      *this, "specialize",
      llvm::cl::desc("Shape-specialised versions of entry points (see "
                     "dyn-cpu-pipeline)"),
      llvm::cl::init("")};
  PassOptions::Option<bool> checkSubnetShapes{
      *this, "check-subnet-shapes",
      llvm::cl::desc("Check the dims each subnet needs equal at its calls"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> destinations{
      *this, "destinations",
      llvm::cl::desc("Subnet results allocated by the dispatcher"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> emulateKernels{
      *this, "emulate-kernels",
      llvm::cl::desc("Testing: also compile the kernels for the host, to be "
                     "run by an emulating libcuda (dyn-emulate-gpu-kernels)"),
      llvm::cl::init(false)};
};

/// Adds the dyn-dialect-to-LLVM pipeline for CUDA GPUs to `pm`: the same
/// tensor-level stages as the CPU pipeline, then bufferization into device
/// memory, one kernel per linalg op (shared-memory tiles for matmuls and
/// reductions), host wrappers that move inputs and outputs once, kernels
/// outlined and compiled through NVVM into a binary embedded in the host
/// module, and the host code (dispatcher) lowered to LLVM.
void buildNvptxPipeline(OpPassManager &pm, const NvptxPipelineOptions &options);

/// Registers `dyn-cpu-pipeline` and `dyn-nvptx-pipeline` with the global
/// pipeline registry.
void registerDynPipelines();

} // namespace dyn
} // namespace mlir

#endif // DYN_PIPELINES_PIPELINES_H

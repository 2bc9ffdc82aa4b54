//===- Pipeline.h - dyn-nvptx-pipeline --------------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_NVPTX_PIPELINE_H
#define DYN_CODEGEN_NVPTX_PIPELINE_H

#include "dyn/Codegen/Common/Pipeline.h"
#include "dyn/Target/TargetInfo.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

namespace mlir {
namespace dyn {

/// Options of CUDA code generation (NVPTXOptions.def).
struct NVPTXCodegenOptions {
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  TYPE FIELD = DEFAULT;
#include "dyn/Codegen/NVPTX/NVPTXOptions.def"
};

/// `codegen` with its defaults made concrete: the CUDA toolkit
/// (resolveCudaPath) and the kernel format (getDefaultGpuFormat). Fails with
/// a message for an unknown chip or format, or a toolkit that lacks what the
/// format needs.
llvm::Expected<NVPTXCodegenOptions>
resolveNVPTXCodegenOptions(const NVPTXCodegenOptions &codegen);

/// Adds the dyn-dialect-to-LLVM pipeline for CUDA GPUs to `pm`: the shared
/// subnet stages, then bufferization into device memory, one kernel per
/// linalg op (shared-memory tiles for matmuls and reductions), host
/// wrappers that move inputs and outputs once, kernels outlined and
/// compiled through NVVM into a binary embedded in the host module, and the
/// host code (dispatcher) lowered to LLVM for `target`. Fails with a
/// message for a target or an option it cannot honour.
llvm::Error buildNVPTXPipeline(OpPassManager &pm, const TargetOptions &target,
                               const SubnetOptions &subnets,
                               const NVPTXCodegenOptions &codegen);

/// Registers `dyn-nvptx-pipeline`, whose options are those of
/// TargetOptions.def, SubnetOptions.def and NVPTXOptions.def.
void registerNVPTXPipeline();

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_NVPTX_PIPELINE_H

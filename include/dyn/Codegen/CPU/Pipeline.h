//===- Pipeline.h - dyn-cpu-pipeline ----------------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_CPU_PIPELINE_H
#define DYN_CODEGEN_CPU_PIPELINE_H

#include "dyn/Codegen/Common/Pipeline.h"
#include "dyn/Target/TargetInfo.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

namespace mlir {
namespace dyn {

/// Options of CPU code generation (CPUOptions.def).
struct CPUCodegenOptions {
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  TYPE FIELD = DEFAULT;
#include "dyn/Codegen/CPU/CPUOptions.def"
};

/// `codegen` with its defaults made concrete for `target` (as
/// resolveTargetOptions made it): vector-size 0 becomes the CPU's native
/// vector length. Fails with a message for a vector size outside 1-64.
llvm::Expected<CPUCodegenOptions>
resolveCPUCodegenOptions(const TargetOptions &target,
                         const CPUCodegenOptions &codegen);

/// Adds the dyn-dialect-to-LLVM-dialect pipeline for x86-64 and AArch64 CPUs
/// to `pm` (anchored on builtin.module): the shared subnet stages, elementwise
/// fusion, tiling and vectorization, bufferization with memory planning and
/// deallocation, the C ABI, and lowering to LLVM. Fails with a message for a
/// target or an option it cannot honour.
llvm::Error buildCPUPipeline(OpPassManager &pm, const TargetOptions &target,
                             const SubnetOptions &subnets,
                             const CPUCodegenOptions &codegen);

/// Registers `dyn-cpu-pipeline`, whose options are those of TargetOptions.def,
/// SubnetOptions.def and CPUOptions.def.
void registerCPUPipeline();

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_CPU_PIPELINE_H

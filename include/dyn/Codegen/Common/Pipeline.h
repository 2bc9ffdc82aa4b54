//===- Pipeline.h - the stages every dyn pipeline shares --------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The target pipelines (Codegen/CPU, Codegen/NVPTX) are built from these
// pieces and their own; every piece adds pass instances made by their
// constructors, with typed options.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CODEGEN_COMMON_PIPELINE_H
#define DYN_CODEGEN_COMMON_PIPELINE_H

#include "dyn/Target/TargetInfo.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir {
namespace dyn {

/// How subnets are formed, checked and given memory (SubnetOptions.def).
struct SubnetOptions {
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  TYPE FIELD = DEFAULT;
#define DYN_LIST_OPTION(FIELD, FLAG, DESCRIPTION)                              \
  std::vector<std::string> FIELD;
#include "dyn/Codegen/Common/SubnetOptions.def"
};

/// Checks what can be checked before any IR is seen (the syntax of each
/// specialisation, `ENTRY:ARG.DIM=V,V,...`).
llvm::Error verifySubnetOptions(const SubnetOptions &options);

/// Stages 1-4 of every pipeline, on tensors: constant folding; symbolic
/// dims, shape-specialised versions and shape refinement; subnets outlined;
/// tosa to linalg with broadcast checks folded; the host dispatcher with
/// subnet shape checks and destinations (or, without outlining, dyn ops
/// lowered to scf in place).
void addSubnetStages(OpPassManager &pm, const SubnetOptions &options);

/// Elementwise chains fused into one linalg.generic, unit dims folded.
void addElementwiseFusion(OpPassManager &pm);

/// Before bufferization: reshapes the memref lowering cannot take split,
/// empty tensors replaced by the destinations they are inserted into.
void addPreBufferization(OpPassManager &pm);

/// After bufferization: results equal to their destination argument
/// dropped, static buffers planned into arenas, loop copies elided (as the
/// options ask), ownership-based deallocation, its scratch on the stack.
void addBufferLifetimes(OpPassManager &pm, const SubnetOptions &options);

/// The last pass of every pipeline: the (resolved) target recorded on the
/// module, private functions internal.
void addFinalization(OpPassManager &pm, const TargetOptions &target);

//===----------------------------------------------------------------------===//
// Registration of the named pipelines
//===----------------------------------------------------------------------===//

/// Splits the `;`-separated form of a list option (a pipeline option
/// string cannot repeat an option).
std::vector<std::string> splitListOption(StringRef text);

/// Registers `name` as a textual pipeline whose options parse into
/// `Options` (a PassPipelineOptions) and whose builder can fail with a
/// message, reported where the pipeline is parsed.
template <typename Options>
void registerDynPipeline(
    StringRef name, StringRef description,
    std::function<llvm::Error(OpPassManager &, const Options &)> builder) {
  registerPassPipeline(
      name, description,
      [builder](OpPassManager &pm, StringRef text,
                function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (llvm::Error error = builder(pm, options))
          return errorHandler(llvm::toString(std::move(error)));
        return success();
      },
      [](function_ref<void(const ::mlir::detail::PassOptions &)> handler) {
        handler(Options());
      });
}

} // namespace dyn
} // namespace mlir

#endif // DYN_CODEGEN_COMMON_PIPELINE_H

//===- Pipeline.cpp - dyn-cpu-pipeline ------------------------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/CPU/Pipeline.h"
#include "dyn/Codegen/CPU/Passes.h"
#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Codegen/Common/PipelineOptions.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;
using namespace mlir::dyn;

/// The CPU architecture the (possibly empty) triple names.
static llvm::Expected<StringRef> getArchitecture(StringRef triple) {
  if (triple.empty())
    return StringRef("x86_64");
  llvm::Triple parsed(triple);
  if (parsed.isX86() && parsed.isArch64Bit())
    return StringRef("x86_64");
  if (parsed.isAArch64())
    return StringRef("aarch64");
  return llvm::createStringError(
      "dyn-cpu-pipeline generates x86_64 or aarch64 code, not '%s'",
      triple.str().c_str());
}

/// An option that is 0 takes the target's figure (`native`); the result
/// must lie in [min, 64].
static llvm::Error resolveFromTarget(int64_t &value,
                                     llvm::Expected<int64_t> native,
                                     int64_t min, StringRef flag,
                                     StringRef unit) {
  int64_t given = value;
  if (!native) {
    if (given == 0)
      return native.takeError();
    llvm::consumeError(native.takeError());
  } else if (given == 0) {
    value = *native;
  }
  if (value < min || value > 64)
    return llvm::createStringError(
        "%s must be between %lld and 64%s (0: from the target), not %lld",
        flag.str().c_str(), static_cast<long long>(min), unit.str().c_str(),
        static_cast<long long>(given));
  return llvm::Error::success();
}

llvm::Expected<CPUCodegenOptions>
mlir::dyn::resolveCPUCodegenOptions(const TargetOptions &target,
                                    const CPUCodegenOptions &codegen) {
  CPUCodegenOptions resolved = codegen;
  if (llvm::Error error =
          resolveFromTarget(resolved.vectorSize, getNativeVectorSize(target), 1,
                            "vector-size", " lanes"))
    return std::move(error);
  // The register tile: two vectors of columns, and as many rows as leave
  // the accumulators (rows x 2 registers), the two vectors of B and one
  // broadcast of A in registers: 6 rows with 16 registers (AVX2, 12
  // accumulators), 8 with 32 (AVX-512, NEON).
  if (resolved.matmulTileN == 0)
    resolved.matmulTileN = 2 * resolved.vectorSize;
  if (llvm::Error error = resolveFromTarget(
          resolved.vectorRegisters, getNativeVectorRegisterCount(target), 8,
          "vector-registers", ""))
    return std::move(error);
  if (resolved.matmulTileM == 0)
    resolved.matmulTileM = resolved.vectorRegisters >= 32 ? 8 : 6;
  if (resolved.matmulTileM < 1 || resolved.matmulTileM > 64)
    return llvm::createStringError(
        "matmul-tile-m must be between 1 and 64 rows (0: from the target), "
        "not %lld",
        static_cast<long long>(codegen.matmulTileM));
  if (resolved.matmulTileN < 1 || resolved.matmulTileN > 256 ||
      resolved.matmulTileN % resolved.vectorSize != 0)
    return llvm::createStringError(
        "matmul-tile-n must be a multiple of vector-size (%lld) up to 256 "
        "(0: two vectors), not %lld",
        static_cast<long long>(resolved.vectorSize),
        static_cast<long long>(codegen.matmulTileN));
  if (resolved.matmulCacheTileN < 0 || resolved.matmulCacheTileK < 0)
    return llvm::createStringError(
        "matmul-cache-tile-n and matmul-cache-tile-k must not be negative "
        "(0: no blocking)");
  if (resolved.parallelTasks < 0 || resolved.parallelMinWork < 0)
    return llvm::createStringError(
        "parallel-tasks and parallel-min-work must not be negative (0 "
        "tasks: no parallel loops)");
  return resolved;
}

llvm::Error mlir::dyn::buildCPUPipeline(
    OpPassManager &pm, const TargetOptions &targetOptions,
    const SubnetOptions &subnets, const CPUCodegenOptions &codegenOptions) {
  auto arch = getArchitecture(targetOptions.triple);
  if (!arch)
    return arch.takeError();
  auto target = resolveTargetOptions(targetOptions, *arch);
  if (!target)
    return target.takeError();
  auto codegen = resolveCPUCodegenOptions(*target, codegenOptions);
  if (!codegen)
    return codegen.takeError();
  if (llvm::Error error = verifySubnetOptions(subnets))
    return error;

  addSubnetStages(pm, subnets);

  // 5. Fusion of elementwise chains, then tiles that fit the vector unit.
  addElementwiseFusion(pm);
  if (codegen->vectorize) {
    DynTileAndVectorizeOptions tileOptions;
    tileOptions.vectorSize = codegen->vectorSize;
    tileOptions.vectorRegisters = codegen->vectorRegisters;
    tileOptions.fuseEpilogues = codegen->fuseEpilogues;
    tileOptions.matmulTileM = codegen->matmulTileM;
    tileOptions.matmulTileN = codegen->matmulTileN;
    tileOptions.matmulCacheTileN = codegen->matmulCacheTileN;
    tileOptions.matmulCacheTileK = codegen->matmulCacheTileK;
    tileOptions.parallelTasks = codegen->parallelTasks;
    tileOptions.parallelMinWork = codegen->parallelMinWork;
    pm.addNestedPass<func::FuncOp>(createDynTileAndVectorize(tileOptions));
    pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMaskPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  // Every dynamic dim in terms of the entry's arguments (tensor.dim of a
  // tile loop's result is that of its init; of a pad, its operand's plus
  // the padding): bufferization proves extract/insert slice pairs equal with
  // value-bounds constraint sets, which otherwise walk back through every
  // earlier loop nest to bound a batch size (11 s of ResNet-50's compile).
  pm.addNestedPass<func::FuncOp>(createSCFForLoopCanonicalizationPass());
  pm.addNestedPass<func::FuncOp>(
      memref::createResolveRankedShapeTypeResultDimsPass());
  pm.addPass(createCanonicalizerPass());

  // 6. Buffers: one-shot bufferization across subnet calls (identity
  //    layouts at function boundaries and for call results, so an scf.if
  //    over calls returns their buffers without a copy), then lifetimes.
  addPreBufferization(pm);
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.unknownTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  addBufferLifetimes(pm, subnets);
  // The tasks of parallel loops onto the runtime's thread pool.
  pm.addPass(createDynOutlineParallelLoops());

  // 7. The C ABI of the entry points, then everything to LLVM.
  pm.addPass(createDynEmitCInterface());
  pm.addPass(createDynLowerAssertions());
  DynLowerVectorsOptions lowerVectors;
  lowerVectors.approximateMath = codegen->approximateMath;
  if (codegen->vectorize)
    pm.addNestedPass<func::FuncOp>(createDynLowerVectors(lowerVectors));
  pm.addPass(createConvertLinalgToLoopsPass());
  VectorTransferToSCFOptions transfers;
  transfers.unroll = true;
  pm.addPass(createConvertVectorToSCFPass(transfers));
  pm.addNestedPass<func::FuncOp>(createDynLowerVectors(lowerVectors));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Allocation through the runtime's accounting functions.
  FinalizeMemRefToLLVMConversionPassOptions memrefs;
  memrefs.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefs));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  ConvertVectorToLLVMPassOptions vectors;
  vectors.force32BitVectorIndices = false;
  pm.addPass(createConvertVectorToLLVMPass(vectors));
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  addFinalization(pm, *target);
  return llvm::Error::success();
}

namespace {
/// The options of `dyn-cpu-pipeline`: the tables, entry for entry.
struct CPUPipelineOptions : public CommonPipelineOptions<CPUPipelineOptions> {
#define DYN_OPTION DYN_PIPELINE_OPTION
#include "dyn/Codegen/CPU/CPUOptions.def"

  CPUCodegenOptions getCodegenOptions() const {
    CPUCodegenOptions result;
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  result.FIELD = FIELD;
#include "dyn/Codegen/CPU/CPUOptions.def"
    return result;
  }
};
} // namespace

void mlir::dyn::registerCPUPipeline() {
  registerDynPipeline<CPUPipelineOptions>(
      "dyn-cpu-pipeline",
      "Compile a dyn-dialect module to LLVM dialect for an x86-64 or AArch64 "
      "CPU: subnets, host dispatcher, vectorized linalg, buffers, C ABI",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        return buildCPUPipeline(pm, options.getTargetOptions(),
                                options.getSubnetOptions(),
                                options.getCodegenOptions());
      });
}

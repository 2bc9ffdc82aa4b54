//===- Pipeline.cpp - dyn-nvptx-pipeline ----------------------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/NVPTX/Pipeline.h"
#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Codegen/Common/PipelineOptions.h"
#include "dyn/Codegen/NVPTX/Emulation/Passes.h"
#include "dyn/Codegen/NVPTX/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ConvertToLLVM/ToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::dyn;

llvm::Expected<NVPTXCodegenOptions>
mlir::dyn::resolveNVPTXCodegenOptions(const NVPTXCodegenOptions &codegen) {
  NVPTXCodegenOptions resolved = codegen;
  resolved.cudaPath = resolveCudaPath(resolved.cudaPath);
  if (resolved.gpuFormat.empty())
    resolved.gpuFormat = getDefaultGpuFormat(resolved.cudaPath);
  if (llvm::Error error = verifyGpuTarget(resolved.gpuChip, resolved.gpuFormat,
                                          resolved.cudaPath))
    return std::move(error);
  return resolved;
}

llvm::Error mlir::dyn::buildNVPTXPipeline(
    OpPassManager &pm, const TargetOptions &targetOptions,
    const SubnetOptions &subnets, const NVPTXCodegenOptions &codegenOptions) {
  auto target = resolveTargetOptions(targetOptions, "nvptx");
  if (!target)
    return target.takeError();
  auto codegen = resolveNVPTXCodegenOptions(codegenOptions);
  if (!codegen)
    return codegen.takeError();
  if (llvm::Error error = verifySubnetOptions(subnets))
    return error;

  addSubnetStages(pm, subnets);

  // 5. Fewer, bigger kernels: elementwise chains fused.
  addElementwiseFusion(pm);

  // 6. Buffers in device memory (shape operands on the host); entry points
  //    wrapped so that inputs and outputs cross once; device buffers of
  //    static (or constant-bounded) size planned into one device arena per
  //    function; deallocation.
  addPreBufferization(pm);
  pm.addPass(createDynBufferizeForDevice());
  pm.addPass(createDynDeviceBoundary());
  addBufferLifetimes(pm, subnets);

  // 7. Kernels: one gpu.launch per linalg op; device allocation, transfers
  //    and scalar reads; kernels outlined into one gpu.module for the chip.
  pm.addNestedPass<func::FuncOp>(createDynMapToGPU());
  pm.addPass(createDynPlaceOnDevice());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createDynMergeGpuModules());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createSymbolDCEPass());
  if (codegen->gpuEmulation)
    pm.addPass(createDynEmulateGPUKernels());
  GpuNVVMAttachTargetOptions nvvm;
  nvvm.chip = codegen->gpuChip;
  nvvm.features = codegen->gpuFeatures;
  nvvm.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(nvvm));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  // 8. Host code: one in-order stream, waits only for data coming back;
  //    the C ABI; everything to LLVM; kernels compiled and embedded.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addNestedPass<func::FuncOp>(createDynElideGpuWaits());
  pm.addPass(createDynEmitCInterface());
  pm.addPass(createDynLowerAssertions());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  FinalizeMemRefToLLVMConversionPassOptions memrefs;
  memrefs.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefs));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  if (codegen->gpuEmulation)
    pm.addPass(createDynEmulatedKernelEntries());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = codegen->gpuFormat;
  binary.toolkitPath = codegen->cudaPath;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  addFinalization(pm, *target);
  return llvm::Error::success();
}

namespace {
/// The options of `dyn-nvptx-pipeline`: the tables, entry for entry.
struct NVPTXPipelineOptions
    : public CommonPipelineOptions<NVPTXPipelineOptions> {
#define DYN_OPTION DYN_PIPELINE_OPTION
#include "dyn/Codegen/NVPTX/NVPTXOptions.def"

  NVPTXCodegenOptions getCodegenOptions() const {
    NVPTXCodegenOptions result;
#define DYN_OPTION(TYPE, FIELD, FLAG, DEFAULT, DESCRIPTION)                    \
  result.FIELD = FIELD;
#include "dyn/Codegen/NVPTX/NVPTXOptions.def"
    return result;
  }
};
} // namespace

void mlir::dyn::registerNVPTXPipeline() {
  registerDynPipeline<NVPTXPipelineOptions>(
      "dyn-nvptx-pipeline",
      "Compile a dyn-dialect module for CUDA GPUs: subnets as kernels "
      "(shared-memory matmul and reduction tiles), tensors in device memory, "
      "a host dispatcher reading back only decision scalars, NVVM binaries "
      "embedded, C ABI",
      [](OpPassManager &pm, const NVPTXPipelineOptions &options) {
        return buildNVPTXPipeline(pm, options.getTargetOptions(),
                                  options.getSubnetOptions(),
                                  options.getCodegenOptions());
      });
}

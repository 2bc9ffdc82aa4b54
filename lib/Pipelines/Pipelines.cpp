//===- Pipelines.cpp - dyn's named compilation pipelines ------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Pipelines/Pipelines.h"
#include "dyn/Conversion/Passes.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"
#include "dyn/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Appends the upstream passes named by `pipeline` (textual syntax, nested
/// under builtin.module) to `pm`. The pieces are fixed strings of registered
/// upstream passes, so a parse failure is a bug, not a user error.
void addUpstream(OpPassManager &pm, StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error(llvm::Twine("dyn: malformed built-in pipeline: ") +
                             pipeline);
}

/// Records the codegen target on the module for the LLVM back end, and gives
/// private function definitions internal linkage (func-to-llvm keeps them
/// external), so subnets are neither exported nor kept from inlining.
struct FinalizeLLVMModulePass
    : public PassWrapper<FinalizeLLVMModulePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FinalizeLLVMModulePass)
  FinalizeLLVMModulePass(std::string triple, std::string cpu,
                         std::string features)
      : triple(std::move(triple)), cpu(std::move(cpu)),
        features(std::move(features)) {}
  StringRef getArgument() const final { return "dyn-finalize-llvm-module"; }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (!func.isExternal() && func.isPrivate())
        func.setLinkage(LLVM::Linkage::Internal);
    module->setAttr("llvm.target_triple", b.getStringAttr(triple));
    module->setAttr("dyn.target_cpu", b.getStringAttr(cpu));
    module->setAttr("dyn.target_features", b.getStringAttr(features));
  }
  std::string triple, cpu, features;
};

} // namespace

/// Stages 1-4, shared by every target: tensor-level shape work, subnets,
/// tosa -> linalg, the host dispatcher with shape checks and destinations.
static void addTensorStages(OpPassManager &pm, bool outline,
                            const std::string &specialize,
                            bool checkSubnetShapes, bool destinations) {
  // 1. Fold what is statically known (constant predicates drop dead paths).
  addUpstream(pm, "canonicalize");
  //    Which input dims must agree (checked by the C ABI at entry).
  pm.addPass(createDynInferSymbolicDims());
  //    Shape-specialised versions (when asked for), then static extents
  //    propagated as far as producers prove them.
  DynSpecializeShapesOptions specializeOptions;
  specializeOptions.specializations = specialize;
  pm.addPass(createDynSpecializeShapes(specializeOptions));
  pm.addNestedPass<func::FuncOp>(createDynRefineShapes());

  // 2. Subnets: control-flow-free compute, isolated.
  if (outline)
    pm.addPass(createDynOutlineRegions());

  // 3. Tensor compute to linalg; functions (subnets) are processed
  //    independently, and in parallel when the context is multithreaded.
  addUpstream(pm, "func.func(tosa-to-linalg-named{prefer-conv2d-kernel-layout-"
                  "hwcf},tosa-to-linalg,"
                  "tosa-to-arith,tosa-to-tensor,"
                  "convert-elementwise-to-linalg)");
  //    Runtime broadcast checks between symbolically equal dims go.
  pm.addNestedPass<func::FuncOp>(createDynFoldDynamicBroadcasts());

  // 4. Host control flow: the dispatcher (or, without outlining, scf in
  //    place).
  //    Subnets then take their results as destinations, sized on the host
  //    by shape functions.
  if (outline) {
    pm.addPass(createDynBuildDispatcher());
    if (checkSubnetShapes)
      pm.addPass(createDynCheckSubnetShapes());
    if (destinations)
      pm.addPass(createDynSubnetDestinations());
  } else {
    pm.addPass(createDynLowerToSCF());
  }
}

void mlir::dyn::buildCpuPipeline(OpPassManager &pm,
                                 const CpuPipelineOptions &options) {
  addTensorStages(pm, options.outline, options.specialize,
                  options.checkSubnetShapes, options.destinations);

  // 5. Fusion of elementwise chains, then tiles that fit the vector unit.
  addUpstream(pm, "canonicalize,cse,func.func(linalg-fuse-elementwise-ops,"
                  "linalg-fold-unit-extent-dims),canonicalize,cse");
  if (options.vectorize) {
    DynTileAndVectorizeOptions tileOptions;
    tileOptions.vectorSize = options.vectorSize;
    pm.addNestedPass<func::FuncOp>(createDynTileAndVectorize(tileOptions));
    addUpstream(pm, "func.func(lower-vector-mask),canonicalize,cse");
  }

  // 6. Buffers: one-shot bufferization across subnet calls, ownership-based
  //    deallocation (no leaks across calls or loop iterations). Reshapes
  //    that split a dim into several dynamic dims first become
  //    tensor.reshape (see the pass for the upstream bug it avoids).
  pm.addNestedPass<func::FuncOp>(createDynSplitDynamicReshapes());
  addUpstream(pm, "eliminate-empty-tensors,"
                  "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map "
                  "unknown-type-conversion=identity-layout-map "
                  "allow-return-allocs-from-loops}");
  //    A subnet result that is its destination argument is dropped from the
  //    signature (callers use the destination): ownership-based deallocation
  //    would otherwise copy it out, since a function must return buffers its
  //    caller owns.
  addUpstream(pm, "canonicalize,drop-equivalent-buffer-results");
  //    Static buffers of each subnet and dispatcher share one arena, by
  //    liveness over host control flow and across subnet calls.
  if (options.planMemory)
    pm.addPass(createDynPlanMemory());
  //    Loops forward read-only state without per-iteration copies (off by
  //    default: fewer allocations, but deallocation then needs runtime alias
  //    checks, which cost more time; see docs/shapes.md).
  if (options.elideLoopCopies)
    pm.addNestedPass<func::FuncOp>(createDynElideLoopCopies());
  addUpstream(pm, "buffer-deallocation-pipeline,"
                  "convert-bufferization-to-memref,canonicalize,cse");
  //    Deallocation's run-time alias checks keep their scratch arrays on
  //    the stack.
  pm.addPass(createDynPromoteScratchToStack());

  // 7. The C ABI of the entry points, then everything to LLVM.
  pm.addPass(createDynEmitCInterface());
  if (options.vectorize)
    pm.addNestedPass<func::FuncOp>(createDynLowerVectors());
  addUpstream(pm, "convert-linalg-to-loops,"
                  "convert-vector-to-scf{full-unroll},"
                  "func.func(dyn-lower-vectors),"
                  "convert-scf-to-cf,expand-strided-metadata,lower-affine,"
                  "finalize-memref-to-llvm{use-generic-functions},"
                  "convert-math-to-llvm,"
                  "convert-math-to-libm,"
                  "convert-vector-to-llvm{force-32bit-vector-indices=false},"
                  "convert-to-llvm,reconcile-unrealized-casts,canonicalize");
  pm.addPass(std::make_unique<FinalizeLLVMModulePass>(
      options.targetTriple, options.cpu, options.features));
}

void mlir::dyn::buildNvptxPipeline(OpPassManager &pm,
                                   const NvptxPipelineOptions &options) {
  addTensorStages(pm, options.outline, options.specialize,
                  options.checkSubnetShapes, options.destinations);

  // 5. Fewer, bigger kernels: elementwise chains fused.
  addUpstream(pm, "canonicalize,cse,func.func(linalg-fuse-elementwise-ops,"
                  "linalg-fold-unit-extent-dims),canonicalize,cse");

  // 6. Buffers in device memory (shape operands on the host); entry points
  //    wrapped so that inputs and outputs cross once; deallocation.
  pm.addNestedPass<func::FuncOp>(createDynSplitDynamicReshapes());
  addUpstream(pm, "eliminate-empty-tensors");
  pm.addPass(createDynBufferizeForDevice());
  pm.addPass(createDynDeviceBoundary());
  addUpstream(pm, "canonicalize,drop-equivalent-buffer-results");
  //    Device buffers of static (or constant-bounded) size share one device
  //    arena per function, by liveness.
  pm.addPass(createDynPlanMemory());
  addUpstream(pm, "buffer-deallocation-pipeline,"
                  "convert-bufferization-to-memref,canonicalize,cse");
  pm.addPass(createDynPromoteScratchToStack());

  // 7. Kernels: one gpu.launch per linalg op; device allocation, transfers
  //    and scalar reads; kernels outlined into a gpu.module for the chip.
  pm.addNestedPass<func::FuncOp>(createDynMapToGPU());
  pm.addPass(createDynPlaceOnDevice());
  addUpstream(pm, "gpu-kernel-outlining");
  pm.addPass(createDynMergeGpuModules());
  addUpstream(pm, "canonicalize,cse,symbol-dce");
  if (options.emulateKernels)
    pm.addPass(createDynEmulateGPUKernels());
  addUpstream(pm, llvm::formatv("nvvm-attach-target{{chip={0} features={1} "
                                "O=3}",
                                std::string(options.chip),
                                std::string(options.features))
                      .str());
  addUpstream(pm, "gpu.module(lower-affine,convert-scf-to-cf,"
                  "convert-gpu-to-nvvm,canonicalize,cse,"
                  "reconcile-unrealized-casts)");

  // 8. Host code: one in-order stream, waits only for data coming back;
  //    the C ABI; everything to LLVM; kernels compiled and embedded.
  addUpstream(pm, "func.func(gpu-async-region)");
  pm.addNestedPass<func::FuncOp>(createDynElideGpuWaits());
  pm.addPass(createDynEmitCInterface());
  addUpstream(pm, "lower-affine,convert-scf-to-cf,expand-strided-metadata,"
                  "lower-affine,"
                  "finalize-memref-to-llvm{use-generic-functions},"
                  "convert-math-to-llvm,convert-math-to-libm,"
                  "gpu-to-llvm,convert-to-llvm,reconcile-unrealized-casts,"
                  "canonicalize");
  if (options.emulateKernels)
    pm.addPass(createDynEmulatedKernelEntries());
  addUpstream(pm, llvm::formatv("gpu-module-to-binary{{format={0} "
                                "toolkit={1}}",
                                std::string(options.format),
                                std::string(options.toolkit))
                      .str());
  pm.addPass(
      std::make_unique<FinalizeLLVMModulePass>(options.hostTriple, "", ""));
}

void mlir::dyn::registerDynPipelines() {
  PassPipelineRegistration<NvptxPipelineOptions>(
      "dyn-nvptx-pipeline",
      "Compile a dyn-dialect module for CUDA GPUs: subnets as kernels "
      "(shared-memory matmul and reduction tiles), tensors in device memory, "
      "a host dispatcher reading back only decision scalars, NVVM binaries "
      "embedded, C ABI",
      buildNvptxPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "dyn-cpu-pipeline",
      "Compile a dyn-dialect module to LLVM dialect for a CPU: subnets, "
      "host dispatcher, vectorized linalg, buffers, C ABI",
      buildCpuPipeline);
}

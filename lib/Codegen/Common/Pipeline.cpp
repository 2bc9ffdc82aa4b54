//===- Pipeline.cpp - the stages every dyn pipeline shares ----------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Pipeline.h"
#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Conversion/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::dyn;

std::vector<std::string> mlir::dyn::splitListOption(StringRef text) {
  SmallVector<StringRef> parts;
  text.split(parts, ';', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  std::vector<std::string> result;
  for (StringRef part : parts)
    if (!part.trim().empty())
      result.push_back(part.trim().str());
  return result;
}

llvm::Error mlir::dyn::verifySubnetOptions(const SubnetOptions &options) {
  for (const std::string &spec : options.specialize) {
    auto [entry, choice] = StringRef(spec).split(':');
    if (entry.trim().empty() || choice.trim().empty())
      return llvm::createStringError(
          "malformed specialisation '%s' (expected ENTRY:ARG.DIM=V,V,..., "
          "e.g. forward:0.1=64,128)",
          spec.c_str());
    if (auto parsed = parseDimSpecialization(choice); !parsed)
      return parsed.takeError();
  }
  return llvm::Error::success();
}

/// `items` joined by ';', the pipeline-string form of a list option.
static std::string joinListOption(ArrayRef<std::string> items) {
  std::string result;
  for (const std::string &item : items)
    result += (result.empty() ? "" : ";") + item;
  return result;
}

void mlir::dyn::addSubnetStages(OpPassManager &pm,
                                const SubnetOptions &options) {
  // 0. Reject input that verifies but is out of range (located errors).
  pm.addPass(createDynCheckInput());
  //    Control flow that other producers wrote as scf / tosa over tensors
  //    becomes dyn (a no-op on dyn frontends' output).
  pm.addPass(createDynRaiseControlFlow());
  //    Per-sample selects whose sides treat samples independently compute
  //    each side on its samples only.
  if (options.batchSelects)
    pm.addNestedPass<func::FuncOp>(createDynRaiseBatchSelects());
  // 1. Fold what is statically known (constant predicates drop dead paths).
  pm.addPass(createCanonicalizerPass());
  //    Layouts across control flow: transposes leave the regions of
  //    dyn.cond / dyn.switch (and per-sample branches) and cancel between
  //    them.
  pm.addNestedPass<func::FuncOp>(createDynPropagateTransposes());
  //    Per-sample branches: a partition of the batch and one dyn.cond per
  //    sub-batch, compiled from here on like any other control flow.
  pm.addNestedPass<func::FuncOp>(createDynLowerBatchBranches());
  //    Which input dims must agree (checked by the C ABI at entry).
  pm.addPass(createDynInferSymbolicDims());
  //    Shape-specialised versions (when asked for), then static extents
  //    propagated as far as producers prove them.
  DynSpecializeShapesOptions specializeOptions;
  specializeOptions.specializations = joinListOption(options.specialize);
  pm.addPass(createDynSpecializeShapes(specializeOptions));
  pm.addNestedPass<func::FuncOp>(createDynRefineShapes());

  // 2. Subnets: control-flow-free compute, isolated.
  if (options.outline)
    pm.addPass(createDynOutlineRegions());

  // 3. Tensor compute to linalg; functions (subnets) are processed
  //    independently, and in parallel when the context is multithreaded.
  //    Convolution filters in HWCF, the layout dyn-tile-and-vectorize
  //    decomposes into 1-D convolutions.
  OpPassManager &funcs = pm.nest<func::FuncOp>();
  //    Layouts once per subnet: frontends wrap each NCHW convolution in
  //    NCHW -> NHWC -> NCHW transposes; inside a subnet the pairs between
  //    convolutions cancel through the elementwise ops between them (batch
  //    norm, ReLU, residual adds), leaving one transpose at each boundary.
  funcs.addPass(tosa::createTosaReduceTransposes());
  TosaToLinalgNamedOptions namedOptions;
  namedOptions.preferConv2DKernelLayoutHWCF = true;
  funcs.addPass(tosa::createTosaToLinalgNamed(namedOptions));
  funcs.addPass(tosa::createTosaToLinalg());
  funcs.addPass(createTosaToArithPass());
  funcs.addPass(createTosaToTensorPass());
  funcs.addPass(createConvertElementwiseToLinalgPass());
  //    The filters' transposes folded here, byte-wise (upstream's folding
  //    in elementwise fusion goes through an APFloat per weight).
  funcs.addPass(createDynFoldConstantTransposes());
  //    Runtime broadcast checks between symbolically equal dims go.
  pm.addNestedPass<func::FuncOp>(createDynFoldDynamicBroadcasts());

  // 4. Host control flow: the dispatcher (or, without outlining, scf in
  //    place). Subnets then take their results as destinations, sized on
  //    the host by shape functions.
  if (options.outline) {
    pm.addPass(createDynBuildDispatcher());
    if (options.checkSubnetShapes)
      pm.addPass(createDynCheckSubnetShapes());
    if (options.destinations)
      pm.addPass(createDynSubnetDestinations());
  } else {
    pm.addPass(createDynLowerToSCF());
  }
}

void mlir::dyn::addElementwiseFusion(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &funcs = pm.nest<func::FuncOp>();
  funcs.addPass(createLinalgElementwiseOpFusionPass());
  funcs.addPass(createLinalgFoldUnitExtentDimsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::dyn::addPreBufferization(OpPassManager &pm) {
  // Reshapes that split a dim into several dynamic dims become
  // tensor.reshape (see the pass for the upstream bug it avoids).
  pm.addNestedPass<func::FuncOp>(createDynSplitDynamicReshapes());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
}

void mlir::dyn::addBufferLifetimes(OpPassManager &pm,
                                   const SubnetOptions &options) {
  // A subnet result that is its destination argument is dropped from the
  // signature (callers use the destination): ownership-based deallocation
  // would otherwise copy it out, since a function must return buffers its
  // caller owns.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  // Static buffers of each subnet and dispatcher share one arena per
  // memory space, by liveness over host control flow and across calls.
  if (options.planMemory)
    pm.addPass(createDynPlanMemory());
  // Loops forward read-only state without per-iteration copies (off by
  // default: fewer allocations, but deallocation then needs run-time alias
  // checks, which cost more time; see docs/shapes.md).
  if (options.elideLoopCopies)
    pm.addNestedPass<func::FuncOp>(createDynElideLoopCopies());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Deallocation's run-time alias checks keep their scratch arrays on the
  // stack.
  pm.addPass(createDynPromoteScratchToStack());
}

void mlir::dyn::addFinalization(OpPassManager &pm,
                                const TargetOptions &target) {
  pm.addPass(createDynExitOnError());
  DynFinalizeLLVMModuleOptions options;
  options.triple = target.triple;
  options.cpu = target.cpu;
  options.features = target.features;
  pm.addPass(createDynFinalizeLLVMModule(options));
}

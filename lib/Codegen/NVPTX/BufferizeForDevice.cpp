//===- BufferizeForDevice.cpp - tensors bufferized into GPU memory --------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's one-shot module bufferization with a default memory space
// function: the memory space is how the later nvptx passes tell device
// buffers (tensors) from host ones (index-typed shape operands).
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/NVPTX/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNBUFFERIZEFORDEVICE
#include "dyn/Codegen/NVPTX/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

struct DynBufferizeForDevicePass
    : public dyn::impl::DynBufferizeForDeviceBase<DynBufferizeForDevicePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    // Entry inputs are read-only: a result equal to an input is then a
    // pass-through the host wrapper returns without moving it.
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isDeclaration())
        continue;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (isa<TensorType>(func.getArgument(i).getType()))
          func.setArgAttr(i, "bufferization.writable",
                          BoolAttr::get(ctx, false));
    }
    // Upstream's concat bufferization supports no memory space: concats
    // become inserts into an empty tensor first.
    RewritePatternSet patterns(ctx);
    tensor::populateDecomposeTensorConcatPatterns(patterns);
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();

    bufferization::OneShotBufferizationOptions options;
    options.bufferizeFunctionBoundaries = true;
    options.setFunctionBoundaryTypeConversion(
        bufferization::LayoutMapOption::IdentityLayoutMap);
    // Call results (the subnets' outputs) have identity layouts; the
    // default (fully dynamic) would make every scf.if over calls copy its
    // result into an identity buffer before returning it.
    options.unknownTypeConverterFn =
        [](TensorType type, Attribute memorySpace,
           const bufferization::BufferizationOptions &) -> BaseMemRefType {
      return bufferization::getMemRefTypeWithStaticIdentityLayout(type,
                                                                  memorySpace);
    };
    options.allowReturnAllocsFromLoops = true;
    // Tensors live on the device; shape operands (index tensors, read by
    // host-side reshapes) stay on the host.
    Attribute device =
        gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Global);
    options.defaultMemorySpaceFn =
        [device](TensorType type) -> std::optional<Attribute> {
      if (type.getElementType().isIndex())
        return Attribute();
      return device;
    };
    bufferization::BufferizationState state;
    if (failed(
            bufferization::runOneShotModuleBufferize(module, options, state)))
      signalPassFailure();
  }
};

} // namespace

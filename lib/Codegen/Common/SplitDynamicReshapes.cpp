//===- SplitDynamicReshapes.cpp - multi-dynamic expand_shape to reshape ---===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's expand-strided-metadata (MLIR 22.1.8) crashes on a
// memref.expand_shape that splits one dim into several dynamic ones (it
// builds a reinterpret_cast from a null stride attribute). Such splits are
// the heart of dynamic-batch attention ([B*S, D] -> [B, S, H, hd]), so dyn
// rewrites them into tensor.reshape, whose memref form lowers directly.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#define DEBUG_TYPE "dyn-split-dynamic-reshapes"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNSPLITDYNAMICRESHAPES
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// True if a reassociation group of `op` holds more than one dynamic dim of
/// the result.
bool splitsIntoSeveralDynamicDims(tensor::ExpandShapeOp op) {
  ArrayRef<int64_t> shape = op.getResultType().getShape();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t dim) {
          return ShapedType::isDynamic(shape[dim]);
        }) > 1)
      return true;
  return false;
}

struct DynSplitDynamicReshapesPass
    : public dyn::impl::DynSplitDynamicReshapesBase<
          DynSplitDynamicReshapesPass> {
  void runOnOperation() override {
    // Reassociations are read as indices into the shapes.
    if (failed(dyn::checkInput(getOperation())))
      return signalPassFailure();
    SmallVector<tensor::ExpandShapeOp> worklist;
    getOperation().walk([&](tensor::ExpandShapeOp op) {
      if (splitsIntoSeveralDynamicDims(op))
        worklist.push_back(op);
    });
    for (tensor::ExpandShapeOp op : worklist) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<Value> sizes =
          getValueOrCreateConstantIndexOp(b, loc, op.getMixedOutputShape());
      Value shape = tensor::FromElementsOp::create(
          b, loc,
          RankedTensorType::get({static_cast<int64_t>(sizes.size())},
                                b.getIndexType()),
          sizes);
      Value reshaped = tensor::ReshapeOp::create(b, loc, op.getResultType(),
                                                 op.getSrc(), shape);
      op.replaceAllUsesWith(reshaped);
      op.erase();
      ++numRewritten;
    }
  }
};

} // namespace

//===- PropagateTransposes.cpp - layouts across dyn.cond / dyn.switch -----===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's tosa-reduce-transposes cancels transpose pairs only where every
// path between them is a TOSA op it can rewrite; a region terminator
// (dyn.yield) stops it, so it cannot remove the transposes at the ends of a
// gated block. This pass moves transposes out of the regions (and down
// through the elementwise ops they feed), where upstream's folding of
// consecutive transposes cancels them.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynOps.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dyn-propagate-transposes"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNPROPAGATETRANSPOSES
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// `type` with its dims in the order of `transpose`'s input, for a value
/// that `transpose` (perms `perms`) maps to `type`.
RankedTensorType untransposedType(RankedTensorType type,
                                  ArrayRef<int32_t> perms) {
  SmallVector<int64_t> shape(type.getRank());
  for (auto [i, p] : llvm::enumerate(perms))
    shape[p] = type.getDimSize(i);
  return type.clone(shape);
}

/// The transpose that defines `value`, or null.
tosa::TransposeOp getTranspose(Value value) {
  return value.getDefiningOp<tosa::TransposeOp>();
}

/// A dyn.cond / dyn.switch result that every region yields transposed by
/// the same perms: the regions yield the untransposed values, the result
/// takes their layout, and one transpose after the op restores the type its
/// users see.
template <typename OpTy>
struct TransposeAfterRegions : public OpRewritePattern<OpTy> {
  TransposeAfterRegions(MLIRContext *ctx, Pass::Statistic &moved)
      : OpRewritePattern<OpTy>(ctx), moved(moved) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    SmallVector<YieldOp> yields;
    for (Region &region : op->getRegions())
      yields.push_back(cast<YieldOp>(region.front().getTerminator()));
    for (OpResult result : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || result.use_empty())
        continue;
      unsigned index = result.getResultNumber();
      std::optional<SmallVector<int32_t>> perms;
      bool all = llvm::all_of(yields, [&](YieldOp yield) {
        tosa::TransposeOp transpose = getTranspose(yield.getOperand(index));
        if (!transpose || (perms && *perms != transpose.getPerms()))
          return false;
        perms = llvm::to_vector(transpose.getPerms());
        return true;
      });
      // A per-sample op keeps the batch in dim 0 (its regions see rows).
      if (!all || !perms ||
          (isa<BatchCondOp, BatchSwitchOp>(op) && perms->front() != 0))
        continue;
      rewriter.modifyOpInPlace(
          op, [&] { result.setType(untransposedType(type, *perms)); });
      for (YieldOp yield : yields) {
        Value input = getTranspose(yield.getOperand(index)).getInput1();
        rewriter.modifyOpInPlace(yield,
                                 [&] { yield->setOperand(index, input); });
      }
      rewriter.setInsertionPointAfter(op);
      auto restored = tosa::TransposeOp::create(rewriter, op.getLoc(), type,
                                                result, *perms);
      rewriter.replaceAllUsesExcept(result, restored, restored);
      ++moved;
      return success();
    }
    return failure();
  }

  Pass::Statistic &moved;
};

/// A transposed input of a per-sample op (the batch staying in dim 0):
/// the op takes the untransposed value, and each region transposes its
/// sub-batch argument back where it starts. The transposes then meet the
/// regions' own (a convolution's NCHW -> NHWC) and cancel, and the regions
/// yield transposed values, which TransposeAfterRegions moves out: in a
/// chain of gated blocks no transpose is left between them.
template <typename OpTy>
struct TransposeIntoRegions : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    for (OpOperand &input : op.getInputsMutable()) {
      tosa::TransposeOp transpose = getTranspose(input.get());
      if (!transpose || transpose.getPerms().front() != 0)
        continue;
      unsigned index = input.getOperandNumber() - 1; // after the selector
      Value untransposed = transpose.getInput1();
      RankedTensorType rows = getSubBatchType(untransposed.getType());
      rewriter.modifyOpInPlace(op, [&] { input.set(untransposed); });
      for (Region &region : op->getRegions()) {
        BlockArgument arg = region.front().getArgument(index);
        Type original = arg.getType();
        rewriter.modifyOpInPlace(op, [&] { arg.setType(rows); });
        rewriter.setInsertionPointToStart(&region.front());
        auto restored = tosa::TransposeOp::create(
            rewriter, op.getLoc(), original, arg, transpose.getPerms());
        rewriter.replaceAllUsesExcept(arg, restored, restored);
      }
      return success();
    }
    return failure();
  }
};

/// A float TOSA elementwise op whose operands of its rank are all
/// transposed by the same perms (or splat constants, which take any
/// layout): the op runs on the untransposed operands and its result is
/// transposed once. Operands of another rank (tosa.mul's shift) are kept.
struct TransposeAfterElementwise : public RewritePattern {
  explicit TransposeAfterElementwise(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!op->hasTrait<OpTrait::tosa::TosaElementwiseOperator>() ||
        isa<tosa::RescaleOp>(op) || op->getNumResults() != 1)
      return failure();
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !isa<FloatType>(type.getElementType()))
      return failure();
    std::optional<SmallVector<int32_t>> perms;
    for (Value operand : op->getOperands()) {
      auto operandType = dyn_cast<RankedTensorType>(operand.getType());
      if (!operandType || operandType.getRank() != type.getRank())
        continue;
      if (tosa::TransposeOp transpose = getTranspose(operand)) {
        if (perms && *perms != transpose.getPerms())
          return failure();
        perms = llvm::to_vector(transpose.getPerms());
        continue;
      }
      SplatElementsAttr splat;
      if (!matchPattern(operand, m_Constant(&splat)))
        return failure();
    }
    if (!perms)
      return failure();
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      auto operandType = dyn_cast<RankedTensorType>(operand.getType());
      if (!operandType || operandType.getRank() != type.getRank()) {
        operands.push_back(operand);
      } else if (tosa::TransposeOp transpose = getTranspose(operand)) {
        operands.push_back(transpose.getInput1());
      } else {
        SplatElementsAttr splat;
        (void)matchPattern(operand, m_Constant(&splat));
        auto splatType = untransposedType(operandType, *perms);
        operands.push_back(tosa::ConstOp::create(
            rewriter, op->getLoc(), splatType, splat.reshape(splatType)));
      }
    }
    OperationState state(op->getLoc(), op->getName(), operands,
                         {untransposedType(type, *perms)}, op->getAttrs());
    Operation *untransposed = rewriter.create(state);
    rewriter.replaceOpWithNewOp<tosa::TransposeOp>(
        op, type, untransposed->getResult(0), *perms);
    return success();
  }
};

/// A TOSA reduction of a transposed value: the reduction runs along the
/// matching axis of the untransposed value and its (smaller) result is
/// transposed (a gate's global average pool reads a block's output this
/// way).
template <typename OpTy>
struct TransposeAfterReduction : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    tosa::TransposeOp transpose = getTranspose(op.getInput());
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!transpose || !type)
      return failure();
    ArrayRef<int32_t> perms = transpose.getPerms();
    uint32_t axis = op.getAxis();
    if (axis >= perms.size())
      return failure();
    // (a clone keeps the other attributes: the NaN mode of max and min)
    auto reduced = cast<OpTy>(rewriter.clone(*op));
    rewriter.modifyOpInPlace(reduced, [&] {
      reduced.getInputMutable().assign(transpose.getInput1());
      reduced.setAxis(static_cast<uint32_t>(perms[axis]));
      reduced.getResult().setType(untransposedType(type, perms));
    });
    rewriter.replaceOpWithNewOp<tosa::TransposeOp>(op, type, reduced, perms);
    return success();
  }
};

struct DynPropagateTransposesPass
    : public dyn::impl::DynPropagateTransposesBase<DynPropagateTransposesPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<TransposeAfterRegions<CondOp>, TransposeAfterRegions<SwitchOp>,
                 TransposeAfterRegions<BatchCondOp>,
                 TransposeAfterRegions<BatchSwitchOp>>(ctx, numResults);
    patterns.add<TransposeIntoRegions<BatchCondOp>,
                 TransposeIntoRegions<BatchSwitchOp>>(ctx);
    patterns.add<TransposeAfterElementwise>(ctx);
    patterns.add<TransposeAfterReduction<tosa::ReduceSumOp>,
                 TransposeAfterReduction<tosa::ReduceMaxOp>,
                 TransposeAfterReduction<tosa::ReduceMinOp>,
                 TransposeAfterReduction<tosa::ReduceProductOp>>(ctx);
    tosa::TransposeOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

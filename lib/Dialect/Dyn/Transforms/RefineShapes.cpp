//===- RefineShapes.cpp - static extents through compute and regions ------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's tosa-infer-shapes refines tosa ops from their operand types but
// neither looks through tensor.cast nor into dyn regions, and upstream
// canonicalization folds casts only into tensor and linalg consumers. This
// pass combines the three, plus the join of region yields for dyn.cond and
// dyn.switch, in one greedy fixed point.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynOps.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dyn-refine-shapes"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNREFINESHAPES
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// The source of `value` if it is a tensor.cast that only forgets extents.
Value getRefinedSource(Value value) {
  auto cast = value.getDefiningOp<tensor::CastOp>();
  if (cast && tensor::canFoldIntoConsumerOp(cast))
    return cast.getSource();
  return {};
}

/// `current` with the static extents of `inferred` where `current` is
/// dynamic, or null if that adds nothing (or the two disagree).
RankedTensorType joinShapes(RankedTensorType current,
                            ArrayRef<int64_t> inferred) {
  if (!current || current.getRank() != static_cast<int64_t>(inferred.size()))
    return {};
  SmallVector<int64_t> shape(current.getShape());
  bool changed = false;
  for (auto [dim, extent] : llvm::zip_equal(shape, inferred)) {
    if (ShapedType::isDynamic(extent))
      continue;
    if (ShapedType::isDynamic(dim)) {
      dim = extent;
      changed = true;
    } else if (dim != extent) {
      return {};
    }
  }
  return changed ? current.clone(shape) : RankedTensorType();
}

/// Gives `result` the type `refined` and a cast back to its old type for
/// its current users; the casts fold into users that accept the new type.
void refineResult(RewriterBase &rewriter, OpResult result,
                  RankedTensorType refined) {
  Type old = result.getType();
  rewriter.modifyOpInPlace(result.getOwner(), [&] { result.setType(refined); });
  rewriter.setInsertionPointAfter(result.getOwner());
  auto cast = tensor::CastOp::create(rewriter, result.getLoc(), old, result);
  rewriter.replaceAllUsesExcept(result, cast, cast);
}

/// Replaces operands of `op` (index -> value) if `verifyOp` still verifies
/// afterwards. The trial is undone before the rewriter sees anything.
LogicalResult
tryReplaceOperands(PatternRewriter &rewriter, Operation *op,
                   ArrayRef<std::pair<unsigned, Value>> replacements,
                   Operation *verifyOp) {
  if (replacements.empty())
    return failure();
  SmallVector<Value> old(op->getOperands());
  for (auto [index, value] : replacements)
    op->setOperand(index, value);
  bool ok;
  {
    // A trial: the verifier's complaints about it are not the user's.
    ScopedDiagnosticHandler silence(op->getContext(),
                                    [](Diagnostic &) { return success(); });
    ok = succeeded(verify(verifyOp, /*verifyRecursively=*/false));
  }
  for (auto [index, value] : llvm::enumerate(old))
    op->setOperand(index, value);
  if (!ok)
    return failure();
  rewriter.modifyOpInPlace(op, [&] {
    for (auto [index, value] : replacements)
      op->setOperand(index, value);
  });
  return success();
}

/// A tosa op consuming an extent-forgetting cast consumes its source.
struct FoldCastIntoTosaOp : public RewritePattern {
  FoldCastIntoTosaOp(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<tosa::TosaOp>(op))
      return failure();
    SmallVector<std::pair<unsigned, Value>> replacements;
    for (OpOperand &operand : op->getOpOperands())
      if (Value source = getRefinedSource(operand.get()))
        replacements.push_back({operand.getOperandNumber(), source});
    if (replacements.empty())
      return failure();
    // Tosa verifiers check operand/result shape agreement: a result type
    // written as static for a dynamic operand, say, must stay as is.
    return tryReplaceOperands(rewriter, op, replacements, op);
  }
};

/// Result shapes of tosa ops from their operands.
struct RefineTosaResults
    : public OpInterfaceRewritePattern<InferShapedTypeOpInterface> {
  RefineTosaResults(MLIRContext *ctx, llvm::Statistic &numRefined)
      : OpInterfaceRewritePattern(ctx), numRefined(numRefined) {}

  LogicalResult matchAndRewrite(InferShapedTypeOpInterface op,
                                PatternRewriter &rewriter) const override {
    if (!isa<tosa::TosaOp>(op.getOperation()))
      return failure();
    SmallVector<ShapedTypeComponents> inferred;
    if (failed(op.inferReturnTypeComponents(
            op->getContext(), op->getLoc(), ValueShapeRange(op->getOperands()),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), inferred)) ||
        inferred.size() != op->getNumResults())
      return failure();
    bool changed = false;
    for (auto [result, components] : llvm::zip(op->getResults(), inferred)) {
      if (!components.hasRank())
        continue;
      RankedTensorType refined = joinShapes(
          dyn_cast<RankedTensorType>(result.getType()), components.getDims());
      if (!refined)
        continue;
      refineResult(rewriter, cast<OpResult>(result), refined);
      ++numRefined;
      changed = true;
    }
    return success(changed);
  }

  llvm::Statistic &numRefined;
};

/// dyn.yield / dyn.condition operands: the cast's source is cast-compatible
/// with the region's result type whenever the cast result was.
template <typename TerminatorOp>
struct FoldCastIntoTerminator : public OpRewritePattern<TerminatorOp> {
  using OpRewritePattern<TerminatorOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TerminatorOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<std::pair<unsigned, Value>> replacements;
    for (OpOperand &operand : op->getOpOperands())
      if (Value source = getRefinedSource(operand.get()))
        replacements.push_back({operand.getOperandNumber(), source});
    // The region op's verifier has the last word (a while's carried types).
    return tryReplaceOperands(rewriter, op, replacements, op->getParentOp());
  }
};

/// dyn.cond / dyn.switch results: the join of what every region yields.
template <typename BranchOp>
struct RefineBranchResults : public OpRewritePattern<BranchOp> {
  RefineBranchResults(MLIRContext *ctx, llvm::Statistic &numRefined)
      : OpRewritePattern<BranchOp>(ctx), numRefined(numRefined) {}

  LogicalResult matchAndRewrite(BranchOp op,
                                PatternRewriter &rewriter) const override {
    bool changed = false;
    for (OpResult result : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || type.hasStaticShape())
        continue;
      // Per dim: the extent all regions agree on, if static in all.
      SmallVector<int64_t> agreed(type.getShape());
      SmallVector<bool> seen(type.getRank(), false);
      for (Region &region : op->getRegions()) {
        auto yield = cast<YieldOp>(region.front().getTerminator());
        auto yielded = dyn_cast<RankedTensorType>(
            yield.getOperand(result.getResultNumber()).getType());
        if (!yielded || yielded.getRank() != type.getRank())
          return failure();
        for (int64_t d = 0; d < type.getRank(); ++d) {
          int64_t extent = yielded.getDimSize(d);
          if (!type.isDynamicDim(d))
            continue;
          if (ShapedType::isDynamic(extent) ||
              (seen[d] && agreed[d] != extent)) {
            agreed[d] = ShapedType::kDynamic;
            seen[d] = true;
            continue;
          }
          if (!seen[d])
            agreed[d] = extent;
          seen[d] = true;
        }
      }
      RankedTensorType refined = joinShapes(type, agreed);
      if (!refined)
        continue;
      refineResult(rewriter, result, refined);
      ++numRefined;
      changed = true;
    }
    return success(changed);
  }

  llvm::Statistic &numRefined;
};

/// tensor.expand_shape whose output_shape holds constants for dims its
/// type leaves dynamic (upstream folds only casts of the source).
struct RefineExpandShape : public OpRewritePattern<tensor::ExpandShapeOp> {
  RefineExpandShape(MLIRContext *ctx, llvm::Statistic &numRefined)
      : OpRewritePattern(ctx), numRefined(numRefined) {}

  LogicalResult matchAndRewrite(tensor::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    for (OpFoldResult &size : sizes)
      if (auto value = dyn_cast<Value>(size))
        size = getAsOpFoldResult(value);
    SmallVector<int64_t> inferred;
    for (OpFoldResult size : sizes)
      inferred.push_back(
          getConstantIntValue(size).value_or(ShapedType::kDynamic));
    RankedTensorType refined = joinShapes(op.getResultType(), inferred);
    if (!refined)
      return failure();
    // A group whose extents are all static has a static source extent
    // (their product): the verifier wants the source to say so too, hence a
    // (refining) cast of the source.
    SmallVector<int64_t> srcShape(op.getSrcType().getShape());
    for (auto [src, group] : llvm::enumerate(op.getReassociationIndices())) {
      int64_t product = 1;
      for (int64_t dim : group)
        product = ShapedType::isDynamic(refined.getDimSize(dim)) ||
                          ShapedType::isDynamic(product)
                      ? ShapedType::kDynamic
                      : product * refined.getDimSize(dim);
      if (!ShapedType::isDynamic(product))
        srcShape[src] = product;
    }
    Value src = op.getSrc();
    if (srcShape != op.getSrcType().getShape())
      src = tensor::CastOp::create(rewriter, op.getLoc(),
                                   op.getSrcType().clone(srcShape), src);
    auto expanded =
        tensor::ExpandShapeOp::create(rewriter, op.getLoc(), refined, src,
                                      op.getReassociationIndices(), sizes);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, op.getResultType(),
                                                expanded);
    ++numRefined;
    return success();
  }

  llvm::Statistic &numRefined;
};

/// Gives block argument `arg` the type `refined`, with a cast back to its
/// old type at the start of its block for the current users.
void refineBlockArgument(RewriterBase &rewriter, BlockArgument arg,
                         RankedTensorType refined) {
  Type old = arg.getType();
  arg.setType(refined);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(arg.getOwner());
  auto cast = tensor::CastOp::create(rewriter, arg.getLoc(), old, arg);
  rewriter.replaceAllUsesExcept(arg, cast, cast);
}

/// The extents of `value`, looking through an extent-forgetting cast.
ArrayRef<int64_t> getKnownShape(Value value) {
  if (Value source = getRefinedSource(value))
    value = source;
  if (auto type = dyn_cast<RankedTensorType>(value.getType()))
    return type.getShape();
  return {};
}

/// dyn.while forwarded values (after-region arguments and results): the
/// extents the condition forwards. Sound without speculation: the results
/// and the after arguments are exactly the forwarded values.
bool refineForwarded(RewriterBase &rewriter, WhileOp op,
                     llvm::Statistic &numRefined) {
  bool changed = false;
  ConditionOp condition = op.getConditionOp();
  for (auto [j, forwarded] : llvm::enumerate(condition.getArgs())) {
    OpResult result = op->getResult(j);
    RankedTensorType refined = joinShapes(
        dyn_cast<RankedTensorType>(result.getType()), getKnownShape(forwarded));
    if (!refined)
      continue;
    BlockArgument afterArg = op.getAfterArguments()[j];
    rewriter.modifyOpInPlace(
        op, [&] { refineBlockArgument(rewriter, afterArg, refined); });
    refineResult(rewriter, result, refined);
    ++numRefined;
    changed = true;
  }
  return changed;
}

struct RefineWhileForwarded : public OpRewritePattern<WhileOp> {
  RefineWhileForwarded(MLIRContext *ctx, llvm::Statistic &numRefined)
      : OpRewritePattern(ctx), numRefined(numRefined) {}
  LogicalResult matchAndRewrite(WhileOp op,
                                PatternRewriter &rewriter) const override {
    return success(refineForwarded(rewriter, op, numRefined));
  }
  llvm::Statistic &numRefined;
};

/// Loop-carried extents that never change: assume the initial value's
/// static extents for the carried values, refine the loop body under that
/// assumption, and keep the result only if the body yields the same
/// extents (an induction over the iterations). The speculation runs on a
/// clone, so a refuted assumption leaves the loop untouched.
bool refineLoopCarried(WhileOp op, const FrozenRewritePatternSet &patterns) {
  SmallVector<RankedTensorType> assumed;
  for (auto [init, arg] : llvm::zip(op.getInits(), op.getBeforeArguments()))
    assumed.push_back(joinShapes(dyn_cast<RankedTensorType>(arg.getType()),
                                 getKnownShape(init)));

  IRRewriter rewriter(op.getContext());
  // Each failed attempt drops the carried values whose extents changed (a
  // growing sequence) and retries with the rest (a fixed-size state).
  while (llvm::any_of(assumed, [](RankedTensorType t) { return bool(t); })) {
    rewriter.setInsertionPoint(op);
    auto clone = cast<WhileOp>(rewriter.clone(*op.getOperation()));
    for (auto [arg, refined] : llvm::zip(clone.getBeforeArguments(), assumed))
      if (refined)
        refineBlockArgument(rewriter, arg, refined);
    // The body, then the loop's forwarded values, to a fixed point. The
    // loop op itself is not handed to the patterns: its canonicalizations
    // could replace it, and the clone is what we inspect.
    llvm::Statistic unused{DEBUG_TYPE, "speculative", ""};
    for (int round = 0; round < 8; ++round) {
      (void)applyPatternsGreedily(clone.getBefore(), patterns);
      (void)applyPatternsGreedily(clone.getAfter(), patterns);
      if (!refineForwarded(rewriter, clone, unused))
        break;
    }

    // The induction step: each next carried value has the assumed extents.
    bool holds = true;
    for (auto [next, refined] :
         llvm::zip(clone.getYieldOp().getOperands(), assumed)) {
      if (!refined)
        continue;
      ArrayRef<int64_t> shape = getKnownShape(next);
      bool same = shape.size() == refined.getShape().size();
      for (auto [got, want] : llvm::zip(shape, refined.getShape()))
        same &= ShapedType::isDynamic(want) || got == want;
      if (!same) {
        refined = RankedTensorType();
        holds = false;
      }
    }
    if (holds) {
      // Results the body made more static reach the old users via casts.
      rewriter.setInsertionPointAfter(clone);
      SmallVector<Value> replacements;
      for (auto [old, now] : llvm::zip(op->getResults(), clone->getResults()))
        replacements.push_back(old.getType() == now.getType()
                                   ? Value(now)
                                   : tensor::CastOp::create(rewriter,
                                                            op.getLoc(),
                                                            old.getType(), now)
                                         .getResult());
      rewriter.replaceOp(op, replacements);
      return true;
    }
    // The casts refineForwarded put after the clone have no users yet.
    for (Value result : clone->getResults())
      for (Operation *user : llvm::make_early_inc_range(result.getUsers()))
        rewriter.eraseOp(user);
    rewriter.eraseOp(clone);
  }
  return false;
}

struct DynRefineShapesPass
    : public dyn::impl::DynRefineShapesBase<DynRefineShapesPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FoldCastIntoTosaOp, FoldCastIntoTerminator<YieldOp>,
                 FoldCastIntoTerminator<ConditionOp>>(ctx);
    patterns.add<RefineTosaResults, RefineExpandShape,
                 RefineBranchResults<CondOp>, RefineBranchResults<SwitchOp>>(
        ctx, numRefined);
    populateAllCanonicalizationPatterns(patterns);
    patterns.add<RefineWhileForwarded>(ctx, numRefined);
    FrozenRewritePatternSet frozen(std::move(patterns));

    // Not converging within the driver's bound only leaves dims dynamic.
    // Loops are refined by speculation between greedy rounds (outer loops
    // first: their static extents feed inner loops).
    (void)applyPatternsGreedily(getOperation(), frozen);
    DenseSet<Operation *> refuted;
    for (int round = 0; round < 64; ++round) {
      WhileOp next;
      getOperation().walk<WalkOrder::PreOrder>([&](WhileOp loop) {
        if (refuted.contains(loop))
          return WalkResult::advance();
        next = loop;
        return WalkResult::interrupt();
      });
      if (!next)
        break;
      if (!refineLoopCarried(next, frozen)) {
        refuted.insert(next);
        continue;
      }
      ++numRefined;
      (void)applyPatternsGreedily(getOperation(), frozen);
    }
  }
};

} // namespace

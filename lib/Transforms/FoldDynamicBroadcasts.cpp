//===- FoldDynamicBroadcasts.cpp - drop broadcast checks on equal dims ----===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// tosa-to-linalg guards each dynamic operand dim of an elementwise op with
//
//   %d = tensor.dim %x, %ci
//   %b = arith.cmpi eq, %d, %c1
//   %y = scf.if %b -> T {
//     %e = tensor.empty(..., %target, ...)      // %target at position i
//     %g = linalg.generic {maps = [(..., 0, ...), identity]}
//            ins(%x) outs(%e) { yield %in }
//     scf.yield %g (possibly through tensor.cast)
//   } else { scf.yield %x }
//
// where %target is the max of the operands' dims. Once dims are expressed in
// terms of the function's inputs and value-numbered, a target that is
// symbolically the operand's own dim makes the branch an identity copy.
// Upstream has no pass for this: its canonicalizations do not know that a
// broadcast from extent 1 to the same extent is a no-op.
//
//===----------------------------------------------------------------------===//

#include "dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dyn-fold-dynamic-broadcasts"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNFOLDDYNAMICBROADCASTS
#include "dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// True if the index values `a` and `b` are the same symbolic extent: the
/// same SSA value, `tensor.dim`s of one tensor at one position, or a
/// `max(p, q)` of equal extents (how tosa-to-linalg combines operand dims).
bool isSameExtent(Value a, Value b, unsigned depth = 0) {
  if (a == b)
    return true;
  if (depth > 8)
    return false;
  auto dimA = a.getDefiningOp<tensor::DimOp>();
  auto dimB = b.getDefiningOp<tensor::DimOp>();
  if (dimA && dimB) {
    std::optional<int64_t> ia = dimA.getConstantIndex();
    std::optional<int64_t> ib = dimB.getConstantIndex();
    return ia && ib && *ia == *ib && dimA.getSource() == dimB.getSource();
  }
  for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
    if (auto max = x.getDefiningOp<arith::MaxUIOp>())
      if (isSameExtent(max.getLhs(), max.getRhs(), depth + 1) &&
          isSameExtent(max.getLhs(), y, depth + 1))
        return true;
  }
  return false;
}

/// Folds tosa-to-linalg's broadcast guard for one dim of a tensor when the
/// broadcast target extent is the tensor's own extent in that dim. The
/// guard's condition compares that extent with 1; after dims are resolved it
/// is whatever index expression the extent reifies to.
struct FoldIdentityBroadcast : public OpRewritePattern<scf::IfOp> {
  FoldIdentityBroadcast(MLIRContext *ctx, llvm::Statistic &numFolded)
      : OpRewritePattern(ctx), numFolded(numFolded) {}

  LogicalResult matchAndRewrite(scf::IfOp ifOp,
                                PatternRewriter &rewriter) const override {
    if (ifOp.getNumResults() != 1 || ifOp.elseBlock() == nullptr)
      return rewriter.notifyMatchFailure(ifOp, "not a value-yielding if/else");
    auto cmp = ifOp.getCondition().getDefiningOp<arith::CmpIOp>();
    if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::eq ||
        !matchPattern(cmp.getRhs(), m_One()))
      return rewriter.notifyMatchFailure(ifOp, "condition is not `x == 1`");
    Value operand =
        cast<scf::YieldOp>(ifOp.elseBlock()->getTerminator()).getOperand(0);
    if (ifOp.getResult(0).getType() != operand.getType())
      return rewriter.notifyMatchFailure(ifOp, "else does not pass through");

    // The then-branch: an identity-bodied generic reading `operand` with a
    // constant 0 in exactly one position, writing a tensor.empty.
    Value yielded =
        cast<scf::YieldOp>(ifOp.thenBlock()->getTerminator()).getOperand(0);
    if (auto cast = yielded.getDefiningOp<tensor::CastOp>())
      yielded = cast.getSource();
    auto generic = yielded.getDefiningOp<linalg::GenericOp>();
    if (!generic || generic.getNumDpsInputs() != 1 ||
        generic.getDpsInputs()[0] != operand || generic.getNumResults() != 1)
      return rewriter.notifyMatchFailure(ifOp, "not a broadcasting copy");
    auto bodyYield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
    if (bodyYield.getOperand(0) != generic.getBody()->getArgument(0))
      return rewriter.notifyMatchFailure(ifOp, "generic is not a copy");
    std::optional<int64_t> index;
    for (auto [pos, expr] :
         llvm::enumerate(generic.getIndexingMapsArray()[0].getResults())) {
      auto constant = dyn_cast<AffineConstantExpr>(expr);
      if (!constant)
        continue;
      if (index || constant.getValue() != 0)
        return rewriter.notifyMatchFailure(ifOp, "not a one-dim broadcast");
      index = pos;
    }
    auto empty = generic.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
    if (!index || !empty || !empty.getType().isDynamicDim(*index))
      return rewriter.notifyMatchFailure(ifOp, "target extent not dynamic");

    if (!isSameExtent(empty.getDynamicSize(*index), cmp.getLhs()))
      return rewriter.notifyMatchFailure(ifOp, "target extent may differ");
    rewriter.replaceOp(ifOp, operand);
    ++numFolded;
    return success();
  }

  llvm::Statistic &numFolded;
};

/// max(d, d) = d for symbolically equal extents (arith has no such fold).
struct FoldMaxOfSameExtent : public OpRewritePattern<arith::MaxUIOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::MaxUIOp op,
                                PatternRewriter &rewriter) const override {
    if (!isSameExtent(op.getLhs(), op.getRhs()))
      return rewriter.notifyMatchFailure(op, "operands may differ");
    rewriter.replaceOp(op, op.getLhs());
    return success();
  }
};

struct DynFoldDynamicBroadcastsPass
    : public dyn::impl::DynFoldDynamicBroadcastsBase<
          DynFoldDynamicBroadcastsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FoldIdentityBroadcast>(ctx, numFolded);
    patterns.add<FoldMaxOfSameExtent>(ctx);
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
    FrozenRewritePatternSet frozen(std::move(patterns));

    // Value numbering (CSE) is what makes two dims of different tensors the
    // same SSA value; folding a guard exposes the next op's dims. Iterate to
    // a fixed point (bounded: each round removes at least one guard).
    IRRewriter rewriter(ctx);
    for (int round = 0; round < 16; ++round) {
      uint64_t before = numFolded;
      // Not converging within the driver's bound only means fewer folds.
      (void)applyPatternsGreedily(getOperation(), frozen);
      DominanceInfo dominance(getOperation());
      eliminateCommonSubExpressions(rewriter, dominance, getOperation());
      if (numFolded == before)
        break;
    }
  }
};

} // namespace

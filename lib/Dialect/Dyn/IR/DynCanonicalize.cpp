//===- DynCanonicalize.cpp - canonicalization of dyn ops ------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Canonicalization patterns of dyn.cond, dyn.switch and dyn.while:
//  - a constant predicate / index inlines the region that runs,
//  - a negated predicate swaps the regions of dyn.cond,
//  - results nobody uses are dropped,
//  - results every region yields from above are replaced by that value,
//  - a loop whose condition is constant false (or max_iterations = 0) runs
//    its before region once and is inlined.
// Dead ops whose regions have no side effects are erased by the generic
// driver (the ops have RecursiveMemoryEffects).
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Returns the constant boolean held by `value` (`i1` or `tensor<i1>`).
std::optional<bool> matchConstantBool(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return getConstantPredicate(attr);
}

/// Returns the constant integer held by `value` (scalar or 0-d tensor).
std::optional<int64_t> matchConstantInt(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  return getConstantIndex(attr);
}

/// Replaces `op` by the body of its single-block `region` (ended by
/// dyn.yield), casting yielded values to the op's result types.
void replaceOpWithRegion(PatternRewriter &rewriter, Operation *op,
                         Region &region) {
  Block *block = &region.front();
  auto yield = cast<YieldOp>(block->getTerminator());
  SmallVector<Value> yielded(yield.getOperands());
  rewriter.inlineBlockBefore(block, op);
  rewriter.setInsertionPoint(op);
  SmallVector<Value> results;
  for (auto [value, result] : llvm::zip(yielded, op->getResults()))
    results.push_back(
        castToType(rewriter, op->getLoc(), value, result.getType()));
  rewriter.replaceOp(op, results);
  rewriter.eraseOp(yield);
}

/// dyn.cond with a constant predicate -> the taken region, inlined.
struct FoldConstantCond : OpRewritePattern<CondOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CondOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<bool> pred = matchConstantBool(op.getPredicate());
    if (!pred)
      return rewriter.notifyMatchFailure(op, "predicate is not constant");
    replaceOpWithRegion(rewriter, op,
                        *pred ? op.getThenRegion() : op.getElseRegion());
    return success();
  }
};

/// dyn.cond(not %p) {A} else {B} -> dyn.cond(%p) {B} else {A}.
struct SwapNegatedCond : OpRewritePattern<CondOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CondOp op,
                                PatternRewriter &rewriter) const override {
    auto xorOp = op.getPredicate().getDefiningOp<arith::XOrIOp>();
    if (!xorOp)
      return failure();
    Value operand;
    if (matchPattern(xorOp.getRhs(), m_One()))
      operand = xorOp.getLhs();
    else if (matchPattern(xorOp.getLhs(), m_One()))
      operand = xorOp.getRhs();
    else
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.getPredicateMutable().assign(operand);
      Region tmp;
      tmp.takeBody(op.getThenRegion());
      op.getThenRegion().takeBody(op.getElseRegion());
      op.getElseRegion().takeBody(tmp);
    });
    return success();
  }
};

/// Drops results of dyn.cond / dyn.switch that have no uses, together with
/// the corresponding yielded values of every region.
template <typename OpTy> struct RemoveUnusedResults : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    SmallVector<unsigned> kept;
    for (OpResult result : op->getResults())
      if (!result.use_empty())
        kept.push_back(result.getResultNumber());
    if (kept.size() == op->getNumResults())
      return failure();

    SmallVector<Type> types;
    for (unsigned i : kept)
      types.push_back(op->getResult(i).getType());
    OperationState state(op->getLoc(), op->getName(), op->getOperands(), types,
                         op->getAttrs());
    for (unsigned i = 0, e = op->getNumRegions(); i < e; ++i)
      state.addRegion();
    Operation *newOp = rewriter.create(state);
    for (auto [oldRegion, newRegion] :
         llvm::zip(op->getRegions(), newOp->getRegions())) {
      newRegion.takeBody(oldRegion);
      auto yield = cast<YieldOp>(newRegion.front().getTerminator());
      SmallVector<Value> operands;
      for (unsigned i : kept)
        operands.push_back(yield.getOperand(i));
      rewriter.modifyOpInPlace(
          yield, [&] { yield.getOperandsMutable().assign(operands); });
    }
    SmallVector<Value> replacements(op->getNumResults(), nullptr);
    for (auto [newIndex, oldIndex] : llvm::enumerate(kept))
      replacements[oldIndex] = newOp->getResult(newIndex);
    rewriter.replaceOp(op, replacements);
    return success();
  }
};

/// A result that every region of a dyn.cond / dyn.switch yields as the same
/// value from above is that value: uses are redirected to it (cast to the
/// result type), which leaves the result unused.
template <typename OpTy>
struct ForwardInvariantResults : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    SmallVector<YieldOp> yields;
    for (Region &region : op->getRegions())
      yields.push_back(cast<YieldOp>(region.front().getTerminator()));

    bool changed = false;
    for (OpResult result : op->getResults()) {
      if (result.use_empty())
        continue;
      unsigned index = result.getResultNumber();
      Value value = yields.front().getOperand(index);
      if (op->isAncestor(value.getParentRegion()->getParentOp()))
        continue; // defined inside the op
      if (!llvm::all_of(yields, [&](YieldOp yield) {
            return yield.getOperand(index) == value;
          }))
        continue;
      rewriter.setInsertionPoint(op);
      Value replacement =
          castToType(rewriter, op->getLoc(), value, result.getType());
      rewriter.replaceAllUsesWith(result, replacement);
      changed = true;
    }
    return success(changed);
  }
};

/// dyn.switch on a constant index (or without cases) -> the region that
/// runs, inlined.
struct FoldConstantSwitch : OpRewritePattern<SwitchOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SwitchOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumCases() == 0) {
      replaceOpWithRegion(rewriter, op, op.getDefaultRegion());
      return success();
    }
    std::optional<int64_t> index = matchConstantInt(op.getIndex());
    if (!index)
      return rewriter.notifyMatchFailure(op, "index is not constant");
    replaceOpWithRegion(rewriter, op, op.getRegionForValue(*index));
    return success();
  }
};

/// dyn.while whose after region can never run (constant false condition or
/// max_iterations = 0): the before region runs exactly once, so it is
/// inlined with the initial values and its forwarded values are the results.
struct FoldSingleRunWhile : OpRewritePattern<WhileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WhileOp op,
                                PatternRewriter &rewriter) const override {
    ConditionOp condition = op.getConditionOp();
    std::optional<bool> pred = matchConstantBool(condition.getPredicate());
    bool neverIterates = (pred && !*pred) || op.getMaxIterations() == 0;
    if (!neverIterates)
      return rewriter.notifyMatchFailure(op, "after region may run");

    Block &before = op.getBeforeBody();
    SmallVector<Value> inits;
    for (auto [init, arg] : llvm::zip(op.getInits(), before.getArguments()))
      inits.push_back(castToType(rewriter, op.getLoc(), init, arg.getType()));
    rewriter.inlineBlockBefore(&before, op, inits);
    // Read the forwarded values only now: block arguments were replaced.
    SmallVector<Value> forwarded(condition.getArgs());
    rewriter.setInsertionPoint(op);
    SmallVector<Value> results;
    for (auto [value, result] : llvm::zip(forwarded, op.getResults()))
      results.push_back(
          castToType(rewriter, op.getLoc(), value, result.getType()));
    rewriter.replaceOp(op, results);
    rewriter.eraseOp(condition);
    return success();
  }
};

} // namespace

void CondOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<FoldConstantCond, SwapNegatedCond, RemoveUnusedResults<CondOp>,
              ForwardInvariantResults<CondOp>>(context);
}

void SwitchOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                           MLIRContext *context) {
  results.add<FoldConstantSwitch, RemoveUnusedResults<SwitchOp>,
              ForwardInvariantResults<SwitchOp>>(context);
}

void WhileOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<FoldSingleRunWhile>(context);
}

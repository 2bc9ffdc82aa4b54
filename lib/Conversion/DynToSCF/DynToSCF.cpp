//===- DynToSCF.cpp - lower dyn control flow to scf in place --------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// dyn.cond -> scf.if, dyn.switch -> scf.index_switch, dyn.while -> scf.while,
// regions moved in place. The rewrite is a direct walk rather than a dialect
// conversion: every dyn op maps 1:1 onto an scf op, nothing needs type
// conversion, and moving regions while converting their terminators is
// simpler (and cheaper) with a plain rewriter, innermost op first.
//
//===----------------------------------------------------------------------===//

#include "dyn/Conversion/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "dyn-lower-to-scf"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNLOWERTOSCF
#include "dyn/Conversion/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Casts each of `values` to the matching entry of `types`.
SmallVector<Value> castAll(OpBuilder &builder, Location loc, ValueRange values,
                           TypeRange types) {
  SmallVector<Value> result;
  for (auto [value, type] : llvm::zip(values, types))
    result.push_back(castToType(builder, loc, value, type));
  return result;
}

/// Replaces the dyn.yield ending `block` by an scf.yield of its operands cast
/// to `types`, followed by `extra` values.
void replaceYield(RewriterBase &rewriter, Block &block, TypeRange types,
                  ValueRange extra = {}) {
  auto yield = cast<YieldOp>(block.getTerminator());
  rewriter.setInsertionPoint(yield);
  SmallVector<Value> values =
      castAll(rewriter, yield.getLoc(), yield.getOperands(), types);
  values.append(extra.begin(), extra.end());
  rewriter.replaceOpWithNewOp<scf::YieldOp>(yield, values);
}

/// Moves every region of `from` into the matching region of `to` and turns
/// their dyn.yield terminators into scf.yield of the result types.
void moveResultRegions(RewriterBase &rewriter, Operation *from, Operation *to) {
  for (auto [src, dst] : llvm::zip(from->getRegions(), to->getRegions())) {
    rewriter.inlineRegionBefore(src, dst, dst.end());
    replaceYield(rewriter, dst.front(), to->getResultTypes());
  }
}

void lowerCond(RewriterBase &rewriter, CondOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value pred = extractScalar(rewriter, loc, op.getPredicate());
  auto ifOp = scf::IfOp::create(rewriter, loc, op.getResultTypes(), pred,
                                /*addThenBlock=*/false,
                                /*addElseBlock=*/false);
  moveResultRegions(rewriter, op, ifOp);
  rewriter.replaceOp(op, ifOp.getResults());
}

void lowerSwitch(RewriterBase &rewriter, SwitchOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value index = extractScalar(rewriter, loc, op.getIndex());
  if (!index.getType().isIndex())
    index = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                       index);
  auto switchOp =
      scf::IndexSwitchOp::create(rewriter, loc, op.getResultTypes(), index,
                                 op.getCases(), op.getNumCases());
  moveResultRegions(rewriter, op, switchOp);
  rewriter.replaceOp(op, switchOp.getResults());
}

/// Gives `arg` the type `type`; its users keep seeing the old type through a
/// tensor.cast at the start of its block.
void retypeArgument(RewriterBase &rewriter, BlockArgument arg, Type type) {
  Type oldType = arg.getType();
  if (oldType == type)
    return;
  arg.setType(type);
  rewriter.setInsertionPointToStart(arg.getOwner());
  auto cast = tensor::CastOp::create(rewriter, arg.getLoc(), oldType, arg);
  rewriter.replaceAllUsesExcept(arg, cast.getResult(), cast);
}

void lowerWhile(RewriterBase &rewriter, WhileOp op) {
  Location loc = op.getLoc();
  std::optional<int64_t> maxIterations = op.getMaxIterations();
  Type indexType = rewriter.getIndexType();
  TypeRange resultTypes = op.getResultTypes();
  SmallVector<Type> carriedTypes(op.getBeforeBody().getArgumentTypes());

  rewriter.setInsertionPoint(op);
  SmallVector<Value> inits =
      castAll(rewriter, loc, op.getInits(), carriedTypes);
  SmallVector<Type> loopTypes(resultTypes);
  if (maxIterations) {
    inits.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
    loopTypes.push_back(indexType);
  }
  auto whileOp = scf::WhileOp::create(rewriter, loc, loopTypes, inits);

  // before: dyn.condition -> scf.condition, with the counter bound folded in.
  rewriter.inlineRegionBefore(op.getBefore(), whileOp.getBefore(),
                              whileOp.getBefore().end());
  Block &before = whileOp.getBefore().front();
  Value beforeCount;
  if (maxIterations)
    beforeCount = before.addArgument(indexType, loc);
  auto condition = cast<ConditionOp>(before.getTerminator());
  rewriter.setInsertionPoint(condition);
  Value pred = extractScalar(rewriter, loc, condition.getPredicate());
  SmallVector<Value> forwarded =
      castAll(rewriter, loc, condition.getArgs(), resultTypes);
  if (maxIterations) {
    Value bound = arith::ConstantIndexOp::create(rewriter, loc, *maxIterations);
    Value below = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ult, beforeCount, bound);
    pred = arith::AndIOp::create(rewriter, loc, pred, below);
    forwarded.push_back(beforeCount);
  }
  rewriter.replaceOpWithNewOp<scf::ConditionOp>(condition, pred, forwarded);

  // after: arguments take the forwarded (result) types; yield casts back to
  // the loop-carried types and bumps the counter.
  rewriter.inlineRegionBefore(op.getAfter(), whileOp.getAfter(),
                              whileOp.getAfter().end());
  Block &after = whileOp.getAfter().front();
  for (auto [arg, type] : llvm::zip(after.getArguments(), resultTypes))
    retypeArgument(rewriter, arg, type);
  SmallVector<Value> extra;
  if (maxIterations) {
    Value afterCount = after.addArgument(indexType, loc);
    rewriter.setInsertionPoint(after.getTerminator());
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    extra.push_back(arith::AddIOp::create(rewriter, loc, afterCount, one));
  }
  replaceYield(rewriter, after, carriedTypes, extra);

  rewriter.replaceOp(op, whileOp.getResults().take_front(op.getNumResults()));
}

struct DynLowerToSCFPass
    : public dyn::impl::DynLowerToSCFBase<DynLowerToSCFPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    numLowered += lowerDynToSCF(rewriter, getOperation());
  }
};

} // namespace

unsigned mlir::dyn::lowerDynToSCF(RewriterBase &rewriter, Operation *root) {
  // Post-order: inner ops are lowered before the ops whose regions hold them.
  SmallVector<Operation *> ops;
  root->walk<WalkOrder::PostOrder>([&](Operation *op) {
    if (isa<CondOp, SwitchOp, WhileOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    if (auto condOp = dyn_cast<CondOp>(op))
      lowerCond(rewriter, condOp);
    else if (auto switchOp = dyn_cast<SwitchOp>(op))
      lowerSwitch(rewriter, switchOp);
    else
      lowerWhile(rewriter, cast<WhileOp>(op));
  }
  return ops.size();
}

//===- RaiseControlFlow.cpp - scf / tosa control flow to dyn --------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The inverse of dyn-lower-to-scf, for programs that did not come from dyn's
// own frontends. Like that pass it is a direct walk, not a dialect
// conversion: each scf op maps onto one dyn op whose regions are the scf
// op's regions moved, with terminators swapped. It walks from the outside
// in, because whether an op may be raised depends on where it sits (directly
// in a function body or in a dyn region), which raising its parent decides.
//
// TOSA control flow reuses upstream's TosaToSCF patterns (which inline the
// TOSA regions' block arguments) and is then raised like any scf.
//
//===----------------------------------------------------------------------===//

#include "dyn/Conversion/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynOps.h"

#include "mlir/Conversion/TosaToSCF/TosaToSCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#define DEBUG_TYPE "dyn-raise-control-flow"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNRAISECONTROLFLOW
#include "dyn/Conversion/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

bool hasTypeIn(Operation *op, function_ref<bool(Type)> pred) {
  return llvm::any_of(op->getOperandTypes(), pred) ||
         llvm::any_of(op->getResultTypes(), pred) ||
         llvm::any_of(op->getRegions(), [&](Region &region) {
           return llvm::any_of(region.getArguments(), [&](BlockArgument arg) {
             return pred(arg.getType());
           });
         });
}

/// Whether `op` or an op nested in it has a value of a type `pred` accepts.
bool anyNestedType(Operation *op, function_ref<bool(Type)> pred) {
  return op
      ->walk([&](Operation *nested) {
        return hasTypeIn(nested, pred) ? WalkResult::interrupt()
                                       : WalkResult::advance();
      })
      .wasInterrupted();
}

/// The rule of the pass: control flow is raised when it computes on tensors
/// and touches no buffer.
bool shouldRaise(Operation *op) {
  if (!isa<scf::IfOp, scf::IndexSwitchOp, scf::WhileOp, scf::ForOp>(op))
    return false;
  auto isTensor = [](Type type) { return isa<TensorType>(type); };
  auto isBuffer = [](Type type) { return isa<BaseMemRefType>(type); };
  return anyNestedType(op, isTensor) && !anyNestedType(op, isBuffer);
}

/// `value`, or the 0-d tensor it was read from (`tensor.extract %t[]`,
/// possibly followed by `arith.index_cast`) when dyn accepts that tensor
/// type in its place: dyn passes predicates and indices computed by a
/// subnet as 0-d tensors.
Value peelScalarRead(Value value) {
  Value scalar = value;
  if (auto cast = scalar.getDefiningOp<arith::IndexCastOp>())
    scalar = cast.getIn();
  auto extract = scalar.getDefiningOp<tensor::ExtractOp>();
  if (!extract || !extract.getIndices().empty())
    return value;
  Type element = extract.getTensor().getType().getElementType();
  bool accepted = value == scalar
                      ? element.isInteger(1)
                      : element.isInteger(32) || element.isInteger(64);
  return accepted ? extract.getTensor() : value;
}

/// Erases the scalar reads `peelScalarRead` looked through once raising left
/// them unused.
void eraseDeadScalarRead(RewriterBase &rewriter, Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (!isa<tensor::ExtractOp, arith::IndexCastOp>(def) || !def->use_empty())
      return;
    value = def->getOperand(0);
    rewriter.eraseOp(def);
  }
}

/// Replaces the terminator of `block` (an scf.yield) by a dyn.yield of its
/// operands preceded by `leading`.
void replaceTerminatorByYield(RewriterBase &rewriter, Block &block,
                              ValueRange leading = {}) {
  Operation *terminator = block.getTerminator();
  rewriter.setInsertionPoint(terminator);
  SmallVector<Value> values(leading);
  values.append(terminator->operand_begin(), terminator->operand_end());
  rewriter.replaceOpWithNewOp<YieldOp>(terminator, values);
}

/// Moves `from` into the (empty) `to`, or gives `to` a block that yields
/// nothing when `from` is empty (an scf.if without else).
void moveResultRegion(RewriterBase &rewriter, Region &from, Region &to,
                      Location loc) {
  if (from.empty()) {
    Block *block = rewriter.createBlock(&to);
    rewriter.setInsertionPointToEnd(block);
    YieldOp::create(rewriter, loc);
    return;
  }
  rewriter.inlineRegionBefore(from, to, to.end());
  replaceTerminatorByYield(rewriter, to.front());
}

Operation *raiseIf(RewriterBase &rewriter, scf::IfOp op) {
  rewriter.setInsertionPoint(op);
  auto cond = CondOp::create(rewriter, op.getLoc(), op.getResultTypes(),
                             peelScalarRead(op.getCondition()));
  moveResultRegion(rewriter, op.getThenRegion(), cond.getThenRegion(),
                   op.getLoc());
  moveResultRegion(rewriter, op.getElseRegion(), cond.getElseRegion(),
                   op.getLoc());
  Value condition = op.getCondition();
  rewriter.replaceOp(op, cond.getResults());
  eraseDeadScalarRead(rewriter, condition);
  return cond;
}

Operation *raiseSwitch(RewriterBase &rewriter, scf::IndexSwitchOp op) {
  rewriter.setInsertionPoint(op);
  auto switchOp = SwitchOp::create(rewriter, op.getLoc(), op.getResultTypes(),
                                   peelScalarRead(op.getArg()), op.getCases(),
                                   op.getNumCases());
  for (auto [from, to] : llvm::zip(op->getRegions(), switchOp->getRegions()))
    moveResultRegion(rewriter, from, to, op.getLoc());
  Value index = op.getArg();
  rewriter.replaceOp(op, switchOp.getResults());
  eraseDeadScalarRead(rewriter, index);
  return switchOp;
}

Operation *raiseWhile(RewriterBase &rewriter, scf::WhileOp op) {
  rewriter.setInsertionPoint(op);
  auto whileOp = WhileOp::create(rewriter, op.getLoc(), op.getResultTypes(),
                                 op.getInits(), /*max_iterations=*/nullptr);
  rewriter.inlineRegionBefore(op.getBefore(), whileOp.getBefore(),
                              whileOp.getBefore().end());
  rewriter.inlineRegionBefore(op.getAfter(), whileOp.getAfter(),
                              whileOp.getAfter().end());
  auto condition =
      cast<scf::ConditionOp>(whileOp.getBeforeBody().getTerminator());
  rewriter.setInsertionPoint(condition);
  Value predicate = condition.getCondition();
  rewriter.replaceOpWithNewOp<ConditionOp>(condition, peelScalarRead(predicate),
                                           condition.getArgs());
  eraseDeadScalarRead(rewriter, predicate);
  replaceTerminatorByYield(rewriter, whileOp.getAfterBody());
  rewriter.replaceOp(op, whileOp.getResults());
  return whileOp;
}

/// scf.for becomes a dyn.while that carries the induction variable in front
/// of the loop-carried values.
Operation *raiseFor(RewriterBase &rewriter, scf::ForOp op) {
  Location loc = op.getLoc();
  Value iv = op.getInductionVar();
  SmallVector<Value> inits{op.getLowerBound()};
  llvm::append_range(inits, op.getInitArgs());
  SmallVector<Type> types{iv.getType()};
  llvm::append_range(types, op.getResultTypes());
  SmallVector<Location> locs(types.size(), loc);

  IntegerAttr maxIterations;
  if (std::optional<APInt> tripCount = op.getStaticTripCount();
      tripCount && tripCount->getActiveBits() < 64)
    maxIterations = rewriter.getI64IntegerAttr(tripCount->getZExtValue());

  rewriter.setInsertionPoint(op);
  auto whileOp = WhileOp::create(rewriter, loc, types, inits, maxIterations);

  // before: continue while iv < ub.
  Block *before = rewriter.createBlock(&whileOp.getBefore(), {}, types, locs);
  auto predicate = op.getUnsignedCmp() ? arith::CmpIPredicate::ult
                                       : arith::CmpIPredicate::slt;
  Value go = arith::CmpIOp::create(rewriter, loc, predicate,
                                   before->getArgument(0), op.getUpperBound());
  ConditionOp::create(rewriter, loc, go, before->getArguments());

  // after: the body (its block arguments are exactly the forwarded values),
  // then the step.
  Block *after = rewriter.createBlock(&whileOp.getAfter(), {}, types, locs);
  rewriter.mergeBlocks(op.getBody(), after, after->getArguments());
  rewriter.setInsertionPoint(after->getTerminator());
  Value next =
      arith::AddIOp::create(rewriter, loc, after->getArgument(0), op.getStep());
  replaceTerminatorByYield(rewriter, *after, next);

  rewriter.replaceOp(op, whileOp.getResults().drop_front());
  return whileOp;
}

void raiseInRegion(RewriterBase &rewriter, Region &region,
                   RaiseStatistics &stats) {
  for (Block &block : region) {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      // Regions of the input's own dyn ops are dyn regions too.
      if (isa<CondOp, SwitchOp, WhileOp>(op)) {
        for (Region &nested : op.getRegions())
          raiseInRegion(rewriter, nested, stats);
        continue;
      }
      if (!shouldRaise(&op))
        continue;
      Operation *raised = TypeSwitch<Operation *, Operation *>(&op)
                              .Case([&](scf::IfOp ifOp) {
                                ++stats.conds;
                                return raiseIf(rewriter, ifOp);
                              })
                              .Case([&](scf::IndexSwitchOp switchOp) {
                                ++stats.switches;
                                return raiseSwitch(rewriter, switchOp);
                              })
                              .Case([&](scf::WhileOp whileOp) {
                                ++stats.whiles;
                                return raiseWhile(rewriter, whileOp);
                              })
                              .Case([&](scf::ForOp forOp) {
                                ++stats.fors;
                                return raiseFor(rewriter, forOp);
                              });
      // The raised op's regions are dyn regions now: raise inside them.
      for (Region &nested : raised->getRegions())
        raiseInRegion(rewriter, nested, stats);
    }
  }
}

/// A tosa condition as the 0-d tensor<i1> that TosaToSCF reads.
Value asScalarTensor(OpBuilder &builder, Location loc, Value condition) {
  auto type = cast<RankedTensorType>(condition.getType());
  if (type.getRank() == 0)
    return condition;
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  SmallVector<Value> indices(type.getRank(), zero);
  Value scalar = tensor::ExtractOp::create(builder, loc, condition, indices);
  return tensor::FromElementsOp::create(
      builder, loc, RankedTensorType::get({}, type.getElementType()), scalar);
}

struct DynRaiseControlFlowPass
    : public dyn::impl::DynRaiseControlFlowBase<DynRaiseControlFlowPass> {
  void runOnOperation() override {
    if (failed(convertTosaControlFlowToSCF(getOperation())))
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    RaiseStatistics stats = raiseControlFlowToDyn(rewriter, getOperation());
    numConds += stats.conds;
    numSwitches += stats.switches;
    numWhiles += stats.whiles;
    numFors += stats.fors;
  }
};

} // namespace

LogicalResult mlir::dyn::convertTosaControlFlowToSCF(Operation *root) {
  SmallVector<Operation *> tosaOps;
  root->walk([&](Operation *op) {
    if (isa<tosa::IfOp, tosa::WhileOp>(op))
      tosaOps.push_back(op);
  });
  if (tosaOps.empty())
    return success();

  // Conditions to 0-d first (a cond_if's operand, a while_loop's
  // cond_graph yield).
  OpBuilder builder(root->getContext());
  for (Operation *op : tosaOps) {
    if (auto ifOp = dyn_cast<tosa::IfOp>(op)) {
      builder.setInsertionPoint(ifOp);
      ifOp.getConditionMutable().assign(
          asScalarTensor(builder, ifOp.getLoc(), ifOp.getCondition()));
      continue;
    }
    auto whileOp = cast<tosa::WhileOp>(op);
    Operation *yield = whileOp.getCondGraph().front().getTerminator();
    if (yield->getNumOperands() != 1)
      continue; // the verifier's business; TosaToSCF leaves the op alone
    builder.setInsertionPoint(yield);
    yield->setOperand(
        0, asScalarTensor(builder, yield->getLoc(), yield->getOperand(0)));
  }

  RewritePatternSet patterns(root->getContext());
  tosa::populateTosaToSCFConversionPatterns(&patterns);
  ConversionTarget target(*root->getContext());
  target.addIllegalOp<tosa::IfOp, tosa::WhileOp>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  return applyPartialConversion(root, target, std::move(patterns));
}

RaiseStatistics mlir::dyn::raiseControlFlowToDyn(RewriterBase &rewriter,
                                                 Operation *root) {
  RaiseStatistics stats;
  SmallVector<FunctionOpInterface> functions;
  if (auto function = dyn_cast<FunctionOpInterface>(root))
    functions.push_back(function);
  else
    root->walk<WalkOrder::PreOrder>([&](FunctionOpInterface function) {
      functions.push_back(function);
      return WalkResult::skip();
    });
  for (FunctionOpInterface function : functions)
    if (!function.isExternal())
      raiseInRegion(rewriter, function.getFunctionBody(), stats);
  return stats;
}

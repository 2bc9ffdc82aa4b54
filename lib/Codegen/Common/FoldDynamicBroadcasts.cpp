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
// where %target is the max of the operands' dims. Once dims are traced to a
// canonical extent (through destination-style ops, empty tensors, casts and
// guards already folded), a target that is symbolically the operand's own
// dim makes the branch an identity copy.
// Upstream has no pass for this: its canonicalizations do not know that a
// broadcast from extent 1 to the same extent is a no-op.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

#define DEBUG_TYPE "dyn-fold-dynamic-broadcasts"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNFOLDDYNAMICBROADCASTS
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// A symbolic extent: dim `dim` of the tensor `base`, or the index value
/// `base` itself when `dim` is -1. Two dims with the same canonical extent
/// are equal at run time.
using Extent = std::pair<Value, int64_t>;

constexpr unsigned kMaxDepth = 32;

/// Tags the shadow copies of the function's scf.if ops (never left in the
/// function itself).
constexpr llvm::StringLiteral kGuardIdAttr = "dyn.fold_broadcasts.guard";

Extent getIndexExtent(Value index, unsigned depth = 0);

/// The canonical extent of dim `dim` of `tensor`: traced through the ops
/// that keep a dim's extent (destination-style ops: their init; empty
/// tensors: their size operand; casts), without rewriting the IR (rewriting
/// every tensor.dim in terms of the producers makes upstream's value-bounds
/// analysis in bufferization much slower on loops).
Extent getTensorExtent(Value tensor, int64_t dim, unsigned depth = 0) {
  auto result = dyn_cast<OpResult>(tensor);
  if (depth > kMaxDepth || !result)
    return {tensor, dim};
  Operation *op = result.getOwner();
  if (auto empty = dyn_cast<tensor::EmptyOp>(op))
    return empty.getType().isDynamicDim(dim)
               ? getIndexExtent(empty.getDynamicSize(dim), depth + 1)
               : Extent{tensor, dim};
  if (auto cast = dyn_cast<tensor::CastOp>(op))
    return getTensorExtent(cast.getSource(), dim, depth + 1);
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    return getTensorExtent(dps.getTiedOpOperand(result)->get(), dim, depth + 1);
  return {tensor, dim};
}

Extent getIndexExtent(Value index, unsigned depth) {
  if (depth > kMaxDepth)
    return {index, -1};
  if (auto dim = index.getDefiningOp<tensor::DimOp>())
    if (std::optional<int64_t> i = dim.getConstantIndex();
        i && *i >= 0 && *i < dim.getSource().getType().getRank())
      return getTensorExtent(dim.getSource(), *i, depth + 1);
  if (auto max = index.getDefiningOp<arith::MaxUIOp>()) {
    Extent lhs = getIndexExtent(max.getLhs(), depth + 1);
    if (lhs == getIndexExtent(max.getRhs(), depth + 1))
      return lhs;
  }
  return {index, -1};
}

/// True if the index values `a` and `b` are the same symbolic extent.
bool isSameExtent(Value a, Value b) {
  return a == b || getIndexExtent(a) == getIndexExtent(b);
}

/// True if `value` is defined above `op` (so replacing `op` by it is valid).
bool isDefinedOutside(Value value, Operation *op) {
  return !op->isAncestor(value.getParentRegion()->getParentOp());
}

/// If `ifOp` is tosa-to-linalg's broadcast guard for one dim of a tensor
/// and the broadcast target extent is the tensor's own extent in that dim,
/// the tensor (the guard is then an identity). The guard's condition
/// compares that extent with 1; after dims are resolved it is whatever index
/// expression the extent reifies to.
Value matchIdentityBroadcast(scf::IfOp ifOp) {
  if (ifOp.getNumResults() != 1 || ifOp.elseBlock() == nullptr)
    return {};
  auto cmp = ifOp.getCondition().getDefiningOp<arith::CmpIOp>();
  if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::eq ||
      !matchPattern(cmp.getRhs(), m_One()))
    return {};
  Value operand =
      cast<scf::YieldOp>(ifOp.elseBlock()->getTerminator()).getOperand(0);
  if (ifOp.getResult(0).getType() != operand.getType() ||
      !isDefinedOutside(operand, ifOp))
    return {};

  // The then-branch: an identity-bodied generic reading `operand` with a
  // constant 0 in exactly one position, writing a tensor.empty.
  Value yielded =
      cast<scf::YieldOp>(ifOp.thenBlock()->getTerminator()).getOperand(0);
  if (auto cast = yielded.getDefiningOp<tensor::CastOp>())
    yielded = cast.getSource();
  auto generic = yielded.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getDpsInputs()[0] != operand || generic.getNumResults() != 1)
    return {};
  auto bodyYield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  if (bodyYield.getOperand(0) != generic.getBody()->getArgument(0))
    return {};
  std::optional<int64_t> index;
  for (auto [pos, expr] :
       llvm::enumerate(generic.getIndexingMapsArray()[0].getResults())) {
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant)
      continue;
    if (index || constant.getValue() != 0)
      return {};
    index = pos;
  }
  auto empty = generic.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
  if (!index || !empty || !empty.getType().isDynamicDim(*index))
    return {};
  if (!isSameExtent(empty.getDynamicSize(*index), cmp.getLhs()))
    return {};
  return operand;
}

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
    patterns.add<FoldMaxOfSameExtent>(ctx);
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    tensor::DimOp::getCanonicalizationPatterns(patterns, ctx);
    FrozenRewritePatternSet frozen(std::move(patterns));

    // The analysis runs on a detached shadow copy of the function: there
    // every tensor.dim is rewritten in terms of the producers' operands and
    // value-numbered (CSE), so equal extents become one SSA value. The
    // function itself only loses the guards found foldable; rewriting its
    // dims would make upstream's value-bounds analysis (in bufferization)
    // much slower on loops. Folding a guard exposes the next op's extents,
    // hence rounds.
    func::FuncOp func = getOperation();
    IRRewriter rewriter(ctx);
    for (int round = 0; round < 8; ++round) {
      // Each guard's copy is tagged with the guard's position instead of
      // being looked up through the clone mapping afterwards: the rewriter
      // and CSE erase and create ops in the shadow, so a mapped pointer may
      // dangle or, with the memory reused, name a different op.
      SmallVector<scf::IfOp> guards;
      func.walk([&](scf::IfOp guard) { guards.push_back(guard); });
      if (guards.empty())
        break;
      IRMapping mapping;
      auto shadow = func::FuncOp::create(rewriter, func.getLoc(), "shadow",
                                         func.getFunctionType());
      shadow->remove(); // detached: nothing outside the function changes
      func.getBody().cloneInto(&shadow.getBody(), mapping);
      for (auto [id, guard] : llvm::enumerate(guards))
        mapping.lookup(guard.getOperation())
            ->setAttr(kGuardIdAttr, rewriter.getIndexAttr(id));
      (void)applyPatternsGreedily(shadow, frozen);
      DominanceInfo dominance(shadow);
      eliminateCommonSubExpressions(rewriter, dominance, shadow);

      llvm::SetVector<Operation *> foldable;
      shadow.walk([&](scf::IfOp copy) {
        auto id = copy->getAttrOfType<IntegerAttr>(kGuardIdAttr);
        if (!id || id.getInt() < 0 ||
            static_cast<uint64_t>(id.getInt()) >= guards.size())
          return;
        if (matchIdentityBroadcast(copy))
          foldable.insert(guards[id.getInt()]);
      });
      shadow.erase();
      if (foldable.empty())
        break;
      for (Operation *op : foldable) {
        // A guard nested in another folded one goes with it.
        bool nestedInFolded = false;
        for (Operation *p = op->getParentOp(); p && !nestedInFolded;
             p = p->getParentOp())
          nestedInFolded = foldable.contains(p);
        if (nestedInFolded)
          continue;
        auto guard = cast<scf::IfOp>(op);
        Value operand = cast<scf::YieldOp>(guard.elseBlock()->getTerminator())
                            .getOperand(0);
        if (!isDefinedOutside(operand, guard))
          continue;
        rewriter.replaceOp(guard, operand);
        ++numFolded;
      }
    }
    // Local cleanups on the function itself (max(d, d) = d).
    RewritePatternSet local(ctx);
    local.add<FoldMaxOfSameExtent>(ctx);
    (void)applyPatternsGreedily(func, std::move(local));
  }
};

} // namespace

//===- EpilogueFusion.cpp - elementwise epilogues fused into anchors ------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's tile-and-fuse (tileConsumerAndFuseProducersUsingSCF) does the
// fusion; what is dyn's is which ops form a group: the epilogue is tiled and
// its anchors and their init producers are fused as producers, through a
// control function that admits nothing else (a residual operand produced by
// another group is read, not recomputed per tile).
//
//===----------------------------------------------------------------------===//

#include "EpilogueFusion.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::dyn;

/// Whether `op` is a one-to-one op that may fuse into a tile: a linalg op on
/// tensors with only parallel loops and no mask (i1) operand (an i1 tensor
/// in memory is bit-packed by the vectorizer's transfers; such ops stay
/// apart, as dyn-tile-and-vectorize leaves them scalar).
static bool isOneToOne(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumParallelLoops() != linalgOp.getNumLoops())
    return false;
  return llvm::none_of(op->getOperands(), [](Value v) {
    auto shaped = dyn_cast<ShapedType>(v.getType());
    return shaped && shaped.getElementType().isInteger(1);
  });
}

/// Whether `value`'s only use is as the init of an anchor.
static bool isAnchorInit(Value value, IsAnchorFn isAnchor) {
  if (!value.hasOneUse())
    return false;
  OpOperand &use = *value.getUses().begin();
  auto anchor = dyn_cast<linalg::LinalgOp>(use.getOwner());
  return anchor && isAnchor(anchor) && anchor.isDpsInit(&use);
}

void mlir::dyn::expandReshapesAroundAnchors(func::FuncOp func,
                                            IsAnchorFn isAnchor) {
  auto control = [&](OpOperand *fused) {
    Operation *owner = fused->getOwner();
    // An elementwise op reading a collapsed anchor result.
    if (auto collapse = fused->get().getDefiningOp<tensor::CollapseShapeOp>())
      return isa<linalg::GenericOp>(owner) && isOneToOne(owner) &&
             collapse->hasOneUse() &&
             isAnchor(collapse.getSrc().getDefiningOp());
    // The expanded result of a one-to-one op, an anchor's init.
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(owner))
      return isOneToOne(fused->get().getDefiningOp()) &&
             fused->get().hasOneUse() &&
             isAnchorInit(expand.getResult(), isAnchor);
    return false;
  };
  RewritePatternSet patterns(func.getContext());
  linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
  tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns,
                                                     func.getContext());
  tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns,
                                                       func.getContext());
  (void)applyPatternsGreedily(func, std::move(patterns));
}

SmallVector<EpilogueGroup> mlir::dyn::findEpilogueGroups(func::FuncOp func,
                                                         IsAnchorFn isAnchor) {
  SmallVector<EpilogueGroup> groups;
  for (auto epilogue : func.getBody().getOps<linalg::GenericOp>()) {
    if (!isOneToOne(epilogue) || epilogue.getNumDpsInits() != 1 ||
        epilogue->getNumResults() != 1 ||
        !epilogue.getMatchingIndexingMap(epilogue.getDpsInitOperand(0))
             .isIdentity())
      continue;
    EpilogueGroup group;
    group.epilogue = epilogue;
    Type resultType = epilogue->getResult(0).getType();
    for (OpOperand *input : epilogue.getDpsInputOperands()) {
      auto anchor = input->get().getDefiningOp<linalg::LinalgOp>();
      if (!anchor || !isAnchor(anchor) || anchor->getNumResults() != 1 ||
          !input->get().hasOneUse() || input->get().getType() != resultType ||
          !epilogue.getMatchingIndexingMap(input).isIdentity() ||
          anchor->getBlock() != epilogue->getBlock())
        continue;
      group.anchors.push_back(anchor);
      group.fusable.insert(anchor);
      Operation *init = anchor.getDpsInits()[0].getDefiningOp();
      if (isOneToOne(init) && init->hasOneUse())
        group.fusable.insert(init);
    }
    if (!group.anchors.empty())
      groups.push_back(std::move(group));
  }
  return groups;
}

/// A fused init producer writes a slice of a tensor.empty, which CSE may
/// have made the same value as the group's result buffer (every op of the
/// group was created with the same empty destination): bufferization then
/// saw the tile written into the result's buffer while the result is being
/// produced, and copied tiles. Upstream's folding of slices of empties
/// gives the producer an empty of its own, of the tile's shape: a
/// tile-sized scratch buffer (on the stack, see
/// dyn-promote-scratch-to-stack), written and read in registers.
static void detachInitFromEmpty(linalg::LinalgOp op) {
  SmallVector<Operation *> slices;
  for (Value init : op.getDpsInits()) {
    SmallVector<Operation *> chain;
    Value source = init;
    while (auto slice = source.getDefiningOp<tensor::ExtractSliceOp>()) {
      chain.push_back(slice);
      source = slice.getSource();
    }
    if (source.getDefiningOp<tensor::EmptyOp>())
      slices.append(chain.rbegin(), chain.rend());
  }
  if (slices.empty())
    return;
  RewritePatternSet patterns(op.getContext());
  tensor::populateFoldTensorEmptyPatterns(patterns);
  (void)applyOpPatternsGreedily(slices, std::move(patterns));
}

FailureOr<SmallVector<LoopLikeOpInterface>> mlir::dyn::tileAndFuseEpilogueGroup(
    RewriterBase &rewriter, EpilogueGroup &group, ArrayRef<int64_t> tileSizes,
    scf::SCFTilingOptions::LoopType loopType, IsAnchorFn isAnchor) {
  scf::SCFTilingOptions tiling;
  tiling.setLoopType(loopType);
  tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tileSizes));
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  const llvm::SetVector<Operation *> &fusable = group.fusable;
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (fusable.contains(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(group.epilogue);
  auto epilogue = cast<TilingInterface>(group.epilogue.getOperation());
  FailureOr<scf::SCFTileAndFuseResult> fused =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, epilogue, options);
  if (failed(fused))
    return failure();
  SmallVector<Value> replacements;
  for (Value result : group.epilogue->getResults())
    replacements.push_back(fused->replacements.lookup(result));
  rewriter.replaceOp(group.epilogue, replacements);
  // The anchors, then their inits: each was used only by the next.
  SmallVector<Operation *> inits = llvm::to_vector(llvm::make_filter_range(
      fusable, [&](Operation *op) { return !isAnchor(op); }));
  for (linalg::LinalgOp anchor : group.anchors)
    if (anchor->use_empty())
      rewriter.eraseOp(anchor);
  for (Operation *init : inits)
    if (init->use_empty())
      rewriter.eraseOp(init);

  EpilogueGroup tiled;
  tiled.epilogue = cast<linalg::GenericOp>(fused->tiledAndFusedOps.front());
  for (Operation *op : llvm::drop_begin(fused->tiledAndFusedOps)) {
    tiled.fusable.insert(op);
    if (isAnchor(op))
      tiled.anchors.push_back(cast<linalg::LinalgOp>(op));
    else
      detachInitFromEmpty(cast<linalg::LinalgOp>(op));
  }
  group = std::move(tiled);
  return fused->loops;
}

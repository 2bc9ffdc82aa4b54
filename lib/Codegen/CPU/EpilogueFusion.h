//===- EpilogueFusion.h - elementwise epilogues fused into anchors -*- C++ -*-//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The mechanism of dyn-tile-and-vectorize's epilogue fusion (DNNFusion's
// mapping types): a many-to-many op (a convolution) is the anchor of a
// group, the one-to-one ops around it fuse into its tiles: the elementwise
// op that reads its result (bias, batch norm, residual add, activation:
// linalg elementwise fusion has made them one generic) and the op that
// fills its accumulator (a broadcast bias). The pass decides the tile sizes.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_LIB_CODEGEN_CPU_EPILOGUEFUSION_H
#define DYN_LIB_CODEGEN_CPU_EPILOGUEFUSION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::dyn {

/// An elementwise epilogue, the anchors whose results it reads at the same
/// points (identity maps, one use each), and the ops that may fuse into its
/// tiles: the anchors and the producers of their accumulators' inits.
struct EpilogueGroup {
  linalg::GenericOp epilogue;
  SmallVector<linalg::LinalgOp> anchors;
  llvm::SetVector<Operation *> fusable;
};

/// Whether `op` may anchor an epilogue group.
using IsAnchorFn = function_ref<bool(Operation *op)>;

/// Moves the reshapes that unit-dim folding leaves between an anchor and
/// its epilogue (a collapse_shape of the anchor's result, an expand_shape
/// of its init's producer) out of the way, by expanding the elementwise
/// ops to the anchor's rank (upstream's fold-reshape-by-expansion patterns,
/// applied only there).
void expandReshapesAroundAnchors(func::FuncOp func, IsAnchorFn isAnchor);

/// The epilogue groups of the ops directly in `func`'s body.
SmallVector<EpilogueGroup> findEpilogueGroups(func::FuncOp func,
                                              IsAnchorFn isAnchor);

/// Tiles the group's epilogue with `tileSizes` (loops of `loopType`) and
/// fuses the group's ops into the tiles; the originals are erased. The
/// group then describes the tiles: the tiled epilogue, anchors and inits.
FailureOr<SmallVector<LoopLikeOpInterface>> tileAndFuseEpilogueGroup(
    RewriterBase &rewriter, EpilogueGroup &group, ArrayRef<int64_t> tileSizes,
    scf::SCFTilingOptions::LoopType loopType, IsAnchorFn isAnchor);

} // namespace mlir::dyn

#endif // DYN_LIB_CODEGEN_CPU_EPILOGUEFUSION_H

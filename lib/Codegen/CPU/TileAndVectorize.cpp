//===- TileAndVectorize.cpp - tile linalg ops and vectorize the tiles -----===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream provides the mechanisms (TilingInterface tiling, masked linalg
// vectorization); the transform dialect could drive them, but tile sizes here
// depend on each op's iteration space (static extents, contraction dims), so
// the policy is a few lines of C++ rather than a per-op transform script.
//
//===----------------------------------------------------------------------===//

#include "EpilogueFusion.h"
#include "dyn/Codegen/CPU/Passes.h"
#include "dyn/Codegen/Common/ConstantTranspose.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "dyn-tile-and-vectorize"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNTILEANDVECTORIZE
#include "dyn/Codegen/CPU/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// Tile sizes (0 = not tiled) and the static vector sizes of one tile.
struct TileConfig {
  SmallVector<int64_t> tileSizes;
  SmallVector<int64_t> vectorSizes;
  /// The op's dims in the order of the tile loops, outermost first (empty:
  /// the op's order).
  SmallVector<int64_t> loopOrder;
};

struct DynTileAndVectorizePass
    : public dyn::impl::DynTileAndVectorizeBase<DynTileAndVectorizePass> {
  using Base::Base;

  /// The packs of B that packBlockOfB made, to tile and vectorize after the
  /// ops the pass started with.
  SmallVector<linalg::TransposeOp> packedTransposes;

  int64_t getMatmulTileN() const {
    return matmulTileN > 0 ? matmulTileN : vectorSize;
  }
  int64_t getConvTileF() const {
    return convTileF > 0 ? convTileF : vectorSize;
  }
  /// Input channels of a convolution tile: conv-tile-c, else the most (a
  /// power of two up to vector-size) whose filter vectors, one per input
  /// channel and vector of filters at each step (one kernel tap), fit in
  /// the registers left by the accumulators (conv-tile-w x the vectors of
  /// conv-tile-f), one broadcast of the input and one spare.
  int64_t getConvTileC() const {
    if (convTileC > 0)
      return convTileC;
    int64_t filterVectors = llvm::divideCeil(getConvTileF(), vectorSize);
    int64_t free = vectorRegisters - convTileW * filterVectors - 2;
    int64_t channels = llvm::PowerOf2Ceil(std::max<int64_t>(vectorSize, 1));
    while (channels > 1 && channels * filterVectors > free)
      channels /= 2;
    return channels;
  }

  /// The dims of a contraction with one M, one N and one K dim (batch dims
  /// aside), or none.
  static std::optional<linalg::ContractionDimensions>
  getPlainContractionDims(linalg::LinalgOp op) {
    if (!linalg::isaContractionOpInterface(op))
      return std::nullopt;
    FailureOr<linalg::ContractionDimensions> dims =
        linalg::inferContractionDims(op);
    if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
        dims->k.size() != 1)
      return std::nullopt;
    return *dims;
  }

  /// The tile wanted along each loop of `op`, before looking at extents.
  SmallVector<int64_t> getPreferredTiles(linalg::LinalgOp op) {
    unsigned numLoops = op.getNumLoops();
    SmallVector<int64_t> tiles(numLoops, 1);
    if (numLoops == 0)
      return tiles;
    if (isa<linalg::Conv2DNhwcHwcfOp>(op)) {
      // (n, oh, ow, f, kh, kw, c): unit oh and kh make each tile a 1-D
      // convolution that the vectorizer handles; one kernel tap (unit kw)
      // per step keeps its filter vectors in registers (getConvTileC).
      return {1, 1, convTileW, getConvTileF(), 1, 1, getConvTileC()};
    }
    if (std::optional<linalg::ContractionDimensions> dims =
            getPlainContractionDims(op)) {
      tiles[dims->m.front()] = matmulTileM;
      tiles[dims->n.front()] = getMatmulTileN();
      tiles[dims->k.front()] = matmulTileK;
      return tiles;
    }
    tiles.back() = vectorSize;
    return tiles;
  }

  /// Dims whose static extent fits in the tile stay whole; every other dim
  /// (dynamic ones included) is tiled, so each tile has static vector sizes.
  TileConfig getTileConfig(linalg::LinalgOp op) {
    return fitTiles(op, getPreferredTiles(op));
  }

  /// The tile sizes `op` is tiled with; a 2-D convolution's output columns
  /// by a tile that divides them where one is close (preferDividingTile).
  SmallVector<int64_t> getTileSizes(linalg::LinalgOp op) {
    SmallVector<int64_t> tileSizes = getTileConfig(op).tileSizes;
    if (isa<linalg::Conv2DNhwcHwcfOp>(op))
      preferDividingTile(op, tileSizes, /*dim=*/2);
    return tileSizes;
  }

  static TileConfig fitTiles(linalg::LinalgOp op, ArrayRef<int64_t> preferred) {
    TileConfig config;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    for (auto [extent, preferredTile] : llvm::zip(ranges, preferred)) {
      int64_t tile = preferredTile;
      if (!ShapedType::isDynamic(extent) && extent <= tile) {
        config.tileSizes.push_back(0);
        config.vectorSizes.push_back(extent);
      } else {
        config.tileSizes.push_back(tile);
        config.vectorSizes.push_back(tile);
      }
    }
    return config;
  }

  /// Tiles `op` with `tileSizes` (scf.for loops); returns the innermost
  /// tiled op.
  FailureOr<Operation *> tile(RewriterBase &rewriter, linalg::LinalgOp op,
                              ArrayRef<int64_t> tileSizes) {
    FailureOr<scf::SCFTilingResult> tiled = tileLoops(rewriter, op, tileSizes);
    if (failed(tiled))
      return failure();
    return tiled->tiledOps.back();
  }

  /// The same, with the loops (one per tiled dim, outermost first).
  FailureOr<scf::SCFTilingResult> tileLoops(RewriterBase &rewriter,
                                            linalg::LinalgOp op,
                                            ArrayRef<int64_t> tileSizes,
                                            ArrayRef<int64_t> loopOrder = {}) {
    scf::SCFTilingOptions options;
    options.setTileSizes(
        getAsIndexOpFoldResult(rewriter.getContext(), tileSizes));
    if (!loopOrder.empty())
      options.setInterchange(loopOrder);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return failure();
    rewriter.replaceOp(op, tiled->replacements);
    return tiled;
  }

  /// Splits `op` into the tasks of an scf.forall along one parallel dim:
  /// the batch, N and then M dims of a contraction (a task of N columns
  /// packs only its own columns of B), the parallel dims outermost first
  /// otherwise. Along a static dim, a task is a multiple of the dim's tile
  /// that divides the extent, the smallest that makes at most parallelTasks
  /// of them: the tasks' tiles stay whole and static. Dynamic dims are not
  /// split, and only static extents count as work: splitting a run-time
  /// sequence into tasks made the zoo transformer's softmax scalar and its
  /// one-thread time 10% slower, for no gain on two. Returns the op of one
  /// task, or `op` where it stays whole (too little work, in a loop
  /// already, no such dim).
  linalg::LinalgOp distribute(RewriterBase &rewriter, linalg::LinalgOp op) {
    if (std::optional<std::pair<unsigned, int64_t>> split = getTaskSplit(op))
      return splitIntoTasks(rewriter, op, split->first, split->second);
    return op;
  }

  /// The dim along which distribute splits `op`, and the iterations of a
  /// task; none where it stays whole.
  std::optional<std::pair<unsigned, int64_t>>
  getTaskSplit(linalg::LinalgOp op) {
    if (parallelTasks < 2 || !isa<func::FuncOp>(op->getParentOp()) ||
        op->getNumResults() == 0)
      return std::nullopt;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t staticWork = 1;
    for (int64_t extent : ranges)
      if (!ShapedType::isDynamic(extent))
        staticWork = std::min<int64_t>(
            staticWork * std::max<int64_t>(extent, 1), int64_t(1) << 40);
    if (staticWork < parallelMinWork)
      return std::nullopt;
    SmallVector<int64_t> tiles = getTileSizes(op);
    SmallVector<unsigned> candidates;
    if (std::optional<linalg::ContractionDimensions> dims =
            getPlainContractionDims(op)) {
      llvm::append_range(candidates, dims->batch);
      candidates.push_back(dims->n.front());
      candidates.push_back(dims->m.front());
    } else {
      candidates = llvm::to_vector(llvm::seq<unsigned>(0, ranges.size()));
    }
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    for (unsigned dim : candidates) {
      int64_t extent = ranges[dim], step = tiles[dim];
      if (iterators[dim] != utils::IteratorType::parallel || step <= 0 ||
          ShapedType::isDynamic(extent))
        continue;
      for (int64_t task = step; task < extent; task += step)
        if (extent % task == 0 && extent / task <= parallelTasks)
          return std::make_pair(dim, task);
    }
    return std::nullopt;
  }

  /// The forall of distribute: tasks of `task` iterations along `dim`.
  linalg::LinalgOp splitIntoTasks(RewriterBase &rewriter, linalg::LinalgOp op,
                                  unsigned dim, int64_t task) {
    SmallVector<int64_t> sizes(op.getNumLoops(), 0);
    sizes[dim] = task;
    scf::SCFTilingOptions options;
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return op;
    rewriter.replaceOp(op, tiled->replacements);
    ++numParallel;
    return cast<linalg::LinalgOp>(tiled->tiledOps.back());
  }

  /// A tile for a static `extent` that divides it, the largest between
  /// half of `tile` and `tile` (28 or 14 columns in 7s, not 8 + a partial
  /// 4 or 6): a partial tile costs a peeled copy of the tile's code.
  static void preferDividingTile(linalg::LinalgOp op,
                                 SmallVectorImpl<int64_t> &tileSizes,
                                 unsigned dim) {
    int64_t extent = op.getStaticLoopRanges()[dim];
    int64_t &tile = tileSizes[dim];
    if (tile == 0 || ShapedType::isDynamic(extent) || extent % tile == 0)
      return;
    for (int64_t candidate = tile - 1; 2 * candidate >= tile; --candidate)
      if (extent % candidate == 0) {
        tile = candidate;
        return;
      }
  }

  /// Convolution tiles are vectorized only with static shapes (upstream's
  /// 1-D convolution vectorizer has no masking): where the output columns
  /// (loop `dim`) do not divide by their tile, the last, partial tile is
  /// peeled off into its own iteration, whose extent is then a constant
  /// (SqueezeNet's 29- and 14-wide maps left 5 and 6 columns of each row
  /// to scalar code, which took most of the model's time).
  static void peelPartialTile(RewriterBase &rewriter,
                              const scf::SCFTilingResult &tiled,
                              ArrayRef<int64_t> tileSizes, unsigned dim) {
    if (dim >= tileSizes.size() || tileSizes[dim] == 0)
      return;
    auto position = llvm::count_if(tileSizes.take_front(dim),
                                   [](int64_t t) { return t != 0; });
    if (static_cast<size_t>(position) >= tiled.loops.size())
      return;
    auto loop = dyn_cast<scf::ForOp>(*tiled.loops[position]);
    if (!loop)
      return;
    scf::ForOp partial;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
  }

  /// The filter of a grouped convolution, (g, f, kh, kw, c), as
  /// (g, kh, kw, c, f): folded when it is a constant (weights always are),
  /// else a linalg.transpose, which is tiled and vectorized like any op.
  static Value transposeGroupedFilter(RewriterBase &rewriter, Location loc,
                                      Value filter) {
    static constexpr int64_t kPerm[] = {0, 2, 3, 4, 1};
    auto type = cast<RankedTensorType>(filter.getType());
    DenseElementsAttr dense;
    if (matchPattern(filter, m_Constant(&dense)))
      if (DenseElementsAttr transposed = dyn::transposeConstant(dense, kPerm))
        return arith::ConstantOp::create(rewriter, loc, transposed);
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, filter);
    SmallVector<OpFoldResult> transposedSizes;
    for (int64_t d : kPerm)
      transposedSizes.push_back(sizes[d]);
    Value init = tensor::EmptyOp::create(rewriter, loc, transposedSizes,
                                         type.getElementType());
    return linalg::TransposeOp::create(rewriter, loc, filter, init, kPerm)
        ->getResult(0);
  }

  /// Grouped convolutions (`linalg.conv_2d_nhwgc_gfhwc`: ResNeXt, RegNet).
  /// Upstream decomposes only ungrouped and depthwise 2-D convolutions into
  /// the 1-D ones the vectorizer handles, and with its filter layout
  /// (g, f, kh, kw, c) no 1-D named convolution is left once g and kh are
  /// unit. So the filter is transposed to (g, kh, kw, c, f) (at compile time
  /// for constants), the convolution becomes a linalg.generic over it, is
  /// tiled like the ungrouped ones plus g by 1 (one loop over the groups:
  /// one body, however many groups), and each tile is rank-reduced to a
  /// `linalg.conv_1d_nwc_wcf`. Returns whether any was rewritten; filter
  /// transposes left at run time are appended to `targets`.
  bool
  decomposeGroupedConvolutions(RewriterBase &rewriter,
                               SmallVectorImpl<linalg::LinalgOp> &targets) {
    SmallVector<linalg::Conv2DNhwgcGfhwcOp> grouped;
    getOperation().walk([&](linalg::Conv2DNhwgcGfhwcOp op) {
      if (op.hasPureTensorSemantics())
        grouped.push_back(op);
    });
    bool any = false;
    for (linalg::Conv2DNhwgcGfhwcOp conv : grouped) {
      Location loc = conv.getLoc();
      int64_t strideW = conv.getStrides().getValues<int64_t>()[1];
      int64_t dilationW = conv.getDilations().getValues<int64_t>()[1];
      rewriter.setInsertionPoint(conv);
      Value filter =
          transposeGroupedFilter(rewriter, loc, conv.getDpsInputs()[1]);
      if (auto transpose = filter.getDefiningOp<linalg::TransposeOp>())
        targets.push_back(transpose);
      FailureOr<linalg::GenericOp> generic =
          linalg::generalizeNamedOp(rewriter, conv);
      if (failed(generic))
        continue;
      // Loops (n, oh, ow, g, f, kh, kw, c); the filter is now read at
      // (g, kh, kw, c, f).
      MLIRContext *ctx = rewriter.getContext();
      SmallVector<AffineMap> maps = generic->getIndexingMapsArray();
      AffineExpr g = getAffineDimExpr(3, ctx), f = getAffineDimExpr(4, ctx),
                 kh = getAffineDimExpr(5, ctx), kw = getAffineDimExpr(6, ctx),
                 c = getAffineDimExpr(7, ctx);
      maps[1] = AffineMap::get(8, 0, {g, kh, kw, c, f}, ctx);
      rewriter.modifyOpInPlace(*generic, [&] {
        generic->setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
        generic->getInputsMutable()[1].assign(filter);
      });
      TileConfig config = fitTiles(
          *generic, {1, 1, convTileW, 1, getConvTileF(), 1, 1, getConvTileC()});
      preferDividingTile(*generic, config.tileSizes, /*dim=*/2);
      FailureOr<scf::SCFTilingResult> tiled =
          tileLoops(rewriter, *generic, config.tileSizes);
      if (failed(tiled))
        continue;
      if (failed(rankReduceGroupedTile(
              rewriter, cast<linalg::GenericOp>(tiled->tiledOps.back()),
              strideW, dilationW)))
        continue;
      // (after the rank reduction, so the peeled copy is a 1-D one too)
      peelPartialTile(rewriter, *tiled, config.tileSizes, /*dim=*/2);
      any = true;
    }
    return any;
  }

  /// A tile of the grouped generic with unit oh, g and kh as a 1-D
  /// convolution: input (n, 1, w, 1, c) -> (n, w, c), filter
  /// (1, 1, kw, c, f) -> (kw, c, f), output (n, 1, ow, 1, f) -> (n, ow, f).
  static LogicalResult rankReduceGroupedTile(RewriterBase &rewriter,
                                             linalg::GenericOp tileOp,
                                             int64_t strideW,
                                             int64_t dilationW) {
    auto dropped =
        [](Value v, ArrayRef<int64_t> unitDims) -> FailureOr<RankedTensorType> {
      auto type = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape;
      for (auto [d, size] : llvm::enumerate(type.getShape())) {
        if (!llvm::is_contained(unitDims, static_cast<int64_t>(d))) {
          shape.push_back(size);
          continue;
        }
        if (size != 1)
          return failure();
      }
      return type.clone(shape);
    };
    Value input = tileOp.getDpsInputs()[0], filter = tileOp.getDpsInputs()[1];
    Value output = tileOp.getDpsInits()[0];
    FailureOr<RankedTensorType> inputType = dropped(input, {1, 3});
    FailureOr<RankedTensorType> filterType = dropped(filter, {0, 1});
    FailureOr<RankedTensorType> outputType = dropped(output, {1, 3});
    if (failed(inputType) || failed(filterType) || failed(outputType))
      return failure();
    Location loc = tileOp.getLoc();
    rewriter.setInsertionPoint(tileOp);
    Value in = tensor::createCanonicalRankReducingExtractSliceOp(
        rewriter, loc, input, *inputType);
    Value filt = tensor::createCanonicalRankReducingExtractSliceOp(
        rewriter, loc, filter, *filterType);
    Value out = tensor::createCanonicalRankReducingExtractSliceOp(
        rewriter, loc, output, *outputType);
    auto conv = linalg::Conv1DNwcWcfOp::create(
        rewriter, loc, *outputType, ValueRange{in, filt}, ValueRange{out},
        rewriter.getI64TensorAttr({strideW}),
        rewriter.getI64TensorAttr({dilationW}));
    Value result = tensor::createCanonicalRankReducingInsertSliceOp(
        rewriter, loc, conv.getResult(0), output);
    rewriter.replaceOp(tileOp, result);
    return success();
  }

  /// Rewrites unit-window 2-D convolution tiles as 1-D convolutions and
  /// vectorizes those with static shapes (partial tiles stay scalar).
  void vectorizeConvolutions(RewriterBase &rewriter) {
    // Canonicalization makes peeled tiles static (their sizes fold to
    // constants, slices and ops take static types).
    RewritePatternSet patterns(&getContext());
    linalg::populateDecomposeConvolutionPatterns(patterns);
    addCanonicalizationPatterns(patterns);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
    SmallVector<linalg::LinalgOp> convs;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Conv1DNwcWcfOp>(op) && op.hasPureTensorSemantics())
        convs.push_back(op);
    });
    for (linalg::LinalgOp conv : convs) {
      if (failed(linalg::vectorizeOpPrecondition(conv))) {
        ++numScalar;
        continue;
      }
      rewriter.setInsertionPoint(conv);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, conv);
      if (failed(vectorized)) {
        ++numScalar;
        continue;
      }
      rewriter.replaceOp(conv, vectorized->replacements);
      ++numVectorized;
    }
  }

  /// Whether `op` reads or writes a tensor of i1 (a mask in memory). Its
  /// transfers would become loads and stores of LLVM `<N x i1>` vectors,
  /// which are bit-packed in memory, while a mask written element by
  /// element (a partial tile, a vector<1xi1>) holds one byte per element:
  /// an op reading the other's mask would see the wrong bits. Such ops stay
  /// scalar; masks computed and consumed inside one op stay in registers.
  static bool accessesBoolMemory(linalg::LinalgOp op) {
    return llvm::any_of(op->getOperands(), [](Value v) {
      auto shaped = dyn_cast<ShapedType>(v.getType());
      return shaped && shaped.getElementType().isInteger(1);
    });
  }

  /// The attribute that marks a tile (and its peeled copies) for
  /// vectorization after canonicalization, holding its vector sizes.
  static constexpr StringLiteral kVectorSizesAttr = "dyn.tile_vector_sizes";

  /// Blocks a contraction whose N or K exceeds the cache-level block and is
  /// a multiple of it: loops over (N, K) blocks around the op, so that the
  /// block of B (cache-tile-k rows, cache-tile-n columns) stays in L2 while
  /// the register tiles sweep every row of A over it, and each register
  /// tile's strip of B (cache-tile-k rows of two vectors) in L1. Without it
  /// a 1024^3 matmul streamed all of B from memory for every six rows of A
  /// (B's rows 4 KiB apart also alias in the caches' sets). Dims the block
  /// does not divide are left whole (a partial block would make the
  /// register tiles' extents dynamic). Returns the op to tile further.
  linalg::LinalgOp blockForCache(RewriterBase &rewriter, linalg::LinalgOp op) {
    std::optional<linalg::ContractionDimensions> dims =
        getPlainContractionDims(op);
    if (!dims)
      return op;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<int64_t> blocks(ranges.size(), 0);
    auto block = [&](unsigned dim, int64_t size) {
      int64_t extent = ranges[dim];
      if (size > 0 && !ShapedType::isDynamic(extent) && extent > size &&
          extent % size == 0)
        blocks[dim] = size;
    };
    block(dims->n.front(), matmulCacheTileN);
    block(dims->k.front(), matmulCacheTileK);
    if (llvm::all_of(blocks, [](int64_t b) { return b == 0; }))
      return op;
    FailureOr<Operation *> blocked = tile(rewriter, op, blocks);
    if (failed(blocked))
      return op;
    ++numCacheBlocked;
    return cast<linalg::LinalgOp>(*blocked);
  }

  /// Packs the B operand of a plain matmul (a cache block of it, after
  /// blockForCache) into column strips, (N / tile-n, K, tile-n): each
  /// register tile then reads its strip of B as one contiguous run instead
  /// of K rows a whole row of B apart. Done when the strips are whole
  /// (N divides by tile-n, K by tile-k) and A has enough rows (static, at
  /// least 8 register tiles) for the copy, K x N per block, to pay off
  /// against the block's M x N x K multiply-adds. The pack is an
  /// expand_shape and a linalg.transpose, vectorized like any other op.
  /// Returns the packed B, or null.
  Value packBlockOfB(RewriterBase &rewriter, linalg::LinalgOp op,
                     ArrayRef<int64_t> tileSizes) {
    auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
    if (!matmul || matmul.hasUserDefinedMaps() ||
        !matmul.hasPureTensorSemantics() || tileSizes.size() != 3)
      return {};
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t m = ranges[0], n = ranges[1], k = ranges[2];
    int64_t tileN = tileSizes[1], tileK = tileSizes[2];
    if (llvm::any_of(ranges, ShapedType::isDynamic) || tileN == 0 ||
        tileK == 0 || n % tileN != 0 || k % tileK != 0 || m < 8 * matmulTileM)
      return {};
    Location loc = op.getLoc();
    Value b = op.getDpsInputs()[1];
    auto type = cast<RankedTensorType>(b.getType());
    rewriter.setInsertionPoint(op);
    // (K, N) -> (K, N / tile-n, tile-n) -> (N / tile-n, K, tile-n)
    auto expandedType =
        RankedTensorType::get({k, n / tileN, tileN}, type.getElementType());
    SmallVector<ReassociationIndices> reassociation = {{0}, {1, 2}};
    Value expanded = tensor::ExpandShapeOp::create(rewriter, loc, expandedType,
                                                   b, reassociation);
    Value init = tensor::EmptyOp::create(rewriter, loc,
                                         ArrayRef<int64_t>{n / tileN, k, tileN},
                                         type.getElementType());
    auto transpose = linalg::TransposeOp::create(rewriter, loc, expanded, init,
                                                 ArrayRef<int64_t>{1, 0, 2});
    packedTransposes.push_back(transpose);
    ++numPackedB;
    return transpose->getResult(0);
  }

  /// Makes a register tile of the packed matmul read its B from the packed
  /// strips: the slice B[k, n][tile-k, tile-n] is strip n / tile-n, rows
  /// k to k + tile-k, rank-reduced to (tile-k, tile-n).
  static void readPackedB(RewriterBase &rewriter, linalg::LinalgOp tileOp,
                          Value packedB) {
    OpOperand &operand = tileOp->getOpOperand(1);
    auto slice = operand.get().getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice)
      return;
    SmallVector<OpFoldResult> offsets = slice.getMixedOffsets();
    auto sliceType = cast<RankedTensorType>(slice.getType());
    int64_t tileN = cast<RankedTensorType>(packedB.getType()).getDimSize(2);
    if (offsets.size() != 2 || !sliceType.hasStaticShape() ||
        sliceType.getDimSize(1) != tileN)
      return;
    Location loc = slice.getLoc();
    rewriter.setInsertionPoint(slice);
    AffineExpr column = rewriter.getAffineDimExpr(0);
    OpFoldResult strip = affine::makeComposedFoldedAffineApply(
        rewriter, loc, column.floorDiv(tileN), {offsets[1]});
    SmallVector<OpFoldResult> packedOffsets = {strip, offsets[0],
                                               rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {
        rewriter.getIndexAttr(1),
        rewriter.getIndexAttr(sliceType.getDimSize(0)),
        rewriter.getIndexAttr(tileN)};
    SmallVector<OpFoldResult> strides(3, rewriter.getIndexAttr(1));
    Value packedSlice = tensor::ExtractSliceOp::create(
        rewriter, loc, sliceType, packedB, packedOffsets, sizes, strides);
    rewriter.modifyOpInPlace(tileOp, [&] { operand.set(packedSlice); });
  }

  /// A generic whose innermost loop is a reduction while its largest input
  /// and its output run contiguously along a parallel loop (a vector-matrix
  /// product with its vector computed in the body, as elementwise fusion
  /// leaves an embedding lookup feeding a matmul: out[n] += x[k] * W[k, n]
  /// over (n, k)) would be vectorized along the reduction: a strided gather
  /// of W and a horizontal sum per element. Interchanged so that the
  /// parallel loop is innermost, it reads rows of W and accumulates whole
  /// vectors, tiled as getReductionOutsideConfig says. Returns the
  /// interchanged op, or failure where `op` is not such a generic.
  FailureOr<linalg::GenericOp>
  interchangeForContiguousReads(RewriterBase &rewriter, linalg::LinalgOp op) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    unsigned numLoops = op.getNumLoops();
    if (!generic || numLoops < 2 || op.getNumDpsInits() != 1)
      return failure();
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    if (iterators.back() != utils::IteratorType::reduction)
      return failure();
    OpOperand *largest = nullptr;
    int64_t largestSize = 0;
    for (OpOperand *input : op.getDpsInputOperands()) {
      auto type = dyn_cast<RankedTensorType>(input->get().getType());
      if (type && type.getRank() > 0 && type.hasStaticShape() &&
          type.getNumElements() > largestSize) {
        largest = input;
        largestSize = type.getNumElements();
      }
    }
    if (!largest)
      return failure();
    auto innermostDim = [&](OpOperand *operand) -> std::optional<unsigned> {
      AffineMap map = op.getMatchingIndexingMap(operand);
      if (map.getNumResults() == 0)
        return std::nullopt;
      auto dim = dyn_cast<AffineDimExpr>(map.getResults().back());
      return dim ? std::optional<unsigned>(dim.getPosition()) : std::nullopt;
    };
    std::optional<unsigned> loop = innermostDim(largest);
    if (!loop || *loop == numLoops - 1 ||
        iterators[*loop] != utils::IteratorType::parallel ||
        innermostDim(op.getDpsInitOperand(0)) != loop)
      return failure();
    SmallVector<unsigned> order;
    for (unsigned i = 0; i < numLoops; ++i)
      if (i != *loop)
        order.push_back(i);
    order.push_back(*loop);
    rewriter.setInsertionPoint(op);
    return linalg::interchangeGenericOp(rewriter, generic, order);
  }

  /// Tiles of an op interchanged by interchangeForContiguousReads: the
  /// innermost (parallel) loop by two vectors, every other loop by 1; tile
  /// loops over the parallel dims outside those over the reductions, so
  /// each tile's accumulator stays in registers across the reduction
  /// (hoistAccumulators), one multiply-add of whole vectors per step.
  TileConfig getReductionOutsideConfig(linalg::LinalgOp op) {
    unsigned numLoops = op.getNumLoops();
    SmallVector<int64_t> preferred(numLoops, 1);
    preferred.back() = getMatmulTileN();
    TileConfig config = fitTiles(op, preferred);
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    for (unsigned i = 0; i < numLoops; ++i)
      if (iterators[i] == utils::IteratorType::parallel)
        config.loopOrder.push_back(i);
    for (unsigned i = 0; i < numLoops; ++i)
      if (iterators[i] != utils::IteratorType::parallel)
        config.loopOrder.push_back(i);
    return config;
  }

  /// Pads (a convolution's zero border) as a linalg.fill of the padded
  /// tensor and an insert of the source (upstream's decomposition), so the
  /// fill is tiled and vectorized and the source's producer writes the
  /// interior in place after empty-tensor elimination. A source no
  /// destination-style op produces (an argument, a reshape) is copied in
  /// with a linalg.copy, vectorized too. Left whole,
  /// a pad bufferized to a scalar fill of the whole padded buffer and a
  /// strided memref.copy through the runtime's element-by-element
  /// memrefCopy: a tenth of a gated ResNet's time.
  void decomposePads() {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<linalg::DecomposePadOpPattern>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return;
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation().walk([&](tensor::InsertSliceOp insert) {
      if (!insert.getSource().getDefiningOp<DestinationStyleOpInterface>() &&
          insert.getDest().getDefiningOp<linalg::FillOp>())
        inserts.push_back(insert);
    });
    IRRewriter rewriter(ctx);
    for (tensor::InsertSliceOp insert : inserts) {
      rewriter.setInsertionPoint(insert);
      Location loc = insert.getLoc();
      Value slice = tensor::ExtractSliceOp::create(
          rewriter, loc, insert.getSourceType(), insert.getDest(),
          insert.getMixedOffsets(), insert.getMixedSizes(),
          insert.getMixedStrides());
      Value copy =
          linalg::CopyOp::create(rewriter, loc, insert.getSource(), slice)
              ->getResult(0);
      rewriter.modifyOpInPlace(insert,
                               [&] { insert.getSourceMutable().assign(copy); });
    }
  }

  /// Whether `op` copies whole rows of a tensor captured from above, row
  /// `p` of its result being row `rows[p]` of the source: a generic over
  /// (p, ...) whose only input is the 1-D integer `rows` (map (p, ...) ->
  /// (p)) and whose body is `tensor.extract %source[rows[p], i1, ...]`
  /// (dyn-lower-batch-branches' gathers). Returns the source.
  static Value getGatheredRows(linalg::GenericOp op) {
    if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
        op.getNumReductionLoops() != 0 || !op.hasPureTensorSemantics())
      return nullptr;
    int64_t rank = op.getNumLoops();
    MLIRContext *ctx = op.getContext();
    if (op.getIndexingMapsArray() !=
        SmallVector<AffineMap>{
            AffineMap::get(rank, 0, getAffineDimExpr(0, ctx)),
            AffineMap::getMultiDimIdentityMap(rank, ctx)})
      return nullptr;
    Block &body = op.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    auto extract = yield.getValues()[0].getDefiningOp<tensor::ExtractOp>();
    if (!extract || extract->getBlock() != &body ||
        !extract.getTensor().getParentRegion()->isAncestor(&op.getRegion()) ||
        extract.getIndices().size() != static_cast<size_t>(rank))
      return nullptr;
    auto cast = extract.getIndices()[0].getDefiningOp<arith::IndexCastOp>();
    if (!cast || cast.getIn() != body.getArgument(0))
      return nullptr;
    for (int64_t d = 1; d < rank; ++d) {
      auto index = extract.getIndices()[d].getDefiningOp<linalg::IndexOp>();
      if (!index || index.getDim() != static_cast<uint64_t>(d))
        return nullptr;
    }
    return extract.getTensor();
  }

  /// `dest` with row `to` replaced by the row of `source` at `from`
  /// (offsets; `sizes` are those of one row). The copy is a linalg.copy,
  /// vectorized with the rest: a memref.copy between rows at dynamic
  /// offsets goes through the runtime's element-by-element memrefCopy.
  static Value copyRow(OpBuilder &b, Location loc, Value source,
                       ArrayRef<OpFoldResult> from, Value dest, Value to,
                       ArrayRef<OpFoldResult> sizes) {
    SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
    Value row =
        tensor::ExtractSliceOp::create(b, loc, source, from, sizes, strides);
    SmallVector<OpFoldResult> at(sizes.size(), b.getIndexAttr(0));
    at[0] = to;
    Value slot =
        tensor::ExtractSliceOp::create(b, loc, dest, at, sizes, strides);
    Value copied = linalg::CopyOp::create(b, loc, row, slot)->getResult(0);
    return tensor::InsertSliceOp::create(b, loc, copied, dest, at, sizes,
                                         strides);
  }

  /// Gathers of whole rows become a loop of row copies instead of an
  /// element-by-element loop nest recomputing each element's source index
  /// (a gated block's gather at batch 32 took 6% of SkipNet's time).
  void copyGatheredRows() {
    SmallVector<linalg::GenericOp> gathers;
    getOperation().walk([&](linalg::GenericOp op) {
      if (getGatheredRows(op))
        gathers.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : gathers) {
      Value source = getGatheredRows(op);
      Value rows = op.getDpsInputs()[0];
      Value init = op.getDpsInits()[0];
      Location loc = op.getLoc();
      rewriter.setInsertionPoint(op);
      auto type = cast<RankedTensorType>(init.getType());
      Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value count = tensor::DimOp::create(rewriter, loc, init, 0);
      auto loop = scf::ForOp::create(
          rewriter, loc, zero, count, one, ValueRange{init},
          [&](OpBuilder &b, Location nloc, Value p, ValueRange args) {
            Value row = tensor::ExtractOp::create(b, nloc, rows, p);
            row = arith::IndexCastOp::create(b, nloc, b.getIndexType(), row);
            SmallVector<OpFoldResult> sizes =
                tensor::getMixedSizes(b, nloc, args[0]);
            sizes[0] = b.getIndexAttr(1);
            SmallVector<OpFoldResult> at(type.getRank(), b.getIndexAttr(0));
            at[0] = row;
            Value updated = copyRow(b, nloc, source, at, args[0], p, sizes);
            scf::YieldOp::create(b, nloc, updated);
          });
      rewriter.replaceOp(op, loop.getResults());
    }
  }

  /// The anchors of epilogue groups: 2-D convolutions on tensors.
  static bool isEpilogueAnchor(Operation *op) {
    auto conv = dyn_cast_or_null<linalg::Conv2DNhwcHwcfOp>(op);
    return conv && conv.hasPureTensorSemantics();
  }

  /// Tiles an epilogue group: tasks as distribute splits its (first)
  /// anchor, then the anchor's output tiles, with the group's ops fused
  /// into each; each anchor tile is tiled over its kernel taps and input
  /// channels (vectorizeConvolutions vectorizes it), the epilogue and init
  /// tiles are marked for vectorizeMarkedTiles, and a partial tile of
  /// output columns is peeled, as for a convolution alone.
  LogicalResult tileEpilogueGroup(RewriterBase &rewriter,
                                  dyn::EpilogueGroup &group) {
    unsigned rank = group.epilogue.getNumLoops();
    if (std::optional<std::pair<unsigned, int64_t>> split =
            getTaskSplit(group.anchors.front())) {
      SmallVector<int64_t> sizes(rank, 0);
      sizes[split->first] = split->second;
      if (failed(dyn::tileAndFuseEpilogueGroup(
              rewriter, group, sizes, scf::SCFTilingOptions::LoopType::ForallOp,
              isEpilogueAnchor)))
        return failure();
      ++numParallel;
    }
    // (n, oh, ow, f): the epilogue's loops are the anchor's parallel ones.
    SmallVector<int64_t> tiles = getTileSizes(group.anchors.front());
    tiles.resize(rank);
    FailureOr<SmallVector<LoopLikeOpInterface>> loops =
        dyn::tileAndFuseEpilogueGroup(rewriter, group, tiles,
                                      scf::SCFTilingOptions::LoopType::ForOp,
                                      isEpilogueAnchor);
    if (failed(loops))
      return failure();
    ++numFusedEpilogues;
    SmallVector<int64_t> vectorSizes;
    for (auto [extent, tile] :
         llvm::zip(group.epilogue.getStaticLoopRanges(), tiles))
      vectorSizes.push_back(tile ? tile : extent);
    if (llvm::none_of(vectorSizes, ShapedType::isDynamic)) {
      DenseI64ArrayAttr mark = rewriter.getDenseI64ArrayAttr(vectorSizes);
      group.epilogue->setAttr(kVectorSizesAttr, mark);
      for (Operation *op : group.fusable)
        if (!isEpilogueAnchor(op))
          op->setAttr(kVectorSizesAttr, mark);
    }
    for (linalg::LinalgOp anchor : group.anchors) {
      SmallVector<int64_t> taps = getTileSizes(anchor);
      std::fill_n(taps.begin(), rank, 0);
      if (failed(tileLoops(rewriter, anchor, taps)))
        return failure();
    }
    // The loop over output columns, if tiled: peeled where partial.
    if (tiles[2] != 0) {
      auto position = llvm::count_if(ArrayRef(tiles).take_front(2),
                                     [](int64_t t) { return t != 0; });
      int64_t extent = group.epilogue.getStaticLoopRanges()[2];
      auto loop = dyn_cast<scf::ForOp>(*(*loops)[position]);
      scf::ForOp partial;
      if (loop && peelPartialTiles &&
          (ShapedType::isDynamic(extent) || extent % tiles[2] != 0))
        (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
    }
    return success();
  }

  /// Tiles `op` for vectorization. Returns failure when it stays scalar; on
  /// success, returns whether its tiles were peeled and left, marked with
  /// kVectorSizesAttr, for vectorizeMarkedTiles.
  FailureOr<bool> tileAndVectorize(RewriterBase &rewriter,
                                   linalg::LinalgOp op) {
    if (accessesBoolMemory(op))
      return failure();
    op = blockForCache(rewriter, op);
    TileConfig config;
    if (FailureOr<linalg::GenericOp> interchanged =
            interchangeForContiguousReads(rewriter, op);
        succeeded(interchanged)) {
      op = *interchanged;
      config = getReductionOutsideConfig(op);
    } else {
      config = getTileConfig(op);
    }
    Value packedB = packBlockOfB(rewriter, op, config.tileSizes);
    Operation *tileOp = op;
    if (llvm::any_of(config.tileSizes, [](int64_t t) { return t != 0; })) {
      // Tiling only pays off if the tile then vectorizes: check the op up
      // front, with vector sizes that cover its static extents whole.
      SmallVector<int64_t> wholeSizes;
      for (auto [extent, size] :
           llvm::zip(op.getStaticLoopRanges(), config.vectorSizes))
        wholeSizes.push_back(ShapedType::isDynamic(extent) ? size : extent);
      SmallVector<bool> fixed(wholeSizes.size(), false);
      if (failed(linalg::vectorizeOpPrecondition(op, wholeSizes, fixed)))
        return failure();
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      FailureOr<scf::SCFTilingResult> tiled =
          tileLoops(rewriter, op, config.tileSizes, config.loopOrder);
      if (failed(tiled))
        return failure();
      tileOp = tiled->tiledOps.back();
      if (packedB)
        readPackedB(rewriter, cast<linalg::LinalgOp>(tileOp), packedB);
      if (peelPartialTiles &&
          peelPartialLoops(rewriter, *tiled, ranges, config))
        return true;
    }
    if (failed(vectorizeTile(rewriter, tileOp, config.vectorSizes)))
      return failure();
    return false;
  }

  /// Peels the tile loops of `tiled` whose dim has a dynamic extent or one
  /// its tile does not divide, innermost first (so that peeling an outer
  /// loop copies the inner ones already peeled). The tiled op is marked
  /// first, so every copy carries the mark. Returns whether any was peeled.
  bool peelPartialLoops(RewriterBase &rewriter, scf::SCFTilingResult &tiled,
                        ArrayRef<int64_t> ranges, const TileConfig &config) {
    SmallVector<scf::ForOp> partialLoops;
    SmallVector<int64_t> order = config.loopOrder;
    if (order.empty())
      order = llvm::to_vector(llvm::seq<int64_t>(0, ranges.size()));
    unsigned position = 0;
    for (int64_t dim : order) {
      int64_t extent = ranges[dim], tile = config.tileSizes[dim];
      if (tile == 0)
        continue;
      if (position >= tiled.loops.size())
        break;
      auto loop = dyn_cast<scf::ForOp>(*tiled.loops[position++]);
      if (loop && (ShapedType::isDynamic(extent) || extent % tile != 0))
        partialLoops.push_back(loop);
    }
    if (partialLoops.empty())
      return false;
    tiled.tiledOps.back()->setAttr(
        kVectorSizesAttr, rewriter.getDenseI64ArrayAttr(config.vectorSizes));
    bool peeled = false;
    for (scf::ForOp loop : llvm::reverse(partialLoops)) {
      scf::ForOp partial;
      peeled |=
          succeeded(scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial));
    }
    if (!peeled) // no copies: the caller vectorizes the tile at once
      tiled.tiledOps.back()->removeAttr(kVectorSizesAttr);
    return peeled;
  }

  /// Vectorizes one tile with `vectorSizes` (masked where its shape is
  /// dynamic or smaller); returns failure when it is left scalar.
  LogicalResult vectorizeTile(RewriterBase &rewriter, Operation *tileOp,
                              ArrayRef<int64_t> vectorSizes) {
    // Scalable flags are passed explicitly (all fixed-width): with an empty
    // list upstream reads past its end for some ops.
    SmallVector<bool> scalableDims(vectorSizes.size(), false);
    if (failed(
            linalg::vectorizeOpPrecondition(tileOp, vectorSizes, scalableDims)))
      return failure();
    rewriter.setInsertionPoint(tileOp);
    // Contractions go straight to vector.contract: the generic path reads
    // operands through broadcasts, which masking does not support.
    FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
        rewriter, tileOp, vectorSizes, scalableDims,
        /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/true);
    if (failed(vectorized))
      return failure();
    if (tileOp->getNumResults())
      rewriter.replaceOp(tileOp, vectorized->replacements);
    else
      rewriter.eraseOp(tileOp);
    return success();
  }

  /// Vectorizes the peeled tiles marked by tileAndVectorize, after
  /// canonicalization has made the whole tiles static.
  void vectorizeMarkedTiles(RewriterBase &rewriter) {
    SmallVector<linalg::LinalgOp> marked;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kVectorSizesAttr))
        marked.push_back(op);
    });
    for (linalg::LinalgOp op : marked) {
      auto sizes = op->getAttrOfType<DenseI64ArrayAttr>(kVectorSizesAttr);
      op->removeAttr(kVectorSizesAttr);
      auto rest = tilePartialDimsByOne(rewriter, op, sizes.asArrayRef());
      if (succeeded(rest) &&
          succeeded(vectorizeTile(rewriter, rest->first, rest->second)))
        ++numVectorized;
      else
        ++numScalar;
    }
  }

  /// A peeled copy of a tile is whole (its extents fold to the tile's,
  /// static) or the partial rest, whose extent along a peeled dim is known
  /// only at run time (below the tile). The rest is tiled by 1 along those
  /// dims, so that it too vectorizes without masks, one row (or lane, or
  /// reduction step) at a time: a masked tile computes the whole tile and
  /// spills, which at batch 1 (a dynamic M of 1 in a tile of 8) made every
  /// GEMV of an LSTM step 8 tiles' work. Returns the op to vectorize and
  /// its vector sizes (static extents exactly, 1 along the unit dims).
  FailureOr<std::pair<Operation *, SmallVector<int64_t>>>
  tilePartialDimsByOne(RewriterBase &rewriter, linalg::LinalgOp op,
                       ArrayRef<int64_t> tileVectorSizes) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<int64_t> vectorSizes(tileVectorSizes);
    SmallVector<int64_t> unitTiles(ranges.size(), 0);
    bool partial = false;
    for (auto [d, extent] : llvm::enumerate(ranges)) {
      if (!ShapedType::isDynamic(extent)) {
        vectorSizes[d] = extent;
      } else if (vectorSizes[d] > 1) {
        unitTiles[d] = 1;
        vectorSizes[d] = 1;
        partial = true;
      }
    }
    if (!partial)
      return std::make_pair(op.getOperation(), vectorSizes);
    FailureOr<Operation *> tiled = tile(rewriter, op, unitTiles);
    if (failed(tiled))
      return failure();
    return std::make_pair(*tiled, vectorSizes);
  }

  /// Upstream's canonicalization patterns of every loaded dialect and op:
  /// peeled tiles' sizes fold to constants, slices and ops take static
  /// types.
  void addCanonicalizationPatterns(RewritePatternSet &patterns) {
    MLIRContext *ctx = &getContext();
    for (Dialect *dialect : ctx->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
  }

  /// tileAndVectorize, counted in the statistics; returns whether tiles
  /// were left marked for vectorizeMarkedTiles (which counts those).
  bool tileAndVectorizeCounted(RewriterBase &rewriter, linalg::LinalgOp op) {
    // (the name only: a contraction blocked for the cache is replaced)
    [[maybe_unused]] OperationName name = op->getName();
    FailureOr<bool> peeled = tileAndVectorize(rewriter, op);
    if (failed(peeled)) {
      LLVM_DEBUG(llvm::dbgs() << "left scalar: " << name << "\n");
      ++numScalar;
      return false;
    }
    if (!*peeled)
      ++numVectorized;
    return *peeled;
  }

  void runOnOperation() override {
    // Upstream's value-bounds analysis (accumulator hoisting) reads constant
    // dim indices unchecked: a tensor.dim of dim -1 crashed it.
    if (failed(dyn::checkInput(getOperation())))
      return signalPassFailure();
    packedTransposes.clear();
    decomposePads();
    copyGatheredRows();
    SmallVector<dyn::EpilogueGroup> groups;
    llvm::DenseSet<Operation *> grouped;
    if (fuseEpilogues) {
      dyn::expandReshapesAroundAnchors(getOperation(), isEpilogueAnchor);
      groups = dyn::findEpilogueGroups(getOperation(), isEpilogueAnchor);
      for (dyn::EpilogueGroup &group : groups) {
        grouped.insert(group.epilogue);
        grouped.insert(group.fusable.begin(), group.fusable.end());
      }
    }
    SmallVector<linalg::LinalgOp> targets;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !isa<linalg::Conv2DNhwgcGfhwcOp>(op) &&
          !grouped.contains(op))
        targets.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    // (filter transposes it has to emit are added to the targets)
    bool convolutions = decomposeGroupedConvolutions(rewriter, targets);
    for (linalg::LinalgOp &op : targets)
      op = distribute(rewriter, op);
    // (marked tiles: vectorized after canonicalization, like peeled ones)
    bool peeledTiles = false;
    for (dyn::EpilogueGroup &group : groups)
      if (succeeded(tileEpilogueGroup(rewriter, group)))
        peeledTiles = convolutions = true;
    for (linalg::LinalgOp op : targets) {
      if (isa<linalg::Conv2DNhwcHwcfOp>(op)) {
        // Tiled so that each tile decomposes into a 1-D convolution; those
        // are vectorized after the decomposition (vectorizeConvolutions).
        SmallVector<int64_t> tileSizes = getTileSizes(op);
        FailureOr<scf::SCFTilingResult> tiled =
            tileLoops(rewriter, op, tileSizes);
        if (failed(tiled))
          continue;
        // Loops (n, oh, ow, f, kh, kw, c).
        peelPartialTile(rewriter, *tiled, tileSizes, /*dim=*/2);
        convolutions = true;
        continue;
      }
      peeledTiles |= tileAndVectorizeCounted(rewriter, op);
    }
    // The packs of B made on the way are tiled and vectorized like the rest.
    for (linalg::TransposeOp pack : packedTransposes)
      peeledTiles |= tileAndVectorizeCounted(rewriter, pack);
    if (peeledTiles) {
      RewritePatternSet patterns(&getContext());
      addCanonicalizationPatterns(patterns);
      (void)applyPatternsGreedily(getOperation(), std::move(patterns));
      vectorizeMarkedTiles(rewriter);
    }
    if (convolutions)
      vectorizeConvolutions(rewriter);
    hoistAccumulators(rewriter);
    accumulateReductionsInVectors(rewriter);
  }

  /// A reduction loop whose tiles each reduce a vector into the loop's
  /// scalar accumulator (`multi_reduction %tile, %acc`: a softmax's max and
  /// sum over a run-time sequence, a row sum) paid a horizontal reduction
  /// per tile, a serial chain of dependent ops. The loop now carries a
  /// vector of partial results, combined lane by lane with each tile (one
  /// whole-vector op), and reduces it horizontally once, after the loop,
  /// into the accumulator it started from. Float sums are reassociated.
  void accumulateReductionsInVectors(RewriterBase &rewriter) {
    SmallVector<vector::MultiDimReductionOp> reductions;
    getOperation().walk(
        [&](vector::MultiDimReductionOp op) { reductions.push_back(op); });
    for (vector::MultiDimReductionOp reduction : reductions)
      if (succeeded(accumulateInVector(rewriter, reduction)))
        ++numVectorAccumulators;
  }

  /// The identity of a float reduction `kind`, if it is one.
  static std::optional<double> getFloatIdentity(vector::CombiningKind kind) {
    using vector::CombiningKind;
    switch (kind) {
    case CombiningKind::ADD:
      return -0.0; // -0.0 + x == x for every x, -0.0 included
    case CombiningKind::MUL:
      return 1.0;
    case CombiningKind::MAXIMUMF:
    case CombiningKind::MAXNUMF:
      return -std::numeric_limits<double>::infinity();
    case CombiningKind::MINIMUMF:
    case CombiningKind::MINNUMF:
      return std::numeric_limits<double>::infinity();
    default:
      return std::nullopt;
    }
  }

  static LogicalResult
  accumulateInVector(RewriterBase &rewriter,
                     vector::MultiDimReductionOp reduction) {
    auto loop = dyn_cast<scf::ForOp>(reduction->getParentOp());
    auto acc = dyn_cast<BlockArgument>(reduction.getAcc());
    VectorType sourceType = reduction.getSourceVectorType();
    std::optional<double> identity = getFloatIdentity(reduction.getKind());
    if (!loop || !acc || acc.getOwner() != loop.getBody() ||
        acc.getArgNumber() == 0 || !acc.hasOneUse() ||
        !reduction->hasOneUse() || !identity ||
        !isa<FloatType>(sourceType.getElementType()) || sourceType.isScalable())
      return failure();
    // (reducing unit dims only, the tile is already a vector of partials)
    SmallVector<bool> reducedDims = reduction.getReductionMask();
    int64_t reducedLanes = 1;
    for (auto [size, reduced] : llvm::zip(sourceType.getShape(), reducedDims))
      if (reduced)
        reducedLanes *= size;
    if (reducedLanes == 1)
      return failure();
    unsigned index = acc.getArgNumber() - 1;
    auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
    if (yield.getOperand(index) != reduction.getResult())
      return failure();
    Location loc = reduction.getLoc();
    vector::CombiningKind kind = reduction.getKind();
    Value init = loop.getInitArgs()[index];
    rewriter.setInsertionPoint(loop);
    auto elementType = cast<FloatType>(sourceType.getElementType());
    Value partialsInit = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(sourceType,
                               rewriter.getFloatAttr(elementType, *identity)));
    FailureOr<LoopLikeOpInterface> widened = loop.replaceWithAdditionalYields(
        rewriter, partialsInit, /*replaceInitOperandUsesInLoop=*/false,
        [&](OpBuilder &b, Location l, ArrayRef<BlockArgument> partials) {
          return SmallVector<Value>{vector::makeArithReduction(
              b, l, kind, reduction.getSource(), partials.front())};
        });
    if (failed(widened))
      return failure();
    // The scalar accumulator now passes through the loop unchanged.
    rewriter.replaceAllUsesWith(reduction.getResult(), reduction.getAcc());
    rewriter.eraseOp(reduction);
    Operation *newLoop = *widened;
    rewriter.setInsertionPointAfter(newLoop);
    auto final = vector::MultiDimReductionOp::create(
        rewriter, loc, newLoop->getResults().back(), init, reducedDims, kind);
    rewriter.replaceAllUsesWith(newLoop->getResult(index), final.getResult());
    return success();
  }

  /// Keeps each tile's accumulator in registers across its reduction loop:
  /// the slice of the output a reduction loop reads and writes back at the
  /// same place every iteration (and the vector transfers on it) moves out
  /// of the loop, which then carries the vector. Without it the
  /// accumulators were loaded and stored at every step of K (matmul) or of
  /// the input channels (convolution). Innermost loops first, so that an
  /// accumulator hoisted out of one loop can leave the next one too.
  void hoistAccumulators(RewriterBase &rewriter) {
    // Subsets match by their operands: the vectorizer's constant indices
    // must be one value first.
    DominanceInfo dominance;
    eliminateCommonSubExpressions(rewriter, dominance, getOperation());
    SmallVector<scf::ForOp> innermost;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop.getNumRegionIterArgs() == 0)
        return;
      WalkResult nested = loop.getBody()->walk(
          [](scf::ForOp) { return WalkResult::interrupt(); });
      if (!nested.wasInterrupted())
        innermost.push_back(loop);
    });
    // From each innermost loop up the nest while accumulators keep leaving
    // (a convolution's channel loop, then its kernel-row loop). Proving a
    // subset invariant builds constraint sets over the loop's other slices:
    // trying every loop of a ResNet took 2.4 s of its compile.
    for (scf::ForOp loop : innermost) {
      Operation *current = loop;
      while (auto forOp = dyn_cast_or_null<scf::ForOp>(current)) {
        Operation *parent = forOp->getParentOp();
        if (!hoistFrom(rewriter, forOp))
          break;
        current = parent;
      }
    }
  }

  /// Hoists the loop-invariant subsets of `loop`; returns whether any moved.
  static bool hoistFrom(RewriterBase &rewriter, scf::ForOp loop) {
    // (constants and index arithmetic the transfers use move out first)
    moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
    // Each round hoists one level (the slice, then the transfers on the
    // loop argument that replaced it); a round that changes nothing returns
    // the loop itself.
    LoopLikeOpInterface current = loop;
    bool hoisted = false;
    for (int round = 0; round < 4; ++round) {
      LoopLikeOpInterface next = hoistLoopInvariantSubsets(rewriter, current);
      if (next == current)
        break;
      current = next;
      hoisted = true;
    }
    return hoisted;
  }
};

} // namespace

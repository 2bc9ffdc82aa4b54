//===- MapToGPU.cpp - linalg ops on buffers to CUDA-style kernels ---------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every linalg op (and memref.copy) left in host code after bufferization
// becomes one `gpu.launch`, in one of three shapes:
//
//   * matmul / batch_matmul (f32, default maps): 16x16 output tiles per
//     block, the K loop staged through two 16x16 shared-memory tiles;
//   * a reduction over one loop dim whose combiner is recognised
//     (add/mul/max/min of a value and the accumulator): one block per output
//     element, a strided partial per thread, a shared-memory tree;
//   * anything else: one thread per point of the parallel iteration space
//     (flattened, 256 threads a block), reductions walked serially.
//
// Dynamic extents are read on the host and become kernel operands; grid
// sizes are computed from them. Upstream's transform-dialect GPU mapping
// needs static block counts and its parallel-loop mapping runs one thread
// per output with a serial K loop; neither handles dyn's dynamic subnets the
// way the targets issue asks.
//
//===----------------------------------------------------------------------===//

#include "DeviceMemory.h"
#include "dyn/Codegen/NVPTX/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

#define DEBUG_TYPE "dyn-map-to-gpu"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNMAPTOGPU
#include "dyn/Codegen/NVPTX/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

constexpr int64_t kThreads = 256;   // threads of a 1-D block
constexpr int64_t kMatmulTile = 16; // matmul output tile (and K step)

Value constantIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Creates a `gpu.launch` with the given grid and block sizes and workgroup
/// buffers, its body ending in `gpu.terminator`; the builder is left at the
/// start of the body.
gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, ArrayRef<Value> grid,
                           ArrayRef<Value> block, TypeRange workgroup = {}) {
  auto launch = gpu::LaunchOp::create(
      b, loc, grid[0], grid[1], grid[2], block[0], block[1], block[2],
      /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/ValueRange(), workgroup);
  Block &body = launch.getBody().front();
  b.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  return launch;
}

/// The indices `map` gives for the loop indices `ivs`.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ValueRange ivs) {
  SmallVector<Value> indices;
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    indices.push_back(
        affine::AffineApplyOp::create(b, loc, map.getSubMap({i}), ivs));
  return indices;
}

/// Clones the body of `op` at the point `ivs` of its iteration space:
/// operands are loaded (scalars used as they are), `linalg.index` becomes the
/// loop index, and the yielded values are stored into the inits.
void emitPoint(OpBuilder &b, Location loc, linalg::LinalgOp op,
               ValueRange ivs) {
  IRMapping mapping;
  Block *body = op.getBlock();
  for (OpOperand &operand : op->getOpOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(&operand);
    if (!isa<MemRefType>(operand.get().getType())) {
      mapping.map(arg, operand.get());
      continue;
    }
    SmallVector<Value> indices =
        applyMap(b, loc, op.getMatchingIndexingMap(&operand), ivs);
    mapping.map(arg, memref::LoadOp::create(b, loc, operand.get(), indices));
  }
  for (Operation &inner : body->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  for (auto [value, init] :
       llvm::zip(yield.getValues(), op.getDpsInitsMutable())) {
    SmallVector<Value> indices =
        applyMap(b, loc, op.getMatchingIndexingMap(&init), ivs);
    memref::StoreOp::create(b, loc, mapping.lookupOrDefault(value), init.get(),
                            indices);
  }
}

/// Host-side loop extents of `op` (read from its operands' dims).
SmallVector<Value> getLoopSizes(OpBuilder &b, Location loc,
                                linalg::LinalgOp op) {
  SmallVector<Value> sizes;
  for (Range range : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
  return sizes;
}

/// The iteration space of `op` seen from a kernel: all loop extents, which
/// dims are parallel and which reduce, and the number of parallel points.
struct IterationSpace {
  SmallVector<Value> sizes;
  SmallVector<unsigned> parallel, reduction;
  SmallVector<Value> parallelSizes;
  Value points;
};

IterationSpace getIterationSpace(OpBuilder &b, Location loc,
                                 linalg::LinalgOp op) {
  IterationSpace space;
  space.sizes = getLoopSizes(b, loc, op);
  for (auto [d, kind] : llvm::enumerate(op.getIteratorTypesArray()))
    (kind == utils::IteratorType::parallel ? space.parallel : space.reduction)
        .push_back(d);
  space.points = constantIndex(b, loc, 1);
  for (unsigned d : space.parallel) {
    space.parallelSizes.push_back(space.sizes[d]);
    space.points = arith::MulIOp::create(b, loc, space.points, space.sizes[d]);
  }
  return space;
}

/// Splits `linear` into indices of `sizes` (row-major: the last fastest).
SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                               ArrayRef<Value> sizes) {
  SmallVector<Value> indices(sizes.size());
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    if (i == 0) {
      indices[i] = linear;
      break;
    }
    indices[i] = arith::RemUIOp::create(b, loc, linear, sizes[i]);
    linear = arith::DivUIOp::create(b, loc, linear, sizes[i]);
  }
  return indices;
}

//===----------------------------------------------------------------------===//
// Any linalg op: one thread per point of the parallel space
//===----------------------------------------------------------------------===//

void emitPointwiseKernel(OpBuilder &b, linalg::LinalgOp op) {
  Location loc = op.getLoc();
  IterationSpace space = getIterationSpace(b, loc, op);
  Value one = constantIndex(b, loc, 1);
  Value threads = constantIndex(b, loc, kThreads);
  Value blocks = arith::CeilDivUIOp::create(b, loc, space.points, threads);
  gpu::LaunchOp launch =
      createLaunch(b, loc, {blocks, one, one}, {threads, one, one});

  Value id = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, threads),
      launch.getThreadIds().x);
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, id,
                                        space.points);
  auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&guard.getThenRegion().front());
  SmallVector<Value> ivs(space.sizes.size());
  for (auto [d, index] :
       llvm::zip(space.parallel, delinearize(b, loc, id, space.parallelSizes)))
    ivs[d] = index;
  if (space.reduction.empty()) {
    emitPoint(b, loc, op, ivs);
    return;
  }
  // Reductions walked serially by the thread owning the output point.
  Value zero = constantIndex(b, loc, 0);
  for (unsigned d : space.reduction) {
    auto loop = scf::ForOp::create(b, loc, zero, space.sizes[d], one);
    ivs[d] = loop.getInductionVar();
    b.setInsertionPointToStart(loop.getBody());
  }
  emitPoint(b, loc, op, ivs);
}

//===----------------------------------------------------------------------===//
// Matmul: shared-memory tiles
//===----------------------------------------------------------------------===//

/// A matmul or batch matmul on f32 buffers with the default indexing maps.
bool isTiledMatmul(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op))
    return false;
  MLIRContext *ctx = op->getContext();
  SmallVector<AffineMap> defaults =
      isa<linalg::MatmulOp>(op)
          ? linalg::MatmulOp::getDefaultIndexingMaps(ctx)
          : linalg::BatchMatmulOp::getDefaultIndexingMaps(ctx);
  if (op.getIndexingMapsArray() != defaults)
    return false;
  return llvm::all_of(op->getOperandTypes(), [](Type type) {
    auto memref = dyn_cast<MemRefType>(type);
    return memref && memref.getElementType().isF32();
  });
}

void emitMatmulKernel(OpBuilder &b, linalg::LinalgOp op) {
  Location loc = op.getLoc();
  bool batched = isa<linalg::BatchMatmulOp>(op);
  Value a = op.getDpsInputOperand(0)->get();
  Value bMat = op.getDpsInputOperand(1)->get();
  Value c = op.getDpsInitOperand(0)->get();
  int64_t rank = batched ? 3 : 2;
  auto dim = [&](Value v, int64_t d) {
    return b.createOrFold<memref::DimOp>(loc, v, d);
  };
  Value m = dim(a, rank - 2), k = dim(a, rank - 1), n = dim(bMat, rank - 1);
  Value one = constantIndex(b, loc, 1);
  Value batch = batched ? dim(a, 0) : one;
  Value tile = constantIndex(b, loc, kMatmulTile);
  Value gridX = arith::CeilDivUIOp::create(b, loc, n, tile);
  Value gridY = arith::CeilDivUIOp::create(b, loc, m, tile);
  Value kTiles = arith::CeilDivUIOp::create(b, loc, k, tile);

  MLIRContext *ctx = op->getContext();
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Type f32 = b.getF32Type();
  auto tileType = MemRefType::get({kMatmulTile, kMatmulTile}, f32,
                                  MemRefLayoutAttrInterface(), workgroup);
  gpu::LaunchOp launch = createLaunch(b, loc, {gridX, gridY, batch},
                                      {tile, tile, one}, {tileType, tileType});
  Value aTile = launch.getWorkgroupAttributions()[0];
  Value bTile = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value row = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().y, tile), ty);
  Value col = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, tile), tx);
  Value batchIndex = launch.getBlockIds().z;
  Value zero = constantIndex(b, loc, 0);
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));

  auto lessThan = [&](Value x, Value bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, bound);
  };
  auto indices = [&](Value r, Value cIndex) {
    SmallVector<Value> result;
    if (batched)
      result.push_back(batchIndex);
    result.push_back(r);
    result.push_back(cIndex);
    return result;
  };
  /// Loads `source[r, c]`, or 0 outside the matrix.
  auto guardedLoad = [&](Value source, Value r, Value cIndex, Value rows,
                         Value cols) {
    Value inside = arith::AndIOp::create(b, loc, lessThan(r, rows),
                                         lessThan(cIndex, cols));
    auto ifOp = scf::IfOp::create(b, loc, f32, inside, /*withElse=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Value loaded = memref::LoadOp::create(b, loc, source, indices(r, cIndex));
    scf::YieldOp::create(b, loc, loaded);
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(b, loc, zeroF);
    return ifOp.getResult(0);
  };

  auto kLoop = scf::ForOp::create(b, loc, zero, kTiles, one, zeroF);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(kLoop.getBody());
    Value kBase = arith::MulIOp::create(b, loc, kLoop.getInductionVar(), tile);
    Value aCol = arith::AddIOp::create(b, loc, kBase, tx);
    Value bRow = arith::AddIOp::create(b, loc, kBase, ty);
    memref::StoreOp::create(b, loc, guardedLoad(a, row, aCol, m, k), aTile,
                            ValueRange{ty, tx});
    memref::StoreOp::create(b, loc, guardedLoad(bMat, bRow, col, k, n), bTile,
                            ValueRange{ty, tx});
    gpu::BarrierOp::create(b, loc);
    auto inner = scf::ForOp::create(b, loc, zero, tile, one,
                                    kLoop.getRegionIterArgs()[0]);
    {
      OpBuilder::InsertionGuard innerGuard(b);
      b.setInsertionPointToStart(inner.getBody());
      Value kk = inner.getInductionVar();
      Value x = memref::LoadOp::create(b, loc, aTile, ValueRange{ty, kk});
      Value y = memref::LoadOp::create(b, loc, bTile, ValueRange{kk, tx});
      Value sum = arith::AddFOp::create(b, loc, inner.getRegionIterArgs()[0],
                                        arith::MulFOp::create(b, loc, x, y));
      scf::YieldOp::create(b, loc, sum);
    }
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, inner.getResult(0));
  }
  // linalg.matmul accumulates into its init.
  Value inside =
      arith::AndIOp::create(b, loc, lessThan(row, m), lessThan(col, n));
  auto store = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&store.getThenRegion().front());
  Value old = memref::LoadOp::create(b, loc, c, indices(row, col));
  Value updated = arith::AddFOp::create(b, loc, old, kLoop.getResult(0));
  memref::StoreOp::create(b, loc, updated, c, indices(row, col));
}

//===----------------------------------------------------------------------===//
// Reductions: one block per output, a shared-memory tree
//===----------------------------------------------------------------------===//

/// How a reduction body combines a value into its accumulator.
struct Combiner {
  Operation *op;     // the combining op in the body
  Value contributed; // its operand that is not the accumulator
  TypedAttr identity;
};

/// The combiner of a one-output f32 reduction over exactly one loop dim
/// whose body yields `combine(x, acc)` with `x` independent of `acc`.
std::optional<Combiner> matchReduction(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1 ||
      !op.hasPureBufferSemantics())
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  auto initType = dyn_cast<MemRefType>(init->get().getType());
  if (!initType || !initType.getElementType().isF32())
    return std::nullopt;
  Block *body = op.getBlock();
  if (!body->getOps<linalg::IndexOp>().empty())
    return std::nullopt;
  BlockArgument acc = op.getMatchingBlockArgument(init);
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Operation *combine = yield.getValues()[0].getDefiningOp();
  if (!combine || combine->getBlock() != body || !acc.hasOneUse() ||
      *acc.getUsers().begin() != combine || !combine->hasOneUse())
    return std::nullopt;
  Builder b(op->getContext());
  float inf = std::numeric_limits<float>::infinity();
  TypedAttr identity;
  if (isa<arith::AddFOp>(combine))
    identity = b.getF32FloatAttr(0.0f);
  else if (isa<arith::MulFOp>(combine))
    identity = b.getF32FloatAttr(1.0f);
  else if (isa<arith::MaximumFOp, arith::MaxNumFOp>(combine))
    identity = b.getF32FloatAttr(-inf);
  else if (isa<arith::MinimumFOp, arith::MinNumFOp>(combine))
    identity = b.getF32FloatAttr(inf);
  else
    return std::nullopt;
  Value x = combine->getOperand(0) == acc ? combine->getOperand(1)
                                          : combine->getOperand(0);
  if (x == acc)
    return std::nullopt;
  return Combiner{combine, x, identity};
}

/// `combiner`'s op applied to (lhs, rhs).
Value combine(OpBuilder &b, Location loc, const Combiner &combiner, Value lhs,
              Value rhs) {
  OperationState state(loc, combiner.op->getName());
  state.addOperands({lhs, rhs});
  state.addTypes(lhs.getType());
  state.addAttributes(combiner.op->getAttrs());
  return b.create(state)->getResult(0);
}

void emitReductionKernel(OpBuilder &b, linalg::LinalgOp op,
                         const Combiner &combiner) {
  Location loc = op.getLoc();
  IterationSpace space = getIterationSpace(b, loc, op);
  unsigned reduced = space.reduction.front();
  Value one = constantIndex(b, loc, 1);
  Value threads = constantIndex(b, loc, kThreads);
  auto partialType =
      MemRefType::get({kThreads}, b.getF32Type(), MemRefLayoutAttrInterface(),
                      gpu::AddressSpaceAttr::get(op->getContext(),
                                                 gpu::AddressSpace::Workgroup));
  gpu::LaunchOp launch = createLaunch(b, loc, {space.points, one, one},
                                      {threads, one, one}, {partialType});
  Value partials = launch.getWorkgroupAttributions()[0];
  Value tx = launch.getThreadIds().x;
  SmallVector<Value> ivs(space.sizes.size());
  for (auto [d, index] :
       llvm::zip(space.parallel, delinearize(b, loc, launch.getBlockIds().x,
                                             space.parallelSizes)))
    ivs[d] = index;

  // Each thread folds a strided share of the reduced dim.
  Value identity = arith::ConstantOp::create(b, loc, combiner.identity);
  auto loop =
      scf::ForOp::create(b, loc, tx, space.sizes[reduced], threads, identity);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    ivs[reduced] = loop.getInductionVar();
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(input);
      if (!isa<MemRefType>(input->get().getType())) {
        mapping.map(arg, input->get());
        continue;
      }
      SmallVector<Value> indices =
          applyMap(b, loc, op.getMatchingIndexingMap(input), ivs);
      mapping.map(arg, memref::LoadOp::create(b, loc, input->get(), indices));
    }
    for (Operation &inner : op.getBlock()->without_terminator())
      if (&inner != combiner.op)
        b.clone(inner, mapping);
    Value folded =
        combine(b, loc, combiner, mapping.lookupOrDefault(combiner.contributed),
                loop.getRegionIterArgs()[0]);
    scf::YieldOp::create(b, loc, folded);
  }
  memref::StoreOp::create(b, loc, loop.getResult(0), partials, tx);
  gpu::BarrierOp::create(b, loc);
  // Tree over the block's partials (barriers outside the guards: every
  // thread reaches each of them).
  for (int64_t stride = kThreads / 2; stride >= 1; stride /= 2) {
    Value s = constantIndex(b, loc, stride);
    Value active =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, tx, s);
    auto ifOp = scf::IfOp::create(b, loc, active, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      Value other = arith::AddIOp::create(b, loc, tx, s);
      Value lhs = memref::LoadOp::create(b, loc, partials, tx);
      Value rhs = memref::LoadOp::create(b, loc, partials, other);
      memref::StoreOp::create(b, loc, combine(b, loc, combiner, lhs, rhs),
                              partials, tx);
    }
    gpu::BarrierOp::create(b, loc);
  }
  Value zero = constantIndex(b, loc, 0);
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tx, zero);
  auto write = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  b.setInsertionPointToStart(&write.getThenRegion().front());
  ivs[reduced] = zero; // the output map does not read it
  OpOperand *init = op.getDpsInitOperand(0);
  SmallVector<Value> indices =
      applyMap(b, loc, op.getMatchingIndexingMap(init), ivs);
  Value total = memref::LoadOp::create(b, loc, partials, zero);
  Value old = memref::LoadOp::create(b, loc, init->get(), indices);
  memref::StoreOp::create(b, loc, combine(b, loc, combiner, total, old),
                          init->get(), indices);
}

struct DynMapToGPUPass : public dyn::impl::DynMapToGPUBase<DynMapToGPUPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Copies between device buffers are linalg copies first (one kernel
    // shape for both); host<->device copies are transfers, left to
    // dyn-place-on-device, and host copies stay on the host.
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) {
      if (!copy->getParentOfType<gpu::LaunchOp>() &&
          dyn::isDeviceMemRef(copy.getSource().getType()) &&
          dyn::isDeviceMemRef(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }

    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (!op->getParentOfType<gpu::LaunchOp>())
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureBufferSemantics()) {
        op->emitError("dyn-map-to-gpu: expected a linalg op on buffers "
                      "(run after bufferization)");
        return signalPassFailure();
      }
      OpBuilder b(op);
      if (isTiledMatmul(op)) {
        emitMatmulKernel(b, op);
        ++numMatmulKernels;
      } else if (std::optional<Combiner> combiner = matchReduction(op)) {
        emitReductionKernel(b, op, *combiner);
        ++numReductionKernels;
      } else {
        emitPointwiseKernel(b, op);
        ++numPointwiseKernels;
      }
      op->erase();
    }
  }
};

} // namespace

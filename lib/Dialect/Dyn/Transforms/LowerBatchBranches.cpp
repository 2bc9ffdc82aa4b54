//===- LowerBatchBranches.cpp - per-sample control flow to sub-batches ----===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A dyn.batch_cond becomes what the rest of the pipeline already compiles:
// linalg ops that partition the batch and gather rows, and dyn.switch /
// dyn.cond that decide once per call which regions run. Upstream has no
// partition or stream-compaction op on tensors (tensor.gather has no
// lowering, tosa.scatter lowers to a loop per row), so the index
// computations are written here as linalg.generic ops.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynOps.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

#define DEBUG_TYPE "dyn-lower-batch-branches"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNLOWERBATCHBRANCHES
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

using utils::IteratorType;

/// Builds the ops that lower one per-sample conditional. Branch `k` is the
/// op's region `k` (then = 0, else = 1); sample indices and counts are i32
/// tensors, their scalars on the host index values.
class BatchBranchLowering {
public:
  BatchBranchLowering(Operation *op, Value selector, ValueRange inputs,
                      ArrayRef<int64_t> cases)
      : op(op), selector(selector), inputs(inputs), cases(cases),
        loc(op->getLoc()), b(op), i32(b.getI32Type()) {}

  LogicalResult run();

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value int32(int64_t value) {
    return arith::ConstantIntOp::create(b, loc, i32, value);
  }
  /// A zero-filled i32 tensor of the given extents.
  Value zeros(ArrayRef<OpFoldResult> sizes);
  /// Each sample's branch: for a mask, 0 where it is set, 1 elsewhere; for
  /// a selector, 1 + the position of its value in `cases`, 0 if none.
  Value branchIds(Value batch);
  /// The i32 term a pair reduction adds for (i, j), given the inputs read
  /// at the pair.
  using PairTerm = function_ref<Value(OpBuilder &, Location, Value i, Value j,
                                      ValueRange inputs)>;
  /// `out[i] = sum over j of term(i, j, inputs)`, out an i32 tensor of
  /// `size`, input `n` read at dim `inputDims[n]` (0: i, 1: j) of the pair.
  Value pairSum(OpFoldResult size, ValueRange inputs,
                ArrayRef<unsigned> inputDims, PairTerm term);
  /// The number of samples of each branch (tensor<Kxi32>).
  Value branchCounts(Value ids);
  /// Where each branch's samples start in the partition: the exclusive
  /// prefix sums of `counts`.
  Value branchOffsets(Value counts);
  /// Where sample `i` goes in the partition: its branch's offset plus the
  /// number of earlier samples of the same branch.
  Value partitionPositions(Value ids, Value offsets, Value batch);
  /// The inverse of `positions`: which sample is at each position.
  Value invert(Value positions, Value batch);
  /// Rows of `source` in the order of `rows` (an i32 tensor of row indices).
  Value gatherRows(Value source, Value rows);
  /// The body of region `k` cloned at the builder, on `args`; returns what
  /// it yields.
  SmallVector<Value> cloneRegion(Region &region, ValueRange args);
  /// Fails the entry point unless `value` has `rows` rows.
  void assertRows(Value value, Value rows, const Twine &message);
  /// `pred ? onTrue : onFalse()` as a dyn.cond, so that the value not taken
  /// is not computed.
  Value selectTensor(Value pred, Value onTrue, function_ref<Value()> onFalse);
  /// `region` on rows [offset, offset + count) of `sources` when `count` is
  /// not zero, its results written at the same rows of `buffers` (which
  /// then hold the updated values).
  void buildBranch(Region &region, Value count, Value offset,
                   ValueRange sources, SmallVectorImpl<Value> &buffers);

  // The op (dyn.batch_cond or dyn.batch_switch), its mask or selector, its
  // batched inputs and, for a switch, its case values (region k + 1 takes
  // case k, region 0 the rest).
  Operation *op;
  Value selector;
  ValueRange inputs;
  ArrayRef<int64_t> cases;
  Location loc;
  OpBuilder b;
  Type i32;
};

Value BatchBranchLowering::zeros(ArrayRef<OpFoldResult> sizes) {
  Value empty = tensor::EmptyOp::create(b, loc, sizes, i32);
  return linalg::FillOp::create(b, loc, ValueRange{int32(0)}, ValueRange{empty})
      .getResult(0);
}

Value BatchBranchLowering::branchIds(Value batch) {
  Value empty =
      tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{batch}, i32);
  AffineMap id = b.getMultiDimIdentityMap(1);
  return linalg::GenericOp::create(
             b, loc, TypeRange{empty.getType()}, ValueRange{selector},
             ValueRange{empty}, ArrayRef<AffineMap>{id, id},
             ArrayRef<IteratorType>{IteratorType::parallel},
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               auto constant = [&](int64_t v) -> Value {
                 return arith::ConstantIntOp::create(nb, nloc, i32, v);
               };
               Value branch;
               if (isa<BatchCondOp>(op)) {
                 branch = arith::SelectOp::create(nb, nloc, args[0],
                                                  constant(0), constant(1));
               } else {
                 Type type = args[0].getType();
                 branch = constant(0);
                 for (auto [k, value] : llvm::enumerate(cases)) {
                   Value caseValue =
                       type.isIndex()
                           ? arith::ConstantIndexOp::create(nb, nloc, value)
                                 .getResult()
                           : arith::ConstantIntOp::create(nb, nloc, type, value)
                                 .getResult();
                   Value hit = arith::CmpIOp::create(
                       nb, nloc, arith::CmpIPredicate::eq, args[0], caseValue);
                   branch = arith::SelectOp::create(nb, nloc, hit,
                                                    constant(k + 1), branch);
                 }
               }
               linalg::YieldOp::create(nb, nloc, branch);
             })
      .getResult(0);
}

Value BatchBranchLowering::pairSum(OpFoldResult size, ValueRange inputs,
                                   ArrayRef<unsigned> inputDims,
                                   PairTerm term) {
  Value init = zeros({size});
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (unsigned dim : inputDims)
    maps.push_back(AffineMap::get(2, 0, getAffineDimExpr(dim, ctx)));
  maps.push_back(AffineMap::get(2, 0, getAffineDimExpr(0, ctx)));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             ArrayRef<IteratorType>{IteratorType::parallel,
                                    IteratorType::reduction},
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value i = linalg::IndexOp::create(nb, nloc, 0);
               Value j = linalg::IndexOp::create(nb, nloc, 1);
               Value add = term(nb, nloc, i, j, args.drop_back());
               linalg::YieldOp::create(nb, nloc,
                                       ValueRange{arith::AddIOp::create(
                                           nb, nloc, args.back(), add)});
             })
      .getResult(0);
}

Value BatchBranchLowering::branchCounts(Value ids) {
  // count[k] += ids[j] == k.
  return pairSum(b.getIndexAttr(op->getNumRegions()), ids, {1},
                 [&](OpBuilder &nb, Location nloc, Value k, Value,
                     ValueRange in) -> Value {
                   Value k32 = arith::IndexCastOp::create(nb, nloc, i32, k);
                   Value hit = arith::CmpIOp::create(
                       nb, nloc, arith::CmpIPredicate::eq, in[0], k32);
                   return arith::ExtUIOp::create(nb, nloc, i32, hit);
                 });
}

Value BatchBranchLowering::branchOffsets(Value counts) {
  // offset[k] += j < k ? count[j] : 0.
  return pairSum(
      b.getIndexAttr(op->getNumRegions()), counts, {1},
      [&](OpBuilder &nb, Location nloc, Value k, Value j,
          ValueRange in) -> Value {
        Value before =
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult, j, k);
        Value zero = arith::ConstantIntOp::create(nb, nloc, i32, 0);
        return arith::SelectOp::create(nb, nloc, before, in[0], zero);
      });
}

Value BatchBranchLowering::partitionPositions(Value ids, Value offsets,
                                              Value batch) {
  // rank[i] += j < i && ids[j] == ids[i].
  Value ranks = pairSum(
      batch, {ids, ids}, {0, 1},
      [&](OpBuilder &nb, Location nloc, Value i, Value j,
          ValueRange in) -> Value {
        Value before =
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult, j, i);
        Value same = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::eq,
                                           in[0], in[1]);
        Value hit = arith::AndIOp::create(nb, nloc, before, same);
        return arith::ExtUIOp::create(nb, nloc, i32, hit);
      });
  // pos[i] = offsets[ids[i]] + rank[i].
  AffineMap id = b.getMultiDimIdentityMap(1);
  Value out =
      tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{batch}, i32);
  return linalg::GenericOp::create(
             b, loc, TypeRange{out.getType()}, ValueRange{ids, ranks},
             ValueRange{out}, ArrayRef<AffineMap>{id, id, id},
             ArrayRef<IteratorType>{IteratorType::parallel},
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value k = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(),
                                                    args[0]);
               Value offset =
                   tensor::ExtractOp::create(nb, nloc, offsets, ValueRange{k});
               linalg::YieldOp::create(nb, nloc,
                                       ValueRange{arith::AddIOp::create(
                                           nb, nloc, offset, args[1])});
             })
      .getResult(0);
}

Value BatchBranchLowering::invert(Value positions, Value batch) {
  // perm[p] += pos[i] == p ? i : 0 (positions are a permutation).
  return pairSum(batch, positions, {1},
                 [&](OpBuilder &nb, Location nloc, Value p, Value i,
                     ValueRange in) -> Value {
                   Value p32 = arith::IndexCastOp::create(nb, nloc, i32, p);
                   Value i32v = arith::IndexCastOp::create(nb, nloc, i32, i);
                   Value hit = arith::CmpIOp::create(
                       nb, nloc, arith::CmpIPredicate::eq, in[0], p32);
                   Value zero = arith::ConstantIntOp::create(nb, nloc, i32, 0);
                   return arith::SelectOp::create(nb, nloc, hit, i32v, zero);
                 });
}

Value BatchBranchLowering::gatherRows(Value source, Value rows) {
  auto type = cast<RankedTensorType>(source.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, rows, 0)};
  for (int64_t d = 1; d < rank; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, source, d));
  Value out = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  MLIRContext *ctx = b.getContext();
  AffineMap row = AffineMap::get(rank, 0, getAffineDimExpr(0, ctx));
  AffineMap id = b.getMultiDimIdentityMap(rank);
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{out.getType()}, ValueRange{rows},
             ValueRange{out}, ArrayRef<AffineMap>{row, id}, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               SmallVector<Value> indices = {arith::IndexCastOp::create(
                   nb, nloc, nb.getIndexType(), args[0])};
               for (int64_t d = 1; d < rank; ++d)
                 indices.push_back(linalg::IndexOp::create(nb, nloc, d));
               Value element =
                   tensor::ExtractOp::create(nb, nloc, source, indices);
               linalg::YieldOp::create(nb, nloc, element);
             })
      .getResult(0);
}

SmallVector<Value> BatchBranchLowering::cloneRegion(Region &region,
                                                    ValueRange args) {
  Block &block = region.front();
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(block.getArguments(), args))
    mapping.map(arg, castToType(b, loc, value, arg.getType()));
  for (Operation &nested : block.without_terminator())
    b.clone(nested, mapping);
  SmallVector<Value> yielded;
  for (Value value : block.getTerminator()->getOperands())
    yielded.push_back(mapping.lookupOrDefault(value));
  return yielded;
}

void BatchBranchLowering::assertRows(Value value, Value rows,
                                     const Twine &message) {
  Value actual = tensor::DimOp::create(b, loc, value, 0);
  Value ok =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, actual, rows);
  cf::AssertOp::create(b, loc, ok, message.str());
}

Value BatchBranchLowering::selectTensor(Value pred, Value onTrue,
                                        function_ref<Value()> onFalse) {
  auto cond = CondOp::create(b, loc, TypeRange{onTrue.getType()}, pred);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&cond.getThenRegion().emplaceBlock());
  YieldOp::create(b, loc, onTrue);
  b.setInsertionPointToStart(&cond.getElseRegion().emplaceBlock());
  YieldOp::create(b, loc, castToType(b, loc, onFalse(), onTrue.getType()));
  return cond.getResult(0);
}

void BatchBranchLowering::buildBranch(Region &region, Value count, Value offset,
                                      ValueRange sources,
                                      SmallVectorImpl<Value> &buffers) {
  Value some =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, count, index(0));
  auto cond = CondOp::create(b, loc, ValueRange(buffers).getTypes(), some);
  OpBuilder::InsertionGuard guard(b);
  // Then: the region on its rows, written into the buffers.
  b.setInsertionPointToStart(&cond.getThenRegion().emplaceBlock());
  auto rowSlice = [&](Value tensor, SmallVectorImpl<OpFoldResult> &offsets,
                      SmallVectorImpl<OpFoldResult> &sizes,
                      SmallVectorImpl<OpFoldResult> &strides) {
    int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
    offsets.assign(rank, b.getIndexAttr(0));
    sizes = tensor::getMixedSizes(b, loc, tensor);
    strides.assign(rank, b.getIndexAttr(1));
    offsets[0] = offset;
    sizes[0] = count;
  };
  SmallVector<Value> rows;
  for (Value input : sources) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    rowSlice(input, offsets, sizes, strides);
    rows.push_back(
        tensor::ExtractSliceOp::create(b, loc, getSubBatchType(input.getType()),
                                       input, offsets, sizes, strides));
  }
  unsigned k = region.getRegionNumber();
  SmallVector<Value> yielded = cloneRegion(region, rows);
  SmallVector<Value> written;
  for (auto [j, value, buffer] : llvm::enumerate(yielded, buffers)) {
    assertRows(value, count,
               "dyn.batch_cond: region " + Twine(k) +
                   " yielded a number of rows for result #" + Twine(j) +
                   " other than the number of samples it took");
    SmallVector<OpFoldResult> offsets, sizes, strides;
    rowSlice(buffer, offsets, sizes, strides);
    Value rowsOut =
        castToType(b, loc, value, getSubBatchType(buffer.getType()));
    written.push_back(tensor::InsertSliceOp::create(b, loc, rowsOut, buffer,
                                                    offsets, sizes, strides));
  }
  YieldOp::create(b, loc, written);
  // Else: nothing runs; the buffers go on as they are.
  b.setInsertionPointToStart(&cond.getElseRegion().emplaceBlock());
  YieldOp::create(b, loc, buffers);
  buffers.assign(cond.getResults().begin(), cond.getResults().end());
}

LogicalResult BatchBranchLowering::run() {
  for (auto [j, type] : llvm::enumerate(op->getResultTypes())) {
    auto tensor = cast<RankedTensorType>(type);
    for (int64_t d = 1; d < tensor.getRank(); ++d)
      if (tensor.isDynamicDim(d))
        return op->emitOpError()
               << "result #" << j << " (" << type << ") has a dynamic dim " << d
               << "; per-sample branches need static non-batch result dims "
                  "(each sub-batch writes into a buffer allocated before any "
                  "region runs)";
  }

  Value batch = tensor::DimOp::create(b, loc, selector, 0);
  for (auto [j, input] : llvm::enumerate(inputs)) {
    auto type = cast<RankedTensorType>(input.getType());
    if (!type.isDynamicDim(0) &&
        !cast<RankedTensorType>(selector.getType()).isDynamicDim(0))
      continue; // the verifier checked static extents
    assertRows(input, batch,
               "dyn.batch_cond: input #" + Twine(j) +
                   " has a number of rows other than the mask's samples");
  }

  Value ids = branchIds(batch);
  Value countTensor = branchCounts(ids);
  Value offsetTensor = branchOffsets(countTensor);
  Value positions = partitionPositions(ids, offsetTensor, batch);
  Value perm = invert(positions, batch);

  // The counts and offsets on the host.
  SmallVector<Value> counts, offsets;
  for (int64_t k = 0, e = op->getNumRegions(); k < e; ++k) {
    auto scalar = [&](Value tensor) -> Value {
      Value element =
          tensor::ExtractOp::create(b, loc, tensor, ValueRange{index(k)});
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
    };
    counts.push_back(scalar(countTensor));
    offsets.push_back(scalar(offsetTensor));
  }

  // The batch agrees when at most one branch has samples; its partition is
  // then the identity, and neither gather runs.
  int64_t numBranches = op->getNumRegions();
  Value nonEmpty = index(0);
  for (Value count : counts) {
    Value some = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, count,
                                       index(0));
    nonEmpty = arith::AddIOp::create(
        b, loc, nonEmpty,
        arith::SelectOp::create(b, loc, some, index(1), index(0)));
  }
  Value agree = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule,
                                      nonEmpty, index(1));

  SmallVector<Value> rows;
  for (Value input : inputs) {
    Value whole = castToType(b, loc, input, getSubBatchType(input.getType()));
    rows.push_back(
        selectTensor(agree, whole, [&] { return gatherRows(input, perm); }));
  }

  // One buffer of the whole batch per result; each branch writes its rows.
  SmallVector<Value> buffers;
  for (Type type : op->getResultTypes()) {
    auto tensor = cast<RankedTensorType>(type);
    SmallVector<OpFoldResult> sizes = {batch};
    for (int64_t d = 1; d < tensor.getRank(); ++d)
      sizes.push_back(b.getIndexAttr(tensor.getDimSize(d)));
    buffers.push_back(
        tensor::EmptyOp::create(b, loc, sizes, tensor.getElementType()));
  }
  for (int64_t k = 0; k < numBranches; ++k)
    buildBranch(op->getRegion(k), counts[k], offsets[k], rows, buffers);

  SmallVector<Value> results;
  for (auto [buffer, type] : llvm::zip(buffers, op->getResultTypes())) {
    Value merged = selectTensor(agree, buffer,
                                [&] { return gatherRows(buffer, positions); });
    results.push_back(castToType(b, loc, merged, type));
  }
  op->replaceAllUsesWith(results);
  op->erase();
  return success();
}

struct DynLowerBatchBranchesPass
    : public dyn::impl::DynLowerBatchBranchesBase<DynLowerBatchBranchesPass> {
  void runOnOperation() override {
    // Innermost first: a region cloned by an outer lowering then holds no
    // per-sample op any more.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<BatchCondOp, BatchSwitchOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      LogicalResult lowered =
          TypeSwitch<Operation *, LogicalResult>(op)
              .Case([](BatchCondOp cond) {
                return BatchBranchLowering(cond, cond.getMask(),
                                           cond.getInputs(), {})
                    .run();
              })
              .Case([](BatchSwitchOp sw) {
                return BatchBranchLowering(sw, sw.getSelector(), sw.getInputs(),
                                           sw.getCases())
                    .run();
              });
      if (failed(lowered))
        return signalPassFailure();
      ++numLowered;
    }
  }
};

} // namespace

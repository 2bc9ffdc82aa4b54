//===- RaiseBatchSelects.cpp - per-sample selects to dyn.batch_cond -------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `torch.where(mask[:, None], block(x), x)` computes `block` on every sample
// and keeps some of the rows. When the ops that compute only the selected
// side treat the samples of the batch independently (row i of their result
// depends on row i of their batched operands alone), computing them on the
// selected rows gives the same rows: the select becomes a dyn.batch_cond
// whose regions hold those ops. The row-independence check is a forward
// propagation of "which dim is the batch" through the ops, with one rule
// per op family; anything without a rule stops the raise.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynOps.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "dyn-raise-batch-selects"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNRAISEBATCHSELECTS
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Ops copied into a region rather than moved there (their other users keep
/// the original): constants, the scalar shape arithmetic that sizes the
/// batched ops (a `tensor.dim` of the batch then measures the sub-batch),
/// and the empty or filled tensors it sizes (the initial values of
/// matmuls, which CSE shares between the sides of a select).
bool isCloneable(Operation *op) {
  if (op->hasTrait<OpTrait::ConstantLike>() ||
      isa<tensor::DimOp, tensor::EmptyOp>(op))
    return true;
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>() != nullptr;
  return op->getDialect() && isa<arith::ArithDialect>(op->getDialect()) &&
         isPure(op) && llvm::all_of(op->getResultTypes(), [](Type t) {
           return t.isIntOrIndexOrFloat();
         });
}

/// Ops worth running on a sub-batch only: contractions.
bool isHeavy(Operation *op) {
  if (isa<tosa::Conv2DOp, tosa::Conv3DOp, tosa::DepthwiseConv2DOp,
          tosa::TransposeConv2DOp, tosa::MatMulOp>(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumReductionLoops() > 0;
}

/// The integer elements of a tosa.const_shape, or nothing.
std::optional<SmallVector<int64_t>> getShapeValues(Value shape) {
  SmallVector<int64_t> values;
  if (!tosa::getConstShapeValues(shape.getDefiningOp(), values))
    return std::nullopt;
  return values;
}

/// Which dim of each value is the batch, for the values of one slice.
class BatchAxes {
public:
  /// Marks `value` (from outside the slice) as batched along dim 0 when it
  /// can be: a non-constant tensor whose dim 0 is dynamic.
  void addInput(Value value) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    Operation *def = value.getDefiningOp();
    if (type && type.getRank() > 0 && type.isDynamicDim(0) &&
        !(def && def->hasTrait<OpTrait::ConstantLike>()))
      axes[value] = 0;
  }
  std::optional<int64_t> axisOf(Value value) const {
    auto it = axes.find(value);
    if (it == axes.end())
      return std::nullopt;
    return it->second;
  }
  bool isBatchSize(Value value) const { return batchSizes.contains(value); }

  /// Applies the rule of `op` to its operands' axes; fails when `op` may
  /// mix samples (or has no rule).
  LogicalResult visit(Operation *op);

private:
  LogicalResult setAxis(Value value, int64_t axis) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    // Sub-batches have any number of rows: the batch dim must be dynamic.
    if (!type || axis >= type.getRank() || !type.isDynamicDim(axis))
      return failure();
    axes[value] = axis;
    return success();
  }
  LogicalResult visitElementwise(Operation *op);
  LogicalResult visitReshape(tosa::ReshapeOp op, int64_t axis);

  DenseMap<Value, int64_t> axes;
  DenseSet<Value> batchSizes;
};

LogicalResult BatchAxes::visitElementwise(Operation *op) {
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType)
    return failure();
  std::optional<int64_t> axis;
  for (Value operand : op->getOperands()) {
    if (std::optional<int64_t> a = axisOf(operand)) {
      if ((axis && *axis != *a) ||
          cast<RankedTensorType>(operand.getType()).getRank() !=
              resultType.getRank())
        return failure();
      axis = a;
    }
  }
  if (!axis)
    return success();
  // Operands shared by the samples broadcast along the batch dim.
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (axisOf(operand) || !type || type.getRank() != resultType.getRank())
      continue;
    if (type.getDimSize(*axis) != 1)
      return failure();
  }
  for (Value result : op->getResults())
    if (failed(setAxis(result, *axis)))
      return failure();
  return success();
}

LogicalResult BatchAxes::visitReshape(tosa::ReshapeOp op, int64_t axis) {
  // Only reshapes of the dims around the batch dim: the same static number
  // of elements before it, the batch dim inferred (-1), and the same static
  // number of elements after it.
  auto input = cast<RankedTensorType>(op.getInput1().getType());
  auto output = cast<RankedTensorType>(op.getType());
  std::optional<SmallVector<int64_t>> shape = getShapeValues(op.getShape());
  if (!shape)
    return failure();
  auto product = [](ArrayRef<int64_t> dims) -> std::optional<int64_t> {
    int64_t n = 1;
    for (int64_t d : dims) {
      if (ShapedType::isDynamic(d) || d < 0)
        return std::nullopt;
      n *= d;
    }
    return n;
  };
  std::optional<int64_t> before = product(input.getShape().take_front(axis));
  std::optional<int64_t> after = product(input.getShape().drop_front(axis + 1));
  if (!before || !after)
    return failure();
  for (int64_t out = 0; out < output.getRank(); ++out) {
    if ((*shape)[out] != -1)
      continue;
    std::optional<int64_t> outBefore =
        product(ArrayRef<int64_t>(*shape).take_front(out));
    std::optional<int64_t> outAfter =
        product(ArrayRef<int64_t>(*shape).drop_front(out + 1));
    if (outBefore == before && outAfter == after)
      return setAxis(op.getResult(), out);
    return failure();
  }
  return failure();
}

LogicalResult BatchAxes::visit(Operation *op) {
  auto anyBatched = [&](ValueRange values) {
    return llvm::any_of(values, [&](Value v) {
      return axisOf(v).has_value() || isBatchSize(v);
    });
  };
  if (op->hasTrait<OpTrait::ConstantLike>())
    return success();
  if (auto dim = dyn_cast<tensor::DimOp>(op)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    std::optional<int64_t> axis = axisOf(dim.getSource());
    if (axis && (!index || *index == *axis))
      batchSizes.insert(dim.getResult());
    return success(!axis || index.has_value());
  }
  if (isa<arith::IndexCastOp, arith::IndexCastUIOp>(op)) {
    if (isBatchSize(op->getOperand(0)))
      batchSizes.insert(op->getResult(0));
    return success();
  }
  if (isa<arith::ArithDialect>(op->getDialect()) && isCloneable(op))
    // Other scalar arithmetic of the batch size (the sub-batch's would
    // differ) has no rule.
    return success(!anyBatched(op->getOperands()));
  if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
    std::optional<int64_t> axis;
    for (auto [d, size] : llvm::enumerate(empty.getMixedSizes())) {
      auto value = dyn_cast<Value>(size);
      if (!value || !isBatchSize(value))
        continue;
      if (axis)
        return failure();
      axis = d;
    }
    return axis ? setAxis(empty.getResult(), *axis) : success();
  }
  if (auto fill = dyn_cast<linalg::FillOp>(op)) {
    if (anyBatched(fill.getInputs()))
      return failure();
    std::optional<int64_t> axis = axisOf(fill.getOutputs()[0]);
    return axis ? setAxis(fill.getResult(0), *axis) : success();
  }
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op)) {
    std::optional<int64_t> lhs = axisOf(matmul.getInputs()[0]);
    std::optional<int64_t> rhs = axisOf(matmul.getInputs()[1]);
    std::optional<int64_t> init = axisOf(matmul.getOutputs()[0]);
    if (!lhs && !rhs && !init)
      return success();
    if (matmul.hasUserDefinedMaps() || lhs != 0 || rhs || init != 0)
      return failure();
    return setAxis(matmul.getResult(0), 0);
  }
  if (op->hasTrait<OpTrait::tosa::TosaElementwiseOperator>() ||
      op->hasTrait<OpTrait::Elementwise>() ||
      isa<tosa::MulOp, tosa::CastOp, tosa::RescaleOp>(op))
    return visitElementwise(op);

  // Ops whose first operand is the batched one.
  if (op->getNumOperands() == 0 || op->getNumResults() != 1)
    return failure();
  std::optional<int64_t> axis = axisOf(op->getOperand(0));
  if (anyBatched(op->getOperands().drop_front()))
    return failure();
  if (!axis)
    return success();
  Value result = op->getResult(0);
  if (isa<tosa::Conv2DOp, tosa::Conv3DOp, tosa::DepthwiseConv2DOp,
          tosa::TransposeConv2DOp, tosa::AvgPool2dOp, tosa::MaxPool2dOp>(op))
    return success(*axis == 0 && succeeded(setAxis(result, 0)));
  if (auto transpose = dyn_cast<tosa::TransposeOp>(op)) {
    for (auto [j, p] : llvm::enumerate(transpose.getPerms()))
      if (p == *axis)
        return setAxis(result, j);
    return failure();
  }
  if (auto reshape = dyn_cast<tosa::ReshapeOp>(op))
    return visitReshape(reshape, *axis);
  if (isa<tosa::ReduceSumOp, tosa::ReduceMaxOp, tosa::ReduceMinOp,
          tosa::ReduceProductOp, tosa::ReduceAllOp, tosa::ReduceAnyOp,
          tosa::ArgMaxOp>(op)) {
    auto reduced = op->getAttrOfType<IntegerAttr>("axis");
    if (!reduced || reduced.getInt() == *axis)
      return failure();
    return setAxis(result, *axis);
  }
  if (auto pad = dyn_cast<tosa::PadOp>(op)) {
    std::optional<SmallVector<int64_t>> padding =
        getShapeValues(pad.getPadding());
    if (!padding || (*padding)[2 * *axis] != 0 ||
        (*padding)[2 * *axis + 1] != 0)
      return failure();
    return setAxis(result, *axis);
  }
  if (isa<tensor::CastOp>(op))
    return setAxis(result, *axis);
  return failure();
}

/// The ops of the block of `select` that compute its operand `side` for it
/// alone (plus the cloneable ops they use), in program order.
SetVector<Operation *> getExclusiveSlice(tosa::SelectOp select, Value side) {
  Block *block = select->getBlock();
  SetVector<Operation *> slice;
  SmallVector<Value> worklist = {side};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    Operation *def = value.getDefiningOp();
    // Ops with regions other than a linalg op's body (control flow) stay.
    if (!def || def->getBlock() != block ||
        (def->getNumRegions() != 0 && !isa<linalg::LinalgOp>(def)) ||
        !isMemoryEffectFree(def) || !slice.insert(def))
      continue;
    llvm::append_range(worklist, def->getOperands());
  }
  // Drop what other ops use too (cloneable ops are copied instead).
  bool changed = true;
  while (changed) {
    changed = false;
    for (Operation *op : llvm::make_early_inc_range(slice)) {
      if (isCloneable(op))
        continue;
      bool shared = llvm::any_of(op->getUses(), [&](OpOperand &use) {
        Operation *user = use.getOwner();
        if (user == select.getOperation())
          return use.get() != side || use.getOperandNumber() == 0;
        return !slice.contains(user);
      });
      if (shared) {
        slice.remove(op);
        changed = true;
      }
    }
  }
  SmallVector<Operation *> ordered = slice.takeVector();
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return SetVector<Operation *>(ordered.begin(), ordered.end());
}

/// The values that `slice` (computing `side`) uses from outside it.
SetVector<Value> getSliceInputs(const SetVector<Operation *> &slice,
                                Value side) {
  SetVector<Value> inputs;
  for (Operation *op : slice)
    for (Value operand : op->getOperands())
      if (!slice.contains(operand.getDefiningOp()))
        inputs.insert(operand);
  if (!slice.contains(side.getDefiningOp()))
    inputs.insert(side);
  return inputs;
}

/// One side of a select to raise: its ops and its batched inputs.
struct Side {
  Value value;
  SetVector<Operation *> slice;
  SmallVector<Value> batched;
};

/// Checks that `side` of `select` can run on a sub-batch; fills `out`.
LogicalResult analyzeSide(tosa::SelectOp select, Value side, Side &out) {
  out.value = side;
  out.slice = getExclusiveSlice(select, side);
  BatchAxes axes;
  for (Value input : getSliceInputs(out.slice, side)) {
    axes.addInput(input);
    if (axes.axisOf(input))
      out.batched.push_back(input);
  }
  for (Operation *op : out.slice)
    if (failed(axes.visit(op))) {
      LLVM_DEBUG(llvm::dbgs() << "not per-sample: " << *op << "\n");
      return failure();
    }
  return success(axes.axisOf(side) == 0);
}

/// Clones `side` into `block` (whose arguments stand for `inputs`) and
/// yields it.
void buildRegion(OpBuilder &builder, Location loc, Block *block,
                 ArrayRef<Value> inputs, const Side &side) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(block);
  IRMapping mapping;
  for (auto [input, arg] : llvm::zip(inputs, block->getArguments()))
    mapping.map(input, castToType(builder, loc, arg, input.getType()));
  for (Operation *op : side.slice)
    builder.clone(*op, mapping);
  Value yielded = mapping.lookupOrDefault(side.value);
  YieldOp::create(
      builder, loc,
      castToType(builder, loc, yielded, getSubBatchType(yielded.getType())));
}

/// Whether `select` picks whole samples: one predicate per sample
/// ([?, 1, ..., 1]), both sides of the result's type, and static non-batch
/// result dims (dyn-lower-batch-branches).
bool isPerSample(tosa::SelectOp select) {
  auto type = cast<RankedTensorType>(select.getType());
  auto predType = cast<RankedTensorType>(select.getInput1().getType());
  return type.getRank() != 0 && type.isDynamicDim(0) &&
         predType.getRank() == type.getRank() && predType.isDynamicDim(0) &&
         llvm::all_of(predType.getShape().drop_front(),
                      [](int64_t d) { return d == 1; }) &&
         llvm::none_of(type.getShape().drop_front(), ShapedType::isDynamic) &&
         select.getInput2().getType() == type &&
         select.getInput3().getType() == type &&
         select.getInput2() != select.getInput3();
}

/// A per-sample predicate `equal(%k, c)` (through reshapes): the 1-D
/// integer selector `%k` and the constant `c`.
std::optional<std::pair<Value, int64_t>> getCaseTest(Value predicate) {
  while (auto reshape = predicate.getDefiningOp<tosa::ReshapeOp>())
    predicate = reshape.getInput1();
  auto equal = predicate.getDefiningOp<tosa::EqualOp>();
  if (!equal)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(equal.getInput1().getType());
  DenseIntElementsAttr value;
  if (!type || type.getRank() != 1 || !type.isDynamicDim(0) ||
      !type.getElementType().isSignlessInteger() ||
      (type.getElementTypeBitWidth() != 32 &&
       type.getElementTypeBitWidth() != 64) ||
      !matchPattern(equal.getInput2(), m_Constant(&value)) || !value.isSplat())
    return std::nullopt;
  return std::make_pair(equal.getInput1(),
                        value.getSplatValue<APInt>().getSExtValue());
}

/// Erases `value`'s producers back through the predicate chain (reshapes,
/// the comparison) while nothing else uses them.
void eraseDeadPredicate(Value value, function_ref<void(Operation *)> erasing) {
  while (Operation *def = value.getDefiningOp()) {
    if (!def->use_empty() || !isa<tosa::ReshapeOp, tosa::EqualOp>(def))
      return;
    value = def->getOperand(0);
    erasing(def);
    def->erase();
  }
}

/// A chain of selects that routes each sample by its selector's value
/// (`torch.where(k == 0, e0(x), torch.where(k == 1, e1(x), d(x)))`, every
/// inner select used by the outer one alone): one dyn.batch_switch, one
/// partition of the batch instead of one per level.
LogicalResult raiseChain(tosa::SelectOp outer,
                         function_ref<void(Operation *)> erasing) {
  SmallVector<tosa::SelectOp> chain;
  SmallVector<int64_t> cases;
  Value selector;
  for (tosa::SelectOp select = outer; select;) {
    std::optional<std::pair<Value, int64_t>> test =
        getCaseTest(select.getInput1());
    if (!test || !isPerSample(select) ||
        (selector && test->first != selector) ||
        llvm::is_contained(cases, test->second))
      break;
    selector = test->first;
    chain.push_back(select);
    cases.push_back(test->second);
    auto inner = select.getInput3().getDefiningOp<tosa::SelectOp>();
    select = inner && inner->getBlock() == outer->getBlock() &&
                     inner->hasOneUse() && inner.getType() == outer.getType()
                 ? inner
                 : nullptr;
  }
  if (chain.size() < 2)
    return failure();

  // Sides: each case's true side, and the last select's false side.
  SmallVector<Side> sides(chain.size() + 1);
  for (auto [select, side] : llvm::zip(chain, sides))
    if (failed(analyzeSide(select, select.getInput2(), side)))
      return failure();
  if (failed(analyzeSide(chain.back(), chain.back().getInput3(), sides.back())))
    return failure();
  if (llvm::none_of(sides, [](const Side &side) {
        return llvm::any_of(side.slice, isHeavy);
      }))
    return failure();

  OpBuilder builder(outer);
  Location loc = outer.getLoc();
  SetVector<Value> inputs;
  for (const Side &side : sides)
    inputs.insert(side.batched.begin(), side.batched.end());
  SmallVector<Value> inputList = inputs.takeVector();
  auto routed = BatchSwitchOp::create(
      builder, loc, TypeRange{outer.getType()}, selector, inputList,
      builder.getDenseI64ArrayAttr(cases), cases.size());
  SmallVector<Type> argTypes;
  for (Value input : inputList)
    argTypes.push_back(getSubBatchType(input.getType()));
  SmallVector<Location> argLocs(inputList.size(), loc);
  // Region 0: the default (the last false side); region k + 1: case k.
  for (auto [k, region] : llvm::enumerate(routed->getRegions())) {
    const Side &side = k == 0 ? sides.back() : sides[k - 1];
    Block *block = builder.createBlock(&region, {}, argTypes, argLocs);
    buildRegion(builder, loc, block, inputList, side);
  }
  outer.replaceAllUsesWith(routed.getResult(0));
  SmallVector<Value> predicates;
  for (tosa::SelectOp select : chain) {
    predicates.push_back(select.getInput1());
    erasing(select);
    select.erase();
  }
  for (const Side &side : llvm::reverse(sides))
    for (Operation *op : llvm::reverse(side.slice))
      if (op->use_empty()) {
        op->walk(erasing);
        op->erase();
      }
  for (Value predicate : predicates)
    eraseDeadPredicate(predicate, erasing);
  return success();
}

/// Raises `select` when its mask is per sample and one of its sides is a
/// contraction-bearing computation that treats samples independently;
/// `erasing` sees every op erased.
LogicalResult raise(tosa::SelectOp select,
                    function_ref<void(Operation *)> erasing) {
  auto type = cast<RankedTensorType>(select.getType());
  auto predType = cast<RankedTensorType>(select.getInput1().getType());
  if (!isPerSample(select))
    return failure();

  Side thenSide, elseSide;
  if (failed(analyzeSide(select, select.getInput2(), thenSide)) ||
      failed(analyzeSide(select, select.getInput3(), elseSide)))
    return failure();
  if (llvm::none_of(thenSide.slice, isHeavy) &&
      llvm::none_of(elseSide.slice, isHeavy))
    return failure();

  OpBuilder builder(select);
  Location loc = select.getLoc();
  Value mask = select.getInput1();
  if (predType.getRank() != 1) {
    ImplicitLocOpBuilder shapeBuilder(loc, builder);
    Value shape = tosa::getTosaConstShape(shapeBuilder, {-1});
    mask = tosa::ReshapeOp::create(
        builder, loc,
        RankedTensorType::get({ShapedType::kDynamic}, builder.getI1Type()),
        mask, shape);
  }
  SetVector<Value> inputs(thenSide.batched.begin(), thenSide.batched.end());
  inputs.insert(elseSide.batched.begin(), elseSide.batched.end());
  SmallVector<Value> inputList = inputs.takeVector();
  auto cond =
      BatchCondOp::create(builder, loc, TypeRange{type}, mask, inputList);
  SmallVector<Type> argTypes;
  for (Value input : inputList)
    argTypes.push_back(getSubBatchType(input.getType()));
  SmallVector<Location> argLocs(inputList.size(), loc);
  for (auto [region, side] :
       {std::pair<Region *, Side *>{&cond.getThenRegion(), &thenSide},
        {&cond.getElseRegion(), &elseSide}}) {
    Block *block = builder.createBlock(region, {}, argTypes, argLocs);
    buildRegion(builder, loc, block, inputList, *side);
  }
  select.replaceAllUsesWith(cond.getResult(0));
  erasing(select);
  select.erase();
  // The originals that only the select used are dead now.
  for (const Side *side : {&elseSide, &thenSide})
    for (Operation *op : llvm::reverse(side->slice))
      if (op->use_empty()) {
        op->walk(erasing);
        op->erase();
      }
  return success();
}

struct DynRaiseBatchSelectsPass
    : public dyn::impl::DynRaiseBatchSelectsBase<DynRaiseBatchSelectsPass> {
  void runOnOperation() override {
    // Outermost first (the last select of a chain of torch.where): the
    // inner selects are then cloned into a region, their masks among its
    // inputs, and raised there by a later round. Each round walks afresh
    // since a raise clones and erases ops.
    DenseSet<Operation *> tried;
    auto forget = [&](Operation *op) { tried.erase(op); };
    while (true) {
      SmallVector<tosa::SelectOp> pending;
      getOperation().walk([&](tosa::SelectOp op) {
        if (!tried.contains(op.getOperation()))
          pending.push_back(op);
      });
      auto raised =
          llvm::find_if(llvm::reverse(pending), [&](tosa::SelectOp op) {
            tried.insert(op.getOperation());
            return succeeded(raiseChain(op, forget)) ||
                   succeeded(raise(op, forget));
          });
      if (raised == llvm::reverse(pending).end())
        break;
      ++numRaised;
    }
  }
};

} // namespace

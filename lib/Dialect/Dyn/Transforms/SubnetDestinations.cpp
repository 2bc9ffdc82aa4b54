//===- SubnetDestinations.cpp - shape functions and subnet destinations ---===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Nimble's shape functions, built from upstream's shape reification: a clone
// of the subnet that returns the dims of its results, simplified until only
// index arithmetic on argument dims remains. IREE's dispatch regions take
// their outputs as operands the same way; upstream has no pass that turns a
// func.func into destination-passing style across its call sites.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Dialect/Dyn/IR/DynOps.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Affine/Transforms/Transforms.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallPtrSet.h"

#define DEBUG_TYPE "dyn-subnet-destinations"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNSUBNETDESTINATIONS
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Ops a shape function may keep: index arithmetic on argument dims.
bool isShapeComputation(Operation *op) {
  if (isa<func::ReturnOp>(op) || op->hasTrait<OpTrait::ConstantLike>())
    return true;
  if (auto dim = dyn_cast<tensor::DimOp>(op))
    return isa<BlockArgument>(dim.getSource());
  return isHostScalarOp(op);
}

/// If `value` is computed by destination-style ops into a fresh
/// `tensor.empty`, the init operand that holds that empty: using the
/// destination there makes the producers write straight into it. Anything
/// else (a concat, a reshape of the result, a constant) would be computed
/// elsewhere and copied in, costing more than the subnet allocating its
/// result itself.
OpOperand *getRootInit(Value value) {
  for (int depth = 0; depth < 16; ++depth) {
    auto result = dyn_cast<OpResult>(value);
    auto dps = result ? dyn_cast<DestinationStyleOpInterface>(result.getOwner())
                      : DestinationStyleOpInterface();
    if (!dps)
      return nullptr;
    OpOperand *init = dps.getTiedOpOperand(result);
    if (init->get().getDefiningOp<tensor::EmptyOp>())
      return init;
    value = init->get();
  }
  return nullptr;
}

class DestinationBuilder {
public:
  DestinationBuilder(ModuleOp module, const FrozenRewritePatternSet &patterns)
      : module(module), symbols(module), patterns(patterns) {}

  /// The shape function of `subnet` for results `results` (null if their
  /// shapes are static), or failure if they depend on data.
  FailureOr<func::FuncOp> buildShapeFunction(func::FuncOp subnet,
                                             ArrayRef<unsigned> results);
  /// Adds destination arguments for `results` to `subnet` and its calls.
  void passDestinations(func::FuncOp subnet, ArrayRef<unsigned> results,
                        func::FuncOp shapeFunction);

  /// For results whose dims depend on data: a shape function returning an
  /// upper bound of each dynamic dim in terms of the arguments (value-bounds
  /// analysis), or failure if some dim has none.
  FailureOr<func::FuncOp> buildBoundFunction(func::FuncOp subnet,
                                             ArrayRef<unsigned> results);
  /// Passes destinations of the bounded size for `results`: the subnet
  /// computes each into a leading slice of its destination and also returns
  /// the slice's dynamic sizes, with which call sites take the slice.
  void passBoundedDestinations(func::FuncOp subnet, ArrayRef<unsigned> results,
                               func::FuncOp boundFunction);

private:
  /// Creates `@<subnet>__shape` with the subnet's arguments, returning
  /// `types`, marked `dyn.shape_function`; the body is left to the caller.
  func::FuncOp createShapeFunction(func::FuncOp subnet, TypeRange types);

  ModuleOp module;
  SymbolTable symbols;
  const FrozenRewritePatternSet &patterns;
};

FailureOr<func::FuncOp>
DestinationBuilder::buildShapeFunction(func::FuncOp subnet,
                                       ArrayRef<unsigned> results) {
  bool dynamic = llvm::any_of(results, [&](unsigned k) {
    return !cast<RankedTensorType>(subnet.getResultTypes()[k]).hasStaticShape();
  });
  if (!dynamic)
    return func::FuncOp();

  OpBuilder builder(subnet);
  builder.setInsertionPointAfter(subnet);
  auto shape = cast<func::FuncOp>(builder.clone(*subnet.getOperation()));
  clearSubnet(shape);
  setShapeFunction(shape);
  symbols.insert(shape);
  (void)symbols.rename(shape, (subnet.getSymName() + "__shape").str());

  auto ret = cast<func::ReturnOp>(shape.getBody().front().getTerminator());
  builder.setInsertionPoint(ret);
  SmallVector<Value> dims;
  for (unsigned k : results) {
    Value result = ret.getOperand(k);
    auto type = cast<RankedTensorType>(result.getType());
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dims.push_back(tensor::DimOp::create(builder, ret.getLoc(), result, d));
  }
  func::ReturnOp::create(builder, ret.getLoc(), dims);
  ret.erase();
  shape.setFunctionType(FunctionType::get(shape.getContext(),
                                          shape.getArgumentTypes(),
                                          ValueRange(dims).getTypes()));

  // Reify dims through the producers until only argument dims remain; dead
  // compute goes with the greedy driver's dead-code elimination.
  (void)applyPatternsGreedily(shape, patterns);
  bool pure = true;
  shape.walk([&](Operation *op) {
    if (op != shape && !isShapeComputation(op))
      pure = false;
  });
  if (!pure) {
    symbols.erase(shape);
    return failure();
  }
  return shape;
}

void DestinationBuilder::passDestinations(func::FuncOp subnet,
                                          ArrayRef<unsigned> results,
                                          func::FuncOp shapeFunction) {
  // The subnet: one destination argument per result, used as the init of
  // the op chain that computes it. Bufferization writes the result there
  // when it can and copies out of place when it cannot (a destination read
  // after it is overwritten), never failing.
  Block &body = subnet.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (unsigned k : results) {
    Value result = ret.getOperand(k);
    // insertArgument keeps the argument attributes in step.
    unsigned index = subnet.getNumArguments();
    (void)subnet.insertArgument(index, result.getType(), DictionaryAttr(),
                                result.getLoc());
    getRootInit(result)->set(body.getArgument(index));
  }

  // Call sites: shapes on the host, then empty destinations. The shape
  // function returns the dynamic dims of `results`, in order.
  std::optional<SymbolTable::UseRange> uses =
      SymbolTable::getSymbolUses(subnet, module);
  for (const SymbolTable::SymbolUse &use : *uses) {
    auto call = cast<func::CallOp>(use.getUser());
    OpBuilder b(call);
    SmallVector<Value> dims;
    if (shapeFunction)
      dims = func::CallOp::create(b, call.getLoc(), shapeFunction,
                                  call.getOperands())
                 .getResults();
    SmallVector<Value> operands(call.getOperands());
    auto nextDim = dims.begin();
    for (unsigned k : results) {
      auto type = cast<RankedTensorType>(subnet.getResultTypes()[k]);
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          sizes.push_back(*nextDim++);
      operands.push_back(
          tensor::EmptyOp::create(b, call.getLoc(), type, sizes));
    }
    call->setOperands(operands);
  }
}

func::FuncOp DestinationBuilder::createShapeFunction(func::FuncOp subnet,
                                                     TypeRange types) {
  OpBuilder builder(subnet);
  builder.setInsertionPointAfter(subnet);
  auto type =
      FunctionType::get(subnet.getContext(), subnet.getArgumentTypes(), types);
  auto shape = func::FuncOp::create(
      builder, subnet.getLoc(), (subnet.getSymName() + "__shape").str(), type);
  shape.setPrivate();
  setShapeFunction(shape);
  symbols.insert(shape);
  shape.addEntryBlock();
  return shape;
}

FailureOr<func::FuncOp>
DestinationBuilder::buildBoundFunction(func::FuncOp subnet,
                                       ArrayRef<unsigned> results) {
  Block &body = subnet.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  // Bounds in terms of the subnet's arguments (their dims, index values).
  auto isArgument = [&](Value value, std::optional<int64_t>,
                        ValueBoundsConstraintSet &) {
    auto arg = dyn_cast<BlockArgument>(value);
    return arg && arg.getOwner() == &body;
  };
  SmallVector<std::pair<AffineMap, ValueDimList>> bounds;
  for (unsigned k : results) {
    Value result = ret.getOperand(k);
    auto type = cast<RankedTensorType>(result.getType());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        continue;
      AffineMap map;
      ValueDimList operands;
      if (failed(ValueBoundsConstraintSet::computeBound(
              map, operands, presburger::BoundType::UB,
              ValueBoundsConstraintSet::Variable(result, d), isArgument,
              /*closedUB=*/true)))
        return failure();
      bounds.push_back({map, std::move(operands)});
    }
  }

  SmallVector<Type> types(bounds.size(), IndexType::get(subnet.getContext()));
  func::FuncOp shape = createShapeFunction(subnet, types);
  setUpperBounds(shape);
  Block &entry = shape.getBody().front();
  OpBuilder builder = OpBuilder::atBlockEnd(&entry);
  SmallVector<Value> values;
  for (auto &[map, operands] : bounds) {
    ValueDimList mapped;
    for (auto [value, dim] : operands)
      mapped.push_back(
          {entry.getArgument(cast<BlockArgument>(value).getArgNumber()), dim});
    values.push_back(getValueOrCreateConstantIndexOp(
        builder, shape.getLoc(),
        affine::materializeComputedBound(builder, shape.getLoc(), map,
                                         mapped)));
  }
  func::ReturnOp::create(builder, shape.getLoc(), values);
  return shape;
}

void DestinationBuilder::passBoundedDestinations(func::FuncOp subnet,
                                                 ArrayRef<unsigned> results,
                                                 func::FuncOp boundFunction) {
  // The subnet: %slice = extract_slice %dest[0..][sizes][1..] replaces the
  // tensor.empty the result is computed into; the result is inserted back
  // (in place after bufferization), and the dest returned with the sizes.
  Block &body = subnet.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  SmallVector<Value> returned(ret.getOperands());
  SmallVector<Value> sizes;
  OpBuilder builder(ret);
  for (unsigned k : results) {
    Value result = ret.getOperand(k);
    auto type = cast<RankedTensorType>(result.getType());
    unsigned index = subnet.getNumArguments();
    (void)subnet.insertArgument(index, type, DictionaryAttr(), result.getLoc());
    Value dest = body.getArgument(index);
    OpOperand *init = getRootInit(result);
    auto empty = init->get().getDefiningOp<tensor::EmptyOp>();
    SmallVector<OpFoldResult> mixedSizes = empty.getMixedSizes();
    SmallVector<OpFoldResult> zeros(type.getRank(), builder.getIndexAttr(0));
    SmallVector<OpFoldResult> ones(type.getRank(), builder.getIndexAttr(1));
    OpBuilder atEmpty(empty);
    Value slice = tensor::ExtractSliceOp::create(atEmpty, empty.getLoc(), type,
                                                 dest, zeros, mixedSizes, ones);
    init->set(slice);
    returned[k] = tensor::InsertSliceOp::create(builder, ret.getLoc(), result,
                                                dest, zeros, mixedSizes, ones);
    llvm::append_range(sizes, empty.getDynamicSizes());
    if (empty->use_empty())
      empty.erase();
  }
  llvm::append_range(returned, sizes);
  func::ReturnOp::create(builder, ret.getLoc(), returned);
  ret.erase();
  subnet.setFunctionType(FunctionType::get(subnet.getContext(),
                                           subnet.getArgumentTypes(),
                                           ValueRange(returned).getTypes()));

  // Call sites: bounds on the host, destinations of that size, then the
  // slices the subnet filled.
  std::optional<SymbolTable::UseRange> uses =
      SymbolTable::getSymbolUses(subnet, module);
  for (const SymbolTable::SymbolUse &use : llvm::to_vector(*uses)) {
    auto call = cast<func::CallOp>(use.getUser());
    OpBuilder b(call);
    Location loc = call.getLoc();
    SmallVector<Value> bounds =
        func::CallOp::create(b, loc, boundFunction, call.getOperands())
            .getResults();
    SmallVector<Value> operands(call.getOperands());
    auto nextBound = bounds.begin();
    for (unsigned k : results) {
      auto type = cast<RankedTensorType>(subnet.getResultTypes()[k]);
      SmallVector<Value> dims;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d))
          dims.push_back(*nextBound++);
      operands.push_back(tensor::EmptyOp::create(b, loc, type, dims));
    }
    auto newCall = func::CallOp::create(b, loc, subnet, operands);
    SmallVector<Value> replacements(
        newCall.getResults().take_front(call.getNumResults()));
    auto nextSize = newCall.getResults().begin() + call.getNumResults();
    for (unsigned k : results) {
      auto type = cast<RankedTensorType>(call.getResultTypes()[k]);
      SmallVector<OpFoldResult> sliceSizes;
      for (int64_t d = 0; d < type.getRank(); ++d)
        sliceSizes.push_back(type.isDynamicDim(d) ? OpFoldResult(*nextSize++)
                                                  : OpFoldResult(b.getIndexAttr(
                                                        type.getDimSize(d))));
      SmallVector<OpFoldResult> zeros(type.getRank(), b.getIndexAttr(0));
      SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
      replacements[k] = tensor::ExtractSliceOp::create(
          b, loc, type, newCall.getResult(k), zeros, sliceSizes, ones);
    }
    call.replaceAllUsesWith(replacements);
    call.erase();
  }
}

struct DynSubnetDestinationsPass
    : public dyn::impl::DynSubnetDestinationsBase<DynSubnetDestinationsPass> {
  void runOnOperation() override {
    // Value bounds read every dim index: out-of-range ones are errors here.
    if (failed(dyn::checkInput(getOperation())))
      return signalPassFailure();
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    populateAllCanonicalizationPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));

    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> subnets;
    for (auto func : module.getOps<func::FuncOp>())
      if (isSubnet(func) && !func.isDeclaration())
        subnets.push_back(func);

    DestinationBuilder builder(module, frozen);
    for (func::FuncOp subnet : subnets) {
      // Only subnets every use of which is a direct call can change
      // signature.
      std::optional<SymbolTable::UseRange> uses =
          SymbolTable::getSymbolUses(subnet, module);
      if (!uses || llvm::any_of(*uses, [](const SymbolTable::SymbolUse &use) {
            return !isa<func::CallOp>(use.getUser());
          }))
        continue;
      // Results a destination-style chain computes from a tensor.empty.
      // Two results from one chain (a fill returned beside the matmul that
      // accumulates into it) share their root: only the first takes a
      // destination (the fuzzer found a crash giving both).
      SmallVector<unsigned> results;
      llvm::SmallPtrSet<OpOperand *, 4> roots;
      auto ret = cast<func::ReturnOp>(subnet.getBody().front().getTerminator());
      for (auto [k, result] : llvm::enumerate(ret.getOperands())) {
        OpOperand *init = isa<RankedTensorType>(result.getType())
                              ? getRootInit(result)
                              : nullptr;
        if (init && init->get().getType() == result.getType() &&
            roots.insert(init).second)
          results.push_back(k);
      }
      if (results.empty())
        continue;
      FailureOr<func::FuncOp> shape =
          builder.buildShapeFunction(subnet, results);
      if (failed(shape)) {
        ++numDataDependent;
        // Sizes that depend on data: destinations of an upper bound, when
        // one follows from the arguments.
        FailureOr<func::FuncOp> bound =
            builder.buildBoundFunction(subnet, results);
        if (failed(bound))
          continue;
        ++numBounded;
        numDestinations += results.size();
        builder.passBoundedDestinations(subnet, results, *bound);
        continue;
      }
      if (*shape)
        ++numShapeFunctions;
      numDestinations += results.size();
      builder.passDestinations(subnet, results, *shape);
    }
  }
};

} // namespace

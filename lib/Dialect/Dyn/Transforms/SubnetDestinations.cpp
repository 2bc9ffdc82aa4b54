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

#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

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

private:
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
  shape->removeAttr(kSubnetAttrName);
  shape->setAttr("dyn.shape_function", builder.getUnitAttr());
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

struct DynSubnetDestinationsPass
    : public dyn::impl::DynSubnetDestinationsBase<DynSubnetDestinationsPass> {
  void runOnOperation() override {
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
      SmallVector<unsigned> results;
      auto ret = cast<func::ReturnOp>(subnet.getBody().front().getTerminator());
      for (auto [k, result] : llvm::enumerate(ret.getOperands())) {
        OpOperand *init = isa<RankedTensorType>(result.getType())
                              ? getRootInit(result)
                              : nullptr;
        if (init && init->get().getType() == result.getType())
          results.push_back(k);
      }
      if (results.empty())
        continue;
      FailureOr<func::FuncOp> shape =
          builder.buildShapeFunction(subnet, results);
      if (failed(shape)) {
        ++numDataDependent;
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

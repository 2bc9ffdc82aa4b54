//===- CheckSubnetShapes.cpp - dim equalities checked at subnet calls -----===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// cf.assert would abort the host process; dyn reports the violation through
// its runtime and skips the remaining work instead, so a bad shape reaching
// a subnet is an error code, never a crash or an out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"

#define DEBUG_TYPE "dyn-check-subnet-shapes"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNCHECKSUBNETSHAPES
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Argument dims of a subnet that must have one extent.
using DimGroup = SmallVector<std::pair<unsigned, int64_t>>;

/// What a subnet requires of its argument dims.
struct Contract {
  SmallVector<DimGroup> equal;
  /// (argument, dim, extent): dynamic dims the body needs at one extent.
  SmallVector<std::tuple<unsigned, int64_t, int64_t>> extents;
  bool empty() const { return equal.empty() && extents.empty(); }
};

/// What `subnet` requires of its argument dims: dims sharing a symbol of
/// dyn-infer-symbolic-dims' analysis, and its required static extents.
Contract getContract(func::FuncOp subnet) {
  annotateSymbolicDims(subnet);
  Contract contract;
  llvm::MapVector<int64_t, DimGroup> bySymbol;
  for (unsigned i = 0; i < subnet.getNumArguments(); ++i) {
    if (auto symbols = getSymbolicDims(subnet, i))
      for (auto [d, symbol] : llvm::enumerate(symbols.asArrayRef()))
        if (symbol >= 0)
          bySymbol[symbol].push_back({i, (int64_t)d});
    if (auto required = getRequiredExtents(subnet, i))
      for (auto [d, extent] : llvm::enumerate(required.asArrayRef()))
        if (extent >= 0)
          contract.extents.push_back({i, (int64_t)d, extent});
  }
  for (auto &[symbol, group] : bySymbol)
    if (group.size() > 1)
      contract.equal.push_back(group);
  return contract;
}

/// A stand-in value of `type` for a skipped call: zeros, or an empty tensor
/// where dims are dynamic.
FailureOr<Value> createStandIn(OpBuilder &b, Location loc, Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    Type element = tensor.getElementType();
    if (!element.isIntOrIndexOrFloat())
      return failure();
    if (tensor.hasStaticShape())
      return Value(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(tensor, b.getZeroAttr(element))));
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    SmallVector<Value> sizes(tensor.getNumDynamicDims(), zero);
    return Value(tensor::EmptyOp::create(b, loc, tensor, sizes));
  }
  if (type.isIntOrIndexOrFloat())
    return Value(arith::ConstantOp::create(b, loc, b.getZeroAttr(type)));
  return failure();
}

class CallGuarder {
public:
  CallGuarder(ModuleOp module) : module(module), symbols(module) {}

  LogicalResult guard(func::CallOp call, func::FuncOp callee,
                      const Contract &contract, llvm::Statistic &numChecks);

private:
  func::FuncOp getRuntimeFunction(StringRef name, FunctionType type) {
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto func = func::FuncOp::create(b, module.getLoc(), name, type);
    func.setPrivate();
    return func;
  }

  /// A constant byte array holding `callee`'s name, for error messages.
  memref::GlobalOp getNameGlobal(func::FuncOp callee) {
    std::string name = ("__dyn_name_" + callee.getSymName()).str();
    if (auto existing = module.lookupSymbol<memref::GlobalOp>(name))
      return existing;
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    StringRef text = callee.getSymName();
    auto type = MemRefType::get({(int64_t)text.size()}, b.getI8Type());
    auto bytes = DenseElementsAttr::get(
        RankedTensorType::get(type.getShape(), b.getI8Type()),
        ArrayRef<char>(text.data(), text.size()));
    auto global = memref::GlobalOp::create(
        b, module.getLoc(), name, b.getStringAttr("private"), type, bytes,
        /*constant=*/true, /*alignment=*/IntegerAttr());
    symbols.insert(global);
    return global;
  }

  ModuleOp module;
  SymbolTable symbols;
};

LogicalResult CallGuarder::guard(func::CallOp call, func::FuncOp callee,
                                 const Contract &contract,
                                 llvm::Statistic &numChecks) {
  MLIRContext *ctx = module.getContext();
  Location loc = call.getLoc();
  OpBuilder b(call);
  Type i64 = b.getI64Type();
  auto pendingFn = getRuntimeFunction(
      "dyn_rt_error_pending", FunctionType::get(ctx, {}, b.getI32Type()));
  Value pending = func::CallOp::create(b, loc, pendingFn).getResult(0);
  Value zero32 = arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0);
  Value ok =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, pending, zero32);

  // The comparisons: every member of a group against its first member,
  // and dims the subnet needs at a fixed extent against it (the "first"
  // dim is then (-1, -1)).
  struct Comparison {
    Value equal, extent, firstExtent;
    std::pair<int64_t, int64_t> dim, firstDim;
  };
  SmallVector<Comparison> comparisons;
  auto extentOf = [&](std::pair<int64_t, int64_t> dim) {
    return tensor::DimOp::create(b, loc, call.getOperand(dim.first), dim.second)
        .getResult();
  };
  for (auto [arg, dim, required] : contract.extents) {
    Value extent = extentOf({arg, dim});
    Value wanted = arith::ConstantIndexOp::create(b, loc, required);
    Value equal =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, extent, wanted);
    ok = arith::AndIOp::create(b, loc, ok, equal);
    comparisons.push_back({equal, extent, wanted, {arg, dim}, {-1, -1}});
    ++numChecks;
  }
  for (const DimGroup &group : contract.equal) {
    Value first = extentOf(group.front());
    for (auto dim : ArrayRef(group).drop_front()) {
      Value extent = extentOf(dim);
      Value equal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          extent, first);
      ok = arith::AndIOp::create(b, loc, ok, equal);
      comparisons.push_back({equal, extent, first, dim, group.front()});
      ++numChecks;
    }
  }

  // (Without results, the builder ends both blocks with a yield already: a
  // subnet that only checks, e.g. dyn.batch_cond's row counts.)
  bool hasResults = call->getNumResults() != 0;
  auto ifOp = scf::IfOp::create(b, loc, call.getResultTypes(), ok,
                                /*withElseRegion=*/true);
  OpBuilder then = OpBuilder::atBlockBegin(ifOp.thenBlock());
  Operation *moved = then.clone(*call.getOperation());
  if (hasResults)
    scf::YieldOp::create(then, loc, moved->getResults());

  OpBuilder otherwise = OpBuilder::atBlockBegin(ifOp.elseBlock());
  if (!comparisons.empty()) {
    auto reportFn = getRuntimeFunction(
        "dyn_rt_subnet_shape_error",
        FunctionType::get(
            ctx,
            {MemRefType::get({ShapedType::kDynamic}, b.getI8Type()), i64, i64,
             i64, i64, i64, i64},
            {}));
    // Each failing comparison reports; the runtime keeps the first.
    memref::GlobalOp global = getNameGlobal(callee);
    for (const Comparison &c : comparisons) {
      Value failed =
          arith::XOrIOp::create(otherwise, loc, c.equal,
                                arith::ConstantIntOp::create(
                                    otherwise, loc, otherwise.getI1Type(), 1));
      auto report = scf::IfOp::create(otherwise, loc, TypeRange(), failed,
                                      /*withElseRegion=*/false);
      OpBuilder r = OpBuilder::atBlockBegin(report.thenBlock());
      Value name = memref::GetGlobalOp::create(r, loc, global.getType(),
                                               global.getSymName());
      Value dynName = memref::CastOp::create(
          r, loc, MemRefType::get({ShapedType::kDynamic}, r.getI8Type()), name);
      auto asI64 = [&](int64_t v) {
        return arith::ConstantIntOp::create(r, loc, i64, v).getResult();
      };
      auto indexToI64 = [&](Value v) {
        return arith::IndexCastOp::create(r, loc, i64, v).getResult();
      };
      func::CallOp::create(
          r, loc, reportFn,
          ValueRange{dynName, asI64(c.dim.first), asI64(c.dim.second),
                     indexToI64(c.extent), asI64(c.firstDim.first),
                     asI64(c.firstDim.second), indexToI64(c.firstExtent)});
    }
  }
  SmallVector<Value> standIns;
  for (Type type : call.getResultTypes()) {
    FailureOr<Value> standIn = createStandIn(otherwise, loc, type);
    if (failed(standIn))
      return call.emitError() << "cannot guard a call returning " << type;
    standIns.push_back(*standIn);
  }
  if (hasResults)
    scf::YieldOp::create(otherwise, loc, standIns);
  call.replaceAllUsesWith(ifOp.getResults());
  call.erase();
  return success();
}

struct DynCheckSubnetShapesPass
    : public dyn::impl::DynCheckSubnetShapesBase<DynCheckSubnetShapesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(dyn::checkInput(module)))
      return signalPassFailure();
    DenseMap<Operation *, Contract> contracts;
    for (auto func : module.getOps<func::FuncOp>())
      if (isSubnet(func) && !func.isDeclaration()) {
        Contract contract = getContract(func);
        if (!contract.empty())
          contracts[func] = std::move(contract);
      }
    if (contracts.empty())
      return;

    CallGuarder guarder(module);
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> dispatchers;
    for (auto func : module.getOps<func::FuncOp>())
      if (isDispatcher(func))
        dispatchers.push_back(func);
    for (func::FuncOp dispatcher : dispatchers) {
      SmallVector<std::pair<func::CallOp, func::FuncOp>> calls;
      bool checked = false;
      dispatcher.walk([&](func::CallOp call) {
        auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
        if (!callee || !isSubnet(callee))
          return;
        calls.push_back({call, callee});
        checked |= contracts.contains(callee);
      });
      // A dispatcher none of whose subnets can fail needs no guards.
      if (!checked)
        continue;
      for (auto [call, callee] : calls) {
        Contract none;
        auto it = contracts.find(callee);
        const Contract &contract = it != contracts.end() ? it->second : none;
        if (failed(guarder.guard(call, callee, contract, numChecks)))
          return signalPassFailure();
        ++numGuardedCalls;
      }
    }
  }
};

} // namespace

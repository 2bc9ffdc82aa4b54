//===- OutlineRegions.cpp - outline compute into subnet functions ---------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// DyCL's first step as an MLIR pass: every maximal control-flow-free run of
// ops becomes an isolated function. Upstream's outlineSingleBlockRegion works
// on a whole region; here a region is split around nested control flow and
// the constants a run uses are cloned rather than captured, so the walk over
// runs is our own.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Dialect/Dyn/IR/DynOps.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

#define DEBUG_TYPE "dyn-outline-regions"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNOUTLINEREGIONS
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Ops that stay on the host: data-dependent control flow whose regions are
/// outlined in turn.
bool isControlFlowOp(Operation *op) {
  return isa<CondOp, SwitchOp, WhileOp, scf::IfOp, scf::IndexSwitchOp,
             scf::WhileOp, scf::ForOp>(op);
}

/// Constants are rematerialized in each subnet that uses them.
bool isConstant(Operation *op) { return op->hasTrait<OpTrait::ConstantLike>(); }

/// Returns the names of the regions of a control-flow op, in region order.
SmallVector<std::string> getRegionNames(Operation *op) {
  if (auto switchOp = dyn_cast<SwitchOp>(op)) {
    SmallVector<std::string> names = {"default"};
    for (int64_t value : switchOp.getCases())
      names.push_back("case" + std::to_string(value));
    return names;
  }
  if (auto switchOp = dyn_cast<scf::IndexSwitchOp>(op)) {
    SmallVector<std::string> names = {"default"};
    for (int64_t value : switchOp.getCases())
      names.push_back("case" + std::to_string(value));
    return names;
  }
  if (isa<CondOp, scf::IfOp>(op))
    return {"then", "else"};
  if (isa<WhileOp, scf::WhileOp>(op))
    return {"before", "after"};
  return {"body"};
}

/// Returns the short kind name of a control-flow op used in subnet names.
StringRef getKindName(Operation *op) {
  if (isa<CondOp, scf::IfOp>(op))
    return "cond";
  if (isa<SwitchOp, scf::IndexSwitchOp>(op))
    return "switch";
  if (isa<WhileOp, scf::WhileOp>(op))
    return "while";
  return "for";
}

class Outliner {
public:
  Outliner(ModuleOp module, SymbolTable &symbols)
      : module(module), symbols(symbols) {}

  /// Outlines the compute of `func`. Returns the created subnets.
  void outlineFunction(func::FuncOp func) {
    outlineBlock(func.getBody().front(), func.getSymName().str());
    // Constants now used only inside subnets were cloned there.
    func.walk([](Operation *op) {
      if (isConstant(op) && op->use_empty())
        op->erase();
    });
  }

  ArrayRef<func::FuncOp> getSubnets() const { return subnets; }

private:
  /// Outlines the runs of `block` (recursing into control flow first), naming
  /// subnets with `prefix`.
  void outlineBlock(Block &block, const std::string &prefix) {
    llvm::StringMap<unsigned> kindCounters;
    SmallVector<SmallVector<Operation *>> runs(1);
    for (Operation &op : block) {
      if (isControlFlowOp(&op)) {
        std::string opPrefix = prefix + "_" + getKindName(&op).str() +
                               std::to_string(kindCounters[getKindName(&op)]++);
        for (auto [region, name] :
             llvm::zip(op.getRegions(), getRegionNames(&op)))
          for (Block &nested : region)
            outlineBlock(nested, opPrefix + "_" + name);
        runs.emplace_back();
        continue;
      }
      if (op.hasTrait<OpTrait::IsTerminator>() || isConstant(&op))
        continue;
      // Scalar arithmetic stays on the host unless it computes on results
      // of the current run (a dim of a tensor the run made, say).
      if (isHostScalarOp(&op) &&
          llvm::none_of(op.getOperands(), [&](Value operand) {
            return llvm::is_contained(runs.back(), operand.getDefiningOp());
          }))
        continue;
      runs.back().push_back(&op);
    }
    llvm::erase_if(runs, [](auto &run) { return run.empty(); });
    for (auto [index, run] : llvm::enumerate(runs)) {
      std::string name = prefix;
      // The body of a function always numbers its runs; a region only when
      // it holds several.
      if (isa<func::FuncOp>(block.getParentOp()) || runs.size() > 1)
        name += "_seg" + std::to_string(index);
      outlineRun(run, name);
    }
  }

  /// Outlines the contiguous (but for constants) ops of `run` into a subnet
  /// named `name` and replaces them with a call.
  void outlineRun(ArrayRef<Operation *> run, StringRef name) {
    llvm::SmallPtrSet<Operation *, 16> inRun(run.begin(), run.end());
    auto isInside = [&](Operation *op) {
      for (; op; op = op->getParentOp())
        if (inRun.contains(op))
          return true;
      return false;
    };

    // Values used from outside the run: arguments, except constants, which
    // are cloned into the subnet.
    llvm::SetVector<Value> inputs;
    llvm::SetVector<Operation *> constants;
    for (Operation *op : run) {
      op->walk([&](Operation *nested) {
        for (Value operand : nested->getOperands()) {
          Operation *def = operand.getDefiningOp();
          if (def && isInside(def))
            continue;
          if (!def &&
              isInside(cast<BlockArgument>(operand).getOwner()->getParentOp()))
            continue;
          if (def && isConstant(def))
            constants.insert(def);
          else
            inputs.insert(operand);
        }
      });
    }

    // Values used after the run: results.
    SmallVector<Value> outputs;
    for (Operation *op : run)
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(),
                         [&](Operation *user) { return !isInside(user); }))
          outputs.push_back(result);

    // A run whose results nobody uses and that has no side effects is dead;
    // leave it to DCE rather than outline it.
    if (outputs.empty() &&
        llvm::all_of(run, [](Operation *op) { return isMemoryEffectFree(op); }))
      return;

    Operation *first = run.front();
    MLIRContext *ctx = first->getContext();
    auto funcType = FunctionType::get(ctx, TypeRange(inputs.getArrayRef()),
                                      ValueRange(outputs).getTypes());
    OpBuilder builder(ctx);
    builder.setInsertionPointToEnd(module.getBody());
    auto subnet =
        func::FuncOp::create(builder, first->getLoc(), name, funcType);
    subnet.setPrivate();
    setSubnet(subnet);
    symbols.insert(subnet); // renames on collision

    Block *body = subnet.addEntryBlock();
    builder.setInsertionPointToStart(body);
    IRMapping mapping;
    for (auto [input, arg] : llvm::zip(inputs, body->getArguments()))
      mapping.map(input, arg);
    for (Operation *constant : constants)
      builder.clone(*constant, mapping);
    for (Operation *op : run)
      builder.clone(*op, mapping);
    SmallVector<Value> returned;
    for (Value output : outputs)
      returned.push_back(mapping.lookup(output));
    func::ReturnOp::create(builder, first->getLoc(), returned);

    // Replace the run with a call placed before its last op: the ops left
    // between run ops (constants, independent scalar arithmetic) may define
    // inputs, and none of them uses a value the run defines.
    builder.setInsertionPoint(run.back());
    auto call = func::CallOp::create(builder, first->getLoc(), subnet,
                                     inputs.getArrayRef());
    for (auto [output, result] : llvm::zip(outputs, call.getResults()))
      output.replaceAllUsesWith(result);
    for (Operation *op : llvm::reverse(run))
      op->erase();
    subnets.push_back(subnet);
  }

  ModuleOp module;
  SymbolTable &symbols;
  SmallVector<func::FuncOp> subnets;
};

struct DynOutlineRegionsPass
    : public dyn::impl::DynOutlineRegionsBase<DynOutlineRegionsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions;
    for (auto func : module.getOps<func::FuncOp>())
      // Dispatchers made earlier (dyn-specialize-shapes' version guards)
      // are host code already.
      if (!func.isDeclaration() && !isSubnet(func) && !isDispatcher(func))
        functions.push_back(func);

    Outliner outliner(module, symbols);
    for (func::FuncOp func : functions)
      outliner.outlineFunction(func);
    numSubnets += outliner.getSubnets().size();

    if (dedupe)
      deduplicate(outliner.getSubnets(), symbols);
  }

  /// Replaces every subnet that is structurally identical to an earlier one
  /// by that one.
  void deduplicate(ArrayRef<func::FuncOp> subnets, SymbolTable &symbols) {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kept;
    for (func::FuncOp subnet : subnets) {
      auto it = llvm::find_if(kept, [&](func::FuncOp other) {
        return other.getFunctionType() == subnet.getFunctionType() &&
               OperationEquivalence::isRegionEquivalentTo(
                   &other.getBody(), &subnet.getBody(),
                   OperationEquivalence::IgnoreLocations);
      });
      if (it == kept.end()) {
        kept.push_back(subnet);
        continue;
      }
      if (failed(SymbolTable::replaceAllSymbolUses(subnet, it->getSymNameAttr(),
                                                   module))) {
        subnet.emitError("cannot redirect the uses of a duplicate subnet");
        return signalPassFailure();
      }
      symbols.erase(subnet);
      ++numDeduplicated;
    }
  }
};

} // namespace

//===- ElideLoopCopies.cpp - read-only loop state needs no copies ---------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's scf.while bufferization copies a forwarded tensor unless it is
// equivalent to both region arguments; it cannot know that the dispatcher's
// loop only reads its state (the reads happen in other functions, the
// subnets). This pass proves read-only-ness across the call boundary.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/BufferViewFlowAnalysis.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define DEBUG_TYPE "dyn-elide-loop-copies"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNELIDELOOPCOPIES
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// True if `op` may write memory that `aliases` covers (or memory it cannot
/// name, which could be anything).
bool mayWrite(Operation *op, const BufferViewFlowAnalysis::ValueSetT &aliases) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>();
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  for (const MemoryEffects::EffectInstance &effect : instances) {
    if (!isa<MemoryEffects::Write>(effect.getEffect()))
      continue;
    Value target = effect.getValue();
    if (!target || aliases.contains(target))
      return true;
  }
  return false;
}

/// True if `callee` never writes its argument `index`.
bool isReadOnlyArgument(func::FuncOp callee, unsigned index) {
  if (!callee || callee.isDeclaration())
    return false;
  BufferViewFlowAnalysis analysis(callee);
  BufferViewFlowAnalysis::ValueSetT aliases =
      analysis.resolve(callee.getArgument(index));
  bool writes = false;
  callee.walk([&](Operation *op) {
    if (op != callee && mayWrite(op, aliases))
      writes = true;
  });
  return !writes;
}

class LoopCopyElider {
public:
  explicit LoopCopyElider(func::FuncOp func)
      : symbols(func->getParentOfType<ModuleOp>()) {}

  /// True if every use of `value` (and of views/casts of it) only reads.
  bool isOnlyRead(Value value, unsigned depth = 0) {
    if (depth > 8)
      return false;
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::LoadOp, memref::DimOp, scf::YieldOp, scf::ConditionOp>(
              user))
        continue;
      if (auto copy = dyn_cast<memref::CopyOp>(user)) {
        if (copy.getSource() == value)
          continue;
        return false;
      }
      if (auto call = dyn_cast<func::CallOp>(user)) {
        auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
        if (isReadOnlyArgument(callee, use.getOperandNumber()))
          continue;
        return false;
      }
      if (isa<memref::CastOp, memref::SubViewOp, memref::CollapseShapeOp,
              memref::ExpandShapeOp, memref::ReinterpretCastOp>(user)) {
        if (isOnlyRead(user->getResult(0), depth + 1))
          continue;
        return false;
      }
      return false;
    }
    return true;
  }

  /// Forwards `loop`'s before-region state instead of its copies where it
  /// is only ever read; returns how many copies went.
  unsigned run(scf::WhileOp loop) {
    unsigned elided = 0;
    scf::ConditionOp condition = loop.getConditionOp();
    Block &before = loop.getBefore().front();
    for (OpOperand &forwarded : condition->getOpOperands()) {
      if (forwarded.getOperandNumber() == 0)
        continue; // the predicate
      auto alloc = forwarded.get().getDefiningOp<memref::AllocOp>();
      if (!alloc || alloc->getBlock() != &before)
        continue;
      // The alloc is used by exactly one copy into it and the condition.
      memref::CopyOp copy;
      bool other = false;
      for (Operation *user : alloc->getUsers()) {
        if (auto c = dyn_cast<memref::CopyOp>(user);
            c && c.getTarget() == alloc.getResult() && !copy)
          copy = c;
        else if (user != condition)
          other = true;
      }
      if (other || !copy)
        continue;
      auto source = dyn_cast<BlockArgument>(copy.getSource());
      if (!source || source.getOwner() != &before ||
          source.getType() != alloc.getType())
        continue;
      // Nothing after the copy in the before region writes the source, and
      // the after region only reads what it receives.
      BufferViewFlowAnalysis::ValueSetT sourceAliases = {source};
      bool written = false;
      for (Operation *op = copy->getNextNode(); op != condition;
           op = op->getNextNode())
        written |= mayWrite(op, sourceAliases) &&
                   !isa<func::CallOp>(op); // calls are checked below
      for (OpOperand &use : source.getUses())
        if (auto call = dyn_cast<func::CallOp>(use.getOwner());
            call && call->isBeforeInBlock(condition) &&
            copy->isBeforeInBlock(call))
          written |= !isReadOnlyArgument(
              symbols.lookup<func::FuncOp>(call.getCallee()),
              use.getOperandNumber());
      unsigned index = forwarded.getOperandNumber() - 1;
      if (written || !isOnlyRead(loop.getAfterArguments()[index]))
        continue;
      forwarded.set(source);
      copy.erase();
      alloc.erase();
      ++elided;
    }
    return elided;
  }

private:
  SymbolTable symbols;
};

struct DynElideLoopCopiesPass
    : public dyn::impl::DynElideLoopCopiesBase<DynElideLoopCopiesPass> {
  void runOnOperation() override {
    LoopCopyElider elider(getOperation());
    getOperation().walk(
        [&](scf::WhileOp loop) { numElided += elider.run(loop); });
  }
};

} // namespace

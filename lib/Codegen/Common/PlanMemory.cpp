//===- PlanMemory.cpp - static buffers packed into one arena per function -===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream frees each buffer after its last use (ownership-based
// deallocation) but allocates every buffer separately, again on every loop
// iteration; it has no planner that packs buffers with disjoint lifetimes
// into one block. This pass is that planner for static shapes, in subnets and
// in dispatchers alike: liveness over the function's structured control flow
// (loops included) and across calls, then interval packing.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/BufferViewFlowAnalysis.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/MapVector.h"

#define DEBUG_TYPE "dyn-plan-memory"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNPLANMEMORY
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

/// A planned buffer: its alloc, size, and live range in program order.
struct Temporary {
  memref::AllocOp alloc;
  int64_t bytes;
  int64_t first, last;
  int64_t offset = 0;
};

/// Largest arena slot planned for one buffer: a bound that large is more
/// likely an artefact of the analysis than a plan worth making.
constexpr int64_t kMaxSlotBytes = int64_t(1) << 30;

/// Bytes an identity-layout buffer can need, if it can live in an arena:
/// its size when static, else its size at the constant upper bounds of its
/// dynamic extents (value-bounds analysis), when they have them.
std::optional<int64_t> getArenaBytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.getLayout().isIdentity() ||
      alloc.getAlignment().value_or(1) > kAlignment)
    return std::nullopt;
  Type element = type.getElementType();
  int64_t bytes;
  if (element.isIndex())
    bytes = 8;
  else if (element.isIntOrFloat())
    bytes = (element.getIntOrFloatBitWidth() + 7) / 8;
  else
    return std::nullopt;
  auto dynamicSize = alloc.getDynamicSizes().begin();
  for (int64_t extent : type.getShape()) {
    if (ShapedType::isDynamic(extent)) {
      FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
          presburger::BoundType::UB,
          ValueBoundsConstraintSet::Variable(*dynamicSize++),
          /*stopCondition=*/nullptr, /*closedUB=*/true);
      if (failed(bound) || *bound < 0)
        return std::nullopt;
      extent = *bound;
    }
    if (extent != 0 && bytes > kMaxSlotBytes / extent)
      return std::nullopt;
    bytes *= extent;
  }
  return bytes;
}

/// For every defined function, which memref results may alias one of its
/// arguments (BufferViewFlowAnalysis of the callee). A call result that
/// cannot is a fresh buffer: the caller's buffers die at the call.
/// Computed for the whole module before any function is rewritten.
using CalleeAliasing = DenseMap<Operation *, SmallVector<bool>>;

CalleeAliasing analyzeCallees(ModuleOp module) {
  CalleeAliasing result;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isDeclaration())
      continue;
    SmallVector<bool> aliases(func.getNumResults(), false);
    BufferViewFlowAnalysis analysis(func);
    for (BlockArgument arg : func.getArguments()) {
      if (!isa<BaseMemRefType>(arg.getType()))
        continue;
      for (Value alias : analysis.resolve(arg))
        for (OpOperand &use : alias.getUses())
          if (isa<func::ReturnOp>(use.getOwner()))
            aliases[use.getOperandNumber()] = true;
    }
    result[func] = std::move(aliases);
  }
  return result;
}

/// Plans one function: positions, live ranges, packing, rewriting.
class FunctionPlanner {
public:
  FunctionPlanner(func::FuncOp func, const CalleeAliasing &callees,
                  SymbolTableCollection &symbols)
      : func(func), callees(callees), symbols(symbols) {}

  /// Rewrites the planned allocs into views of one arena. Returns the
  /// number of buffers planned, and the bytes before and after packing.
  std::tuple<int64_t, int64_t, int64_t> run();

private:
  /// Control flow the liveness below understands: a buffer allocated under
  /// anything else (a parallel loop, an unknown region op) is left alone.
  static bool isStructured(Operation *op) {
    return isa<scf::IfOp, scf::IndexSwitchOp, scf::ForOp, scf::WhileOp,
               scf::ExecuteRegionOp>(op);
  }
  static bool isLoop(Operation *op) {
    return isa<scf::ForOp, scf::WhileOp>(op);
  }

  /// Whether `arg` carries a value from one iteration of `loop` to the next.
  static bool isLoopCarried(BlockArgument arg, Operation *loop) {
    if (arg.getOwner()->getParentOp() != loop)
      return false;
    if (auto whileOp = dyn_cast<scf::WhileOp>(loop))
      return arg.getParentRegion() == &whileOp.getBefore();
    return true;
  }

  std::optional<Temporary> analyze(memref::AllocOp alloc);
  /// Packs `temporaries` (all in memory space `space`) into one arena.
  std::tuple<int64_t, int64_t, int64_t> pack(ArrayRef<Temporary *> temporaries,
                                             Attribute space);
  /// Appends the values through which the buffer used by `use` may be
  /// reached after it; fails if the user may keep the buffer beyond what
  /// this function can see (a return, an external call, an unknown region
  /// op).
  LogicalResult getFlow(OpOperand &use, SmallVectorImpl<Value> &next);

  func::FuncOp func;
  const CalleeAliasing &callees;
  SymbolTableCollection &symbols;
  /// Pre-order position of every op, and the last position in its regions.
  DenseMap<Operation *, int64_t> begin, end;
};

LogicalResult FunctionPlanner::getFlow(OpOperand &use,
                                       SmallVectorImpl<Value> &next) {
  Operation *user = use.getOwner();
  unsigned index = use.getOperandNumber();
  auto memrefResults = [&](Operation *op) {
    for (Value result : op->getResults())
      if (isa<BaseMemRefType>(result.getType()))
        next.push_back(result);
  };
  if (isa<func::ReturnOp, memref::DeallocOp>(user))
    return failure();
  if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
    if (view.getViewSource() == use.get())
      memrefResults(user);
    return success();
  }
  if (auto call = dyn_cast<CallOpInterface>(user)) {
    auto callee = dyn_cast_if_present<func::FuncOp>(
        call.resolveCallableInTable(&symbols));
    auto it = callee ? callees.find(callee) : callees.end();
    if (it == callees.end())
      return failure();
    for (auto [result, mayAlias] : llvm::zip(call->getResults(), it->second))
      if (mayAlias)
        next.push_back(result);
    return success();
  }
  // Structured control flow: where an operand goes next.
  Operation *parent = user->getParentOp();
  if (auto yield = dyn_cast<scf::YieldOp>(user)) {
    if (auto forOp = dyn_cast<scf::ForOp>(parent)) {
      next.push_back(forOp.getRegionIterArgs()[index]);
      next.push_back(forOp.getResult(index));
    } else if (auto whileOp = dyn_cast<scf::WhileOp>(parent)) {
      next.push_back(whileOp.getBeforeArguments()[index]);
    } else if (isa<scf::IfOp, scf::IndexSwitchOp, scf::ExecuteRegionOp>(
                   parent)) {
      next.push_back(parent->getResult(index));
    } else {
      return failure();
    }
    return success();
  }
  if (auto condition = dyn_cast<scf::ConditionOp>(user)) {
    auto whileOp = cast<scf::WhileOp>(parent);
    next.push_back(whileOp.getAfterArguments()[index - 1]);
    next.push_back(whileOp.getResult(index - 1));
    return success();
  }
  if (auto forOp = dyn_cast<scf::ForOp>(user)) {
    unsigned init = index - forOp.getNumControlOperands();
    next.push_back(forOp.getRegionIterArgs()[init]);
    next.push_back(forOp.getResult(init));
    return success();
  }
  if (auto whileOp = dyn_cast<scf::WhileOp>(user)) {
    next.push_back(whileOp.getBeforeArguments()[index]);
    return success();
  }
  // Any other op with buffer-typed region arguments passes buffers in ways
  // not modelled here; one with memref results may return (a view of) the
  // buffer. (linalg ops on buffers have regions too, over scalars.)
  for (Region &region : user->getRegions())
    if (llvm::any_of(region.getArgumentTypes(), llvm::IsaPred<BaseMemRefType>))
      return failure();
  memrefResults(user);
  return success();
}

std::optional<Temporary> FunctionPlanner::analyze(memref::AllocOp alloc) {
  std::optional<int64_t> bytes = getArenaBytes(alloc);
  if (!bytes || *bytes == 0)
    return std::nullopt;
  SmallVector<Operation *> loops;
  for (Operation *parent = alloc->getParentOp(); parent != func;
       parent = parent->getParentOp()) {
    if (!isStructured(parent))
      return std::nullopt;
    if (isLoop(parent))
      loops.push_back(parent);
  }

  int64_t first = begin.lookup(alloc), last = first;
  // Every value the buffer may be reached through: views, values passed
  // along structured control flow, and the results of calls whose callee
  // may return an argument. (Upstream's BufferViewFlowAnalysis would do but
  // for calls, whose results it takes to alias every operand.)
  SmallVector<Value> worklist{alloc.getResult()};
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value alias = worklist.pop_back_val();
    if (!seen.insert(alias).second)
      continue;
    // A buffer that flows into the next iteration of a loop around its
    // alloc would be overwritten by its own next instance.
    if (auto arg = dyn_cast<BlockArgument>(alias))
      if (llvm::any_of(loops,
                       [&](Operation *l) { return isLoopCarried(arg, l); }))
        return std::nullopt;
    for (OpOperand &use : alias.getUses()) {
      if (failed(getFlow(use, worklist)))
        return std::nullopt;
      // A use inside a loop that the alloc is outside of happens again on
      // every iteration: the buffer lives until the loop ends.
      Operation *user = use.getOwner();
      last = std::max(last, end.lookup(user));
      for (Operation *parent = user->getParentOp(); parent != func;
           parent = parent->getParentOp())
        if (isLoop(parent) && !parent->isAncestor(alloc))
          last = std::max(last, end.lookup(parent));
    }
  }
  return Temporary{alloc, *bytes, first, last};
}

std::tuple<int64_t, int64_t, int64_t> FunctionPlanner::run() {
  int64_t position = 0;
  SmallVector<memref::AllocOp> allocs;
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    begin[op] = position++;
    if (auto alloc = dyn_cast<memref::AllocOp>(op))
      allocs.push_back(alloc);
  });
  func.walk<WalkOrder::PostOrder>([&](Operation *op) {
    int64_t last = begin.lookup(op);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        if (!block.empty())
          last = std::max(last, end.lookup(&block.back()));
    end[op] = last;
  });

  SmallVector<Temporary> temporaries;
  for (memref::AllocOp alloc : allocs)
    if (std::optional<Temporary> t = analyze(alloc))
      temporaries.push_back(*t);
  if (temporaries.empty())
    return {0, 0, 0};
  // One arena per memory space (host memory, or device memory on GPUs).
  llvm::MapVector<Attribute, SmallVector<Temporary *>> bySpace;
  for (Temporary &t : temporaries)
    bySpace[t.alloc.getType().getMemorySpace()].push_back(&t);
  std::tuple<int64_t, int64_t, int64_t> total{0, 0, 0};
  for (auto &[space, group] : bySpace) {
    auto [planned, bytes, arenaBytes] = pack(group, space);
    std::get<0>(total) += planned;
    std::get<1>(total) += bytes;
    std::get<2>(total) += arenaBytes;
  }
  return total;
}

std::tuple<int64_t, int64_t, int64_t>
FunctionPlanner::pack(ArrayRef<Temporary *> temporaries, Attribute space) {
  // One buffer outside any loop gains nothing from an arena.
  if (temporaries.size() == 1 &&
      temporaries.front()->alloc->getParentOp() == func)
    return {0, 0, 0};

  // First fit, largest first: the lowest aligned offset that overlaps no
  // placed buffer whose live range meets this one's.
  SmallVector<Temporary *> order(temporaries);
  llvm::sort(order, [](const Temporary *a, const Temporary *b) {
    return std::make_pair(-a->bytes, a->first) <
           std::make_pair(-b->bytes, b->first);
  });
  SmallVector<Temporary *> placed;
  int64_t arenaBytes = 0, plannedBytes = 0;
  for (Temporary *t : order) {
    SmallVector<std::pair<int64_t, int64_t>> busy;
    for (Temporary *p : placed)
      if (p->first <= t->last && t->first <= p->last)
        busy.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + t->bytes <= lo)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(hi, kAlignment));
    }
    t->offset = offset;
    placed.push_back(t);
    arenaBytes = std::max(arenaBytes, offset + t->bytes);
    plannedBytes += t->bytes;
  }

  OpBuilder builder = OpBuilder::atBlockBegin(&func.getBody().front());
  auto arenaType = MemRefType::get({arenaBytes}, builder.getI8Type(),
                                   MemRefLayoutAttrInterface(), space);
  Value arena = memref::AllocOp::create(builder, func.getLoc(), arenaType,
                                        builder.getI64IntegerAttr(kAlignment));
  for (Temporary *t : temporaries) {
    builder.setInsertionPoint(t->alloc);
    Value offset =
        arith::ConstantIndexOp::create(builder, t->alloc.getLoc(), t->offset);
    Value view =
        memref::ViewOp::create(builder, t->alloc.getLoc(), t->alloc.getType(),
                               arena, offset, t->alloc.getDynamicSizes());
    t->alloc.replaceAllUsesWith(view);
    t->alloc.erase();
  }
  return {static_cast<int64_t>(temporaries.size()), plannedBytes, arenaBytes};
}

struct DynPlanMemoryPass
    : public dyn::impl::DynPlanMemoryBase<DynPlanMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Value bounds read every dim index: out-of-range ones are errors here.
    if (failed(dyn::checkInput(module)))
      return signalPassFailure();
    // Callees are analysed before any function changes; functions are then
    // planned one at a time (a function pass could not look at callees).
    CalleeAliasing callees = analyzeCallees(module);
    SymbolTableCollection symbols;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isDeclaration())
        continue;
      auto [planned, bytes, arenaBytes] =
          FunctionPlanner(func, callees, symbols).run();
      numPlanned += planned;
      numBytesPlanned += bytes;
      numArenaBytes += arenaBytes;
    }
  }
};

} // namespace

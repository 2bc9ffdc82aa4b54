//===- PlanMemory.cpp - static temporaries packed into one arena ----------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream frees each buffer after its last use (ownership-based
// deallocation) but allocates every temporary separately; it has no planner
// that packs buffers with disjoint lifetimes into one block. This pass is
// that planner for static shapes: interval packing over the entry block.
//
//===----------------------------------------------------------------------===//

#include "dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/BufferViewFlowAnalysis.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "dyn-plan-memory"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNPLANMEMORY
#include "dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

/// A temporary: its alloc, size, and live range in entry-block op indices.
struct Temporary {
  memref::AllocOp alloc;
  int64_t bytes;
  int64_t first, last;
  int64_t offset = 0;
};

/// Bytes of a static identity-layout memref, if it can live in an arena.
std::optional<int64_t> getArenaBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return std::nullopt;
  Type element = type.getElementType();
  int64_t elementBytes;
  if (element.isIndex())
    elementBytes = 8;
  else if (element.isIntOrFloat())
    elementBytes = (element.getIntOrFloatBitWidth() + 7) / 8;
  else
    return std::nullopt;
  return type.getNumElements() * elementBytes;
}

struct DynPlanMemoryPass
    : public dyn::impl::DynPlanMemoryBase<DynPlanMemoryPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // A callee could return (an alias of) a buffer it was given, which the
    // alias analysis cannot see through: plan only call-free functions
    // (subnets).
    if (func.isDeclaration() ||
        func.walk([](CallOpInterface) { return WalkResult::interrupt(); })
            .wasInterrupted())
      return;

    Block &entry = func.getBody().front();
    DenseMap<Operation *, int64_t> index;
    for (auto [i, op] : llvm::enumerate(entry))
      index[&op] = i;
    auto positionOf = [&](Operation *op) -> std::optional<int64_t> {
      Operation *top = entry.findAncestorOpInBlock(*op);
      return top ? std::optional<int64_t>(index.lookup(top)) : std::nullopt;
    };

    BufferViewFlowAnalysis aliases(func);
    SmallVector<Temporary> temporaries;
    for (auto alloc : entry.getOps<memref::AllocOp>()) {
      std::optional<int64_t> bytes = getArenaBytes(alloc.getType());
      if (!bytes || *bytes == 0)
        continue;
      int64_t first = index.lookup(alloc), last = first;
      bool escapes = false;
      for (Value alias : aliases.resolve(alloc.getResult())) {
        for (Operation *user : alias.getUsers()) {
          if (isa<func::ReturnOp>(user)) {
            escapes = true;
            break;
          }
          std::optional<int64_t> at = positionOf(user);
          if (!at) {
            escapes = true;
            break;
          }
          last = std::max(last, *at);
        }
        if (escapes)
          break;
      }
      if (!escapes)
        temporaries.push_back({alloc, *bytes, first, last});
    }
    if (temporaries.size() < 2)
      return;

    // First fit, largest first: the lowest aligned offset that overlaps no
    // placed buffer whose live range meets this one's.
    SmallVector<Temporary *> order;
    for (Temporary &t : temporaries)
      order.push_back(&t);
    llvm::sort(order, [](const Temporary *a, const Temporary *b) {
      return std::make_pair(-a->bytes, a->first) <
             std::make_pair(-b->bytes, b->first);
    });
    SmallVector<Temporary *> placed;
    int64_t arenaBytes = 0;
    for (Temporary *t : order) {
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (Temporary *p : placed)
        if (p->first <= t->last && t->first <= p->last)
          busy.push_back({p->offset, p->offset + p->bytes});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [begin, end] : busy) {
        if (offset + t->bytes <= begin)
          break;
        offset = std::max<int64_t>(offset, llvm::alignTo(end, kAlignment));
      }
      t->offset = offset;
      placed.push_back(t);
      arenaBytes = std::max(arenaBytes, offset + t->bytes);
      numBytesPlanned += t->bytes;
    }

    OpBuilder builder = OpBuilder::atBlockBegin(&entry);
    Location loc = func.getLoc();
    auto arenaType = MemRefType::get({arenaBytes}, builder.getI8Type());
    Value arena = memref::AllocOp::create(
        builder, loc, arenaType, builder.getI64IntegerAttr(kAlignment));
    for (Temporary &t : temporaries) {
      builder.setInsertionPoint(t.alloc);
      Value offset =
          arith::ConstantIndexOp::create(builder, t.alloc.getLoc(), t.offset);
      Value view =
          memref::ViewOp::create(builder, t.alloc.getLoc(), t.alloc.getType(),
                                 arena, offset, ValueRange{});
      t.alloc.replaceAllUsesWith(view);
      t.alloc.erase();
    }
    numPlanned += temporaries.size();
    numArenaBytes += arenaBytes;
  }
};

} // namespace

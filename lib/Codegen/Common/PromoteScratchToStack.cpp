//===- PromoteScratchToStack.cpp - small block-local buffers on the stack -===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Ownership-based deallocation checks at run time which buffers alias
// (`bufferization.dealloc` lowered to a `dealloc_helper` call): each check
// heap-allocates a handful of tiny arrays and frees them right after, on
// every iteration of a dispatcher loop. Upstream's promote-buffers-to-stack
// puts allocas where the allocs were, which grows the stack on every loop
// iteration; this pass gives each such buffer one stack slot at function
// entry instead.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

#define DEBUG_TYPE "dyn-promote-scratch-to-stack"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNPROMOTESCRATCHTOSTACK
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// Whether `callee` only reads and writes the buffers it is given (no
/// memref results, no calls, no deallocation): it cannot keep them.
bool onlyAccesses(func::FuncOp callee) {
  if (!callee || callee.isDeclaration() ||
      llvm::any_of(callee.getResultTypes(), llvm::IsaPred<BaseMemRefType>))
    return false;
  return !callee
              .walk([](Operation *op) {
                return isa<CallOpInterface, memref::DeallocOp>(op)
                           ? WalkResult::interrupt()
                           : WalkResult::advance();
              })
              .wasInterrupted();
}

struct DynPromoteScratchToStackPass
    : public dyn::impl::DynPromoteScratchToStackBase<
          DynPromoteScratchToStackPass> {
  using DynPromoteScratchToStackBase::DynPromoteScratchToStackBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTableCollection symbols;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isDeclaration())
        continue;
      SmallVector<memref::AllocOp> allocs;
      func.walk([&](memref::AllocOp alloc) {
        if (isScratch(alloc, symbols))
          allocs.push_back(alloc);
      });
      OpBuilder builder = OpBuilder::atBlockBegin(&func.getBody().front());
      for (memref::AllocOp alloc : allocs) {
        auto slot = memref::AllocaOp::create(
            builder, alloc.getLoc(), alloc.getType(), alloc.getAlignmentAttr());
        for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
          if (isa<memref::DeallocOp>(user))
            user->erase();
        alloc.replaceAllUsesWith(slot.getResult());
        alloc.erase();
        ++numPromoted;
      }
    }
  }

  /// A small static buffer freed in the block it is allocated in, used there
  /// only by loads, stores, casts, and calls that cannot keep it.
  bool isScratch(memref::AllocOp alloc, SymbolTableCollection &symbols) {
    MemRefType type = alloc.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
        type.getMemorySpace() || !type.getElementType().isIntOrIndexOrFloat())
      return false;
    unsigned bits = type.getElementType().isIndex()
                        ? 64
                        : type.getElementType().getIntOrFloatBitWidth();
    if (type.getNumElements() * ((bits + 7) / 8) > maxBytes)
      return false;
    Block *block = alloc->getBlock();
    bool freed = false;
    SmallVector<Value> values{alloc.getResult()};
    while (!values.empty()) {
      Value value = values.pop_back_val();
      for (Operation *user : value.getUsers()) {
        if (user->getBlock() != block)
          return false;
        if (isa<memref::DeallocOp>(user)) {
          freed |= value == alloc.getResult();
          continue;
        }
        if (auto cast = dyn_cast<memref::CastOp>(user)) {
          values.push_back(cast.getResult());
          continue;
        }
        if (isa<memref::LoadOp, memref::StoreOp>(user))
          continue;
        auto call = dyn_cast<func::CallOp>(user);
        if (!call ||
            !onlyAccesses(symbols.lookupNearestSymbolFrom<func::FuncOp>(
                call, call.getCalleeAttr())))
          return false;
      }
    }
    return freed;
  }
};

} // namespace

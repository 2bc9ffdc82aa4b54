//===- OutlineParallelLoops.cpp - scf.forall onto the thread pool ---------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each outermost scf.forall on buffers becomes a task function and a call of
// the runtime's dyn_rt_parallel_for (lib/Runtime/DynThreadPool.c). The
// task's signature is fixed, (context, begin, end), so that the runtime can
// call any of them: the values the body captures are stored into a stack
// array of 64-bit slots at the call and loaded back in the task, memrefs as
// the fields of their descriptor, rebuilt with LLVM dialect ops and an
// unrealized cast that the LLVM conversion folds away. Upstream's
// async-parallel-for outlines into a function with the captures as
// arguments, which only its coroutine-based runtime can call.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

#define DEBUG_TYPE "dyn-outline-parallel-loops"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNOUTLINEPARALLELLOOPS
#include "dyn/Codegen/CPU/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

constexpr StringLiteral kParallelFor = "dyn_rt_parallel_for";

/// Whether `value` is rematerialized in the task rather than passed.
bool isClonedIntoTask(Value value) {
  Operation *def = value.getDefiningOp();
  return def && def->getNumOperands() == 0 && def->getNumRegions() == 0 &&
         (def->hasTrait<OpTrait::ConstantLike>() ||
          isa<memref::GetGlobalOp>(def));
}

/// Slots of the context a value of `type` takes (0: it cannot be passed).
int64_t getSlotCount(Type type) {
  if (type.isIndex())
    return 1;
  if (auto integer = dyn_cast<IntegerType>(type))
    return integer.getWidth() <= 64 ? 1 : 0;
  if (auto floatType = dyn_cast<FloatType>(type))
    return floatType.getWidth() <= 64 ? 1 : 0;
  if (auto memref = dyn_cast<MemRefType>(type)) {
    if (memref.getMemorySpace() || !memref.isStrided())
      return 0;
    return 2 + 2 * memref.getRank(); // pointer, offset, sizes, strides
  }
  return 0;
}

/// `value` (an index, integer or float of at most 64 bits) as an i64.
Value toSlot(OpBuilder &b, Location loc, Value value) {
  Type i64 = b.getI64Type();
  Type type = value.getType();
  if (type.isIndex())
    return arith::IndexCastUIOp::create(b, loc, i64, value);
  if (auto floatType = dyn_cast<FloatType>(type))
    value = arith::BitcastOp::create(
        b, loc, b.getIntegerType(floatType.getWidth()), value);
  if (value.getType() != i64)
    value = arith::ExtUIOp::create(b, loc, i64, value);
  return value;
}

/// The inverse of toSlot.
Value fromSlot(OpBuilder &b, Location loc, Value slot, Type type) {
  if (type.isIndex())
    return arith::IndexCastUIOp::create(b, loc, type, slot);
  unsigned width = type.getIntOrFloatBitWidth();
  if (width < 64)
    slot = arith::TruncIOp::create(b, loc, b.getIntegerType(width), slot);
  if (isa<FloatType>(type))
    slot = arith::BitcastOp::create(b, loc, type, slot);
  return slot;
}

struct DynOutlineParallelLoopsPass
    : public dyn::impl::DynOutlineParallelLoopsBase<
          DynOutlineParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ForallOp> loops;
    module.walk<WalkOrder::PreOrder>([&](scf::ForallOp loop) {
      loops.push_back(loop);
      return WalkResult::skip(); // outermost only
    });
    SymbolTable symbols(module);
    for (scf::ForallOp loop : loops) {
      if (succeeded(outline(loop, symbols)))
        ++numOutlined;
      else
        ++numSequential;
    }
  }

  /// The runtime's entry, declared once.
  static func::FuncOp getParallelFor(SymbolTable &symbols, ModuleOp module,
                                     FunctionType taskType) {
    if (auto existing = symbols.lookup<func::FuncOp>(kParallelFor))
      return existing;
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    MLIRContext *context = module.getContext();
    auto type = FunctionType::get(
        context,
        {taskType, LLVM::LLVMPointerType::get(context), b.getIndexType()}, {});
    auto decl = func::FuncOp::create(b, module.getLoc(), kParallelFor, type);
    decl.setPrivate();
    symbols.insert(decl);
    return decl;
  }

  LogicalResult outline(scf::ForallOp loop, SymbolTable &symbols) {
    if (loop.getRank() != 1 || loop.getNumResults() != 0)
      return failure();
    auto parent = loop->getParentOfType<func::FuncOp>();
    if (!parent)
      return failure();

    // What the body uses from above, and what of it travels in slots.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    // (the task computes the induction variable from the bounds too)
    for (OpFoldResult bound :
         {loop.getMixedLowerBound()[0], loop.getMixedStep()[0]})
      if (auto value = dyn_cast<Value>(bound))
        used.insert(value);
    SmallVector<Value> passed, cloned;
    int64_t numSlots = 0;
    for (Value value : used) {
      if (isClonedIntoTask(value)) {
        cloned.push_back(value);
        continue;
      }
      int64_t slots = getSlotCount(value.getType());
      if (slots == 0)
        return failure();
      passed.push_back(value);
      numSlots += slots;
    }

    MLIRContext *context = &getContext();
    Location loc = loop.getLoc();
    Type ptrType = LLVM::LLVMPointerType::get(context);
    OpBuilder b(loop);
    Type indexType = b.getIndexType();
    auto taskType =
        FunctionType::get(context, {ptrType, indexType, indexType}, {});
    auto module = parent->getParentOfType<ModuleOp>();
    func::FuncOp parallelFor = getParallelFor(symbols, module, taskType);

    // The task: for %i = %begin to %end { body at lb + %i * step }.
    b.setInsertionPointAfter(parent);
    auto task = func::FuncOp::create(
        b, loc, (parent.getSymName() + "_task").str(), taskType);
    task.setPrivate();
    symbols.insert(task); // uniques the name
    Block *entry = task.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value contextArg = entry->getArgument(0);
    IRMapping mapping;
    for (Value value : cloned)
      mapping.map(value, b.clone(*value.getDefiningOp())->getResult(0));
    int64_t slot = 0;
    auto loadSlot = [&](Location valueLoc) -> Value {
      Value address = LLVM::GEPOp::create(
          b, valueLoc, ptrType, b.getI64Type(), contextArg,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(slot++)});
      return LLVM::LoadOp::create(b, valueLoc, b.getI64Type(), address);
    };
    for (Value value : passed) {
      Location valueLoc = value.getLoc();
      auto memref = dyn_cast<MemRefType>(value.getType());
      if (!memref) {
        mapping.map(value,
                    fromSlot(b, valueLoc, loadSlot(valueLoc), value.getType()));
        continue;
      }
      mapping.map(value, rebuildMemRef(b, valueLoc, memref, loadSlot));
    }
    Value begin = entry->getArgument(1), end = entry->getArgument(2);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto body = scf::ForOp::create(b, loc, begin, end, one);
    b.setInsertionPointToStart(body.getBody());
    Value lowerBound =
        materialize(b, loc, loop.getMixedLowerBound()[0], mapping);
    Value step = materialize(b, loc, loop.getMixedStep()[0], mapping);
    Value iv = arith::AddIOp::create(
        b, loc, lowerBound,
        arith::MulIOp::create(b, loc, body.getInductionVar(), step));
    mapping.map(loop.getInductionVar(0), iv);
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b, loc);

    // The call: the captures into the context, then the pool.
    b.setInsertionPoint(loop);
    Value contextPtr;
    if (numSlots == 0) {
      contextPtr = LLVM::ZeroOp::create(b, loc, ptrType);
    } else {
      OpBuilder atEntry = OpBuilder::atBlockBegin(&parent.front());
      Value count =
          LLVM::ConstantOp::create(atEntry, loc, atEntry.getI64Type(),
                                   atEntry.getI64IntegerAttr(numSlots));
      contextPtr = LLVM::AllocaOp::create(atEntry, loc, ptrType,
                                          atEntry.getI64Type(), count,
                                          /*alignment=*/8);
    }
    slot = 0;
    auto storeSlot = [&](Location valueLoc, Value value) {
      Value address = LLVM::GEPOp::create(
          b, valueLoc, ptrType, b.getI64Type(), contextPtr,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(slot++)});
      LLVM::StoreOp::create(b, valueLoc, value, address);
    };
    for (Value value : passed) {
      Location valueLoc = value.getLoc();
      if (!isa<MemRefType>(value.getType())) {
        storeSlot(valueLoc, toSlot(b, valueLoc, value));
        continue;
      }
      auto metadata =
          memref::ExtractStridedMetadataOp::create(b, valueLoc, value);
      Value pointer =
          memref::ExtractAlignedPointerAsIndexOp::create(b, valueLoc, value);
      storeSlot(valueLoc, toSlot(b, valueLoc, pointer));
      storeSlot(valueLoc, toSlot(b, valueLoc, metadata.getOffset()));
      for (Value size : metadata.getSizes())
        storeSlot(valueLoc, toSlot(b, valueLoc, size));
      for (Value stride : metadata.getStrides())
        storeSlot(valueLoc, toSlot(b, valueLoc, stride));
    }
    Value tripCount = getTripCount(b, loc, loop);
    Value taskRef = func::ConstantOp::create(
        b, loc, Type(taskType), FlatSymbolRefAttr::get(task.getSymNameAttr()));
    func::CallOp::create(b, loc, parallelFor,
                         ValueRange{taskRef, contextPtr, tripCount});
    loop.erase();
    return success();
  }

  /// A memref descriptor from the slots loadSlot reads (pointer, offset,
  /// sizes, strides), as a value of `type`.
  static Value rebuildMemRef(OpBuilder &b, Location loc, MemRefType type,
                             function_ref<Value(Location)> loadSlot) {
    MLIRContext *context = b.getContext();
    Type ptrType = LLVM::LLVMPointerType::get(context);
    Type i64 = b.getI64Type();
    SmallVector<Type> fields{ptrType, ptrType, i64};
    if (type.getRank() > 0) {
      auto array = LLVM::LLVMArrayType::get(i64, type.getRank());
      fields.append({array, array});
    }
    auto structType = LLVM::LLVMStructType::getLiteral(context, fields);
    Value pointer = LLVM::IntToPtrOp::create(b, loc, ptrType, loadSlot(loc));
    Value descriptor = LLVM::PoisonOp::create(b, loc, structType);
    // The task never frees the buffer: the aligned pointer stands for the
    // allocated one too.
    descriptor = LLVM::InsertValueOp::create(b, loc, descriptor, pointer,
                                             ArrayRef<int64_t>{0});
    descriptor = LLVM::InsertValueOp::create(b, loc, descriptor, pointer,
                                             ArrayRef<int64_t>{1});
    descriptor = LLVM::InsertValueOp::create(b, loc, descriptor, loadSlot(loc),
                                             ArrayRef<int64_t>{2});
    for (int64_t field : {3, 4})
      for (int64_t d = 0; d < type.getRank(); ++d)
        descriptor = LLVM::InsertValueOp::create(
            b, loc, descriptor, loadSlot(loc), ArrayRef<int64_t>{field, d});
    return UnrealizedConversionCastOp::create(b, loc, type, descriptor)
        .getResult(0);
  }

  /// `value` as an index value where `mapping` maps the loop's captures.
  static Value materialize(OpBuilder &b, Location loc, OpFoldResult value,
                           const IRMapping &mapping) {
    if (auto captured = dyn_cast<Value>(value))
      return mapping.lookupOrDefault(captured);
    return getValueOrCreateConstantIndexOp(b, loc, value);
  }

  /// ceil((ub - lb) / step) of the loop's one dim, at the call.
  static Value getTripCount(OpBuilder &b, Location loc, scf::ForallOp loop) {
    IRMapping none;
    Value lb = materialize(b, loc, loop.getMixedLowerBound()[0], none);
    Value ub = materialize(b, loc, loop.getMixedUpperBound()[0], none);
    Value step = materialize(b, loc, loop.getMixedStep()[0], none);
    Value distance = arith::SubIOp::create(b, loc, ub, lb);
    return arith::CeilDivSIOp::create(b, loc, distance, step);
  }
};

} // namespace

//===- PlaceOnDevice.cpp - device memory and transfers on the host side ---===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// After deallocation and dyn-map-to-gpu: device allocations become
// gpu.alloc/gpu.dealloc, host<->device copies gpu.memcpy, a host read of a
// device scalar (a predicate, a loop bound) a one-element copy back;
// constants are read inside the kernels (sunk into gpu.launch, outlined into
// the device module); the memory space is then erased from host code.
//
//===----------------------------------------------------------------------===//

#include "DeviceMemory.h"
#include "dyn/Codegen/NVPTX/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNPLACEONDEVICE
#include "dyn/Codegen/NVPTX/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// A one-element host staging slot for `memref[indices]` (allocated at
/// function entry) and the zero indices into it; returns the one-element
/// view of the device buffer to copy to or from.
Value stageElement(OpBuilder &b, Location loc, Value memref, ValueRange indices,
                   Value &hostElement, SmallVectorImpl<Value> &hostIndices) {
  auto type = cast<MemRefType>(memref.getType());
  auto hostType = MemRefType::get(SmallVector<int64_t>(type.getRank(), 1),
                                  type.getElementType());
  {
    // At function entry: an alloca in a loop body would grow the stack on
    // every iteration.
    OpBuilder::InsertionGuard guard(b);
    auto func = b.getInsertionBlock()
                    ->getParent()
                    ->getParentOfType<FunctionOpInterface>();
    b.setInsertionPointToStart(&func.getFunctionBody().front());
    hostElement = memref::AllocaOp::create(b, loc, hostType);
  }
  hostIndices.assign(type.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
  if (type.getRank() == 0)
    return memref;
  SmallVector<OpFoldResult> offsets(indices.begin(), indices.end());
  SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
  return memref::SubViewOp::create(b, loc, memref, offsets, ones, ones);
}

struct DynPlaceOnDevicePass
    : public dyn::impl::DynPlaceOnDeviceBase<DynPlaceOnDevicePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> work;
    module.walk([&](Operation *op) {
      if (!op->getParentOfType<gpu::LaunchOp>() &&
          !op->getParentOfType<gpu::GPUModuleOp>())
        work.push_back(op);
    });
    for (Operation *op : work)
      if (failed(place(op)))
        return signalPassFailure();
    sinkConstants(module);
    eraseDeviceSpace(module);
  }

  LogicalResult place(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      if (!isDeviceMemRef(alloc.getType()))
        return success();
      auto device = gpu::AllocOp::create(
          b, loc, alloc.getType(), /*asyncToken=*/Type(), ValueRange(),
          alloc.getDynamicSizes(), alloc.getSymbolOperands());
      alloc.replaceAllUsesWith(device.getMemref());
      alloc.erase();
      ++numDeviceAllocs;
      return success();
    }
    if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
      if (isDeviceMemRef(alloca.getType()))
        return alloca.emitError(
            "dyn-place-on-device: a stack buffer in device memory");
      return success();
    }
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      if (!isDeviceMemRef(dealloc.getMemref().getType()))
        return success();
      gpu::DeallocOp::create(b, loc, /*asyncToken=*/Type(), ValueRange(),
                             dealloc.getMemref());
      dealloc.erase();
      return success();
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      bool toDevice = isDeviceMemRef(copy.getTarget().getType());
      bool fromDevice = isDeviceMemRef(copy.getSource().getType());
      if (toDevice == fromDevice) {
        if (toDevice)
          return copy.emitError("dyn-place-on-device: a device-to-device copy "
                                "on the host (dyn-map-to-gpu makes kernels "
                                "of these)");
        return success();
      }
      gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange(),
                            copy.getTarget(), copy.getSource());
      copy.erase();
      ++numTransfers;
      return success();
    }
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (!isDeviceMemRef(load.getMemRef().getType()))
        return success();
      // A decision scalar: one element back, one wait.
      Value host;
      SmallVector<Value> zeros;
      Value element = stageElement(b, loc, load.getMemRef(), load.getIndices(),
                                   host, zeros);
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange(), host, element);
      load.replaceAllUsesWith(
          memref::LoadOp::create(b, loc, host, zeros).getResult());
      load.erase();
      ++numScalarReads;
      return success();
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      if (!isDeviceMemRef(store.getMemRef().getType()))
        return success();
      Value host;
      SmallVector<Value> zeros;
      Value element = stageElement(b, loc, store.getMemRef(),
                                   store.getIndices(), host, zeros);
      memref::StoreOp::create(b, loc, store.getValueToStore(), host, zeros);
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange(), element, host);
      store.erase();
      return success();
    }
    // Anything else that reads or writes device memory on the host would
    // dereference a device pointer.
    if (isa<gpu::LaunchOp, func::CallOp, func::ReturnOp, ViewLikeOpInterface,
            memref::DimOp, memref::ExtractStridedMetadataOp,
            memref::ExtractAlignedPointerAsIndexOp, memref::GetGlobalOp,
            memref::ReshapeOp, memref::CastOp>(op) ||
        op->hasTrait<OpTrait::IsTerminator>() || op->getNumRegions() != 0)
      return success();
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects)
      return success();
    for (Value operand : op->getOperands())
      if (isDeviceMemRef(operand.getType()) &&
          (effects.getEffectOnValue<MemoryEffects::Read>(operand) ||
           effects.getEffectOnValue<MemoryEffects::Write>(operand)))
        return op->emitError("dyn-place-on-device: host op accesses device "
                             "memory; expected it inside a kernel");
    return success();
  }

  /// Constants a kernel reads are read in the kernel (outlining copies the
  /// globals into the device module): get_global and the views of it are
  /// cloned into each launch that uses them.
  void sinkConstants(ModuleOp module) {
    module.walk([&](gpu::LaunchOp launch) {
      SetVector<Value> captured;
      launch.getBody().walk([&](Operation *inner) {
        for (Value operand : inner->getOperands())
          if (!launch.getBody().isAncestor(operand.getParentRegion()))
            captured.insert(operand);
      });
      for (Value value : captured) {
        SmallVector<Operation *> chain;
        Value root = value;
        while (Operation *def = root.getDefiningOp()) {
          if (isa<memref::GetGlobalOp>(def)) {
            chain.push_back(def);
            break;
          }
          auto view = dyn_cast<ViewLikeOpInterface>(def);
          if (!view || def->getNumOperands() != 1)
            break;
          chain.push_back(def);
          root = view.getViewSource();
        }
        if (chain.empty() || !isa<memref::GetGlobalOp>(chain.back()))
          continue;
        OpBuilder b = OpBuilder::atBlockBegin(&launch.getBody().front());
        IRMapping mapping;
        for (Operation *op : llvm::reverse(chain))
          b.clone(*op, mapping);
        Value sunk = mapping.lookup(value);
        value.replaceUsesWithIf(sunk, [&](OpOperand &use) {
          return launch.getBody().isAncestor(use.getOwner()->getParentRegion());
        });
      }
    });
  }

  /// Host code needs no memory space once placement is done: device
  /// pointers are pointers. (Kernels keep their workgroup buffers.)
  void eraseDeviceSpace(ModuleOp module) {
    auto convert = [](Value value) {
      value.setType(toHostType(value.getType()));
    };
    module.walk([&](Operation *op) {
      if (op->getParentOfType<gpu::GPUModuleOp>())
        return;
      for (Value result : op->getResults())
        convert(result);
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            convert(arg);
      if (auto func = dyn_cast<func::FuncOp>(op)) {
        SmallVector<Type> inputs, results;
        for (Type type : func.getFunctionType().getInputs())
          inputs.push_back(toHostType(type));
        for (Type type : func.getFunctionType().getResults())
          results.push_back(toHostType(type));
        func.setFunctionType(
            FunctionType::get(func.getContext(), inputs, results));
      }
      if (auto global = dyn_cast<memref::GlobalOp>(op))
        global.setType(cast<MemRefType>(toHostType(global.getType())));
    });
  }
};

} // namespace

//===- PlaceOnDevice.cpp - tensors in device memory, control on the host --===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// DyCL's host/device split for the nvptx target. Bufferization (with
// `#gpu.address_space<global>` as the default memory space; index-typed
// shape buffers stay on the host) says which buffers live on the device;
// the passes here make that true:
//
//   dyn-device-boundary   each entry point becomes a host wrapper that
//                         copies its inputs to the device once and its
//                         outputs back once (pass-through inputs and
//                         constants are returned from host memory, never
//                         moved), around the device-typed entry;
//   dyn-place-on-device   device allocations become gpu.alloc/gpu.dealloc,
//                         host<->device copies gpu.memcpy, a host read of a
//                         device scalar (a predicate, a loop bound) a
//                         one-element copy back; constants are read inside
//                         the kernels (sunk into gpu.launch, outlined into
//                         the device module); the memory space is then
//                         erased from host code;
//   dyn-elide-gpu-waits   after gpu-async-region: the host waits for the
//                         stream only after copying data back.
//
//===----------------------------------------------------------------------===//

#include "dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNBUFFERIZEFORDEVICE
#define GEN_PASS_DEF_DYNDEVICEBOUNDARY
#define GEN_PASS_DEF_DYNPLACEONDEVICE
#define GEN_PASS_DEF_DYNELIDEGPUWAITS
#define GEN_PASS_DEF_DYNMERGEGPUMODULES
#include "dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

bool isDeviceSpace(Attribute space) {
  auto gpuSpace = dyn_cast_if_present<gpu::AddressSpaceAttr>(space);
  return gpuSpace && gpuSpace.getValue() == gpu::AddressSpace::Global;
}

bool isDeviceMemRef(Type type) {
  auto memref = dyn_cast<BaseMemRefType>(type);
  return memref && isDeviceSpace(memref.getMemorySpace());
}

/// `type` without the device memory space (other types unchanged).
Type toHostType(Type type) {
  if (auto memref = dyn_cast<MemRefType>(type);
      memref && isDeviceSpace(memref.getMemorySpace()))
    return MemRefType::get(memref.getShape(), memref.getElementType(),
                           memref.getLayout());
  if (auto memref = dyn_cast<UnrankedMemRefType>(type);
      memref && isDeviceSpace(memref.getMemorySpace()))
    return UnrankedMemRefType::get(memref.getElementType(), Attribute());
  return type;
}

/// The dynamic sizes of `value` (a ranked memref), read on the host.
SmallVector<Value> getDynamicSizes(OpBuilder &b, Location loc, Value value) {
  auto type = cast<MemRefType>(value.getType());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, loc, value, d));
  return sizes;
}

Value stripCasts(Value value) {
  while (auto cast = value.getDefiningOp<memref::CastOp>())
    value = cast.getSource();
  return value;
}

//===----------------------------------------------------------------------===//
// dyn-bufferize-for-device
//===----------------------------------------------------------------------===//

struct DynBufferizeForDevicePass
    : public dyn::impl::DynBufferizeForDeviceBase<DynBufferizeForDevicePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    // Entry inputs are read-only: a result equal to an input is then a
    // pass-through the host wrapper returns without moving it.
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isDeclaration())
        continue;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (isa<TensorType>(func.getArgument(i).getType()))
          func.setArgAttr(i, "bufferization.writable",
                          BoolAttr::get(ctx, false));
    }
    // Upstream's concat bufferization supports no memory space: concats
    // become inserts into an empty tensor first.
    RewritePatternSet patterns(ctx);
    tensor::populateDecomposeTensorConcatPatterns(patterns);
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();

    bufferization::OneShotBufferizationOptions options;
    options.bufferizeFunctionBoundaries = true;
    options.setFunctionBoundaryTypeConversion(
        bufferization::LayoutMapOption::IdentityLayoutMap);
    // Call results (the subnets' outputs) have identity layouts; the
    // default (fully dynamic) would make every scf.if over calls copy its
    // result into an identity buffer before returning it.
    options.unknownTypeConverterFn =
        [](TensorType type, Attribute memorySpace,
           const bufferization::BufferizationOptions &) -> BaseMemRefType {
      return bufferization::getMemRefTypeWithStaticIdentityLayout(type,
                                                                  memorySpace);
    };
    options.allowReturnAllocsFromLoops = true;
    // Tensors live on the device; shape operands (index tensors, read by
    // host-side reshapes) stay on the host.
    Attribute device =
        gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Global);
    options.defaultMemorySpaceFn =
        [device](TensorType type) -> std::optional<Attribute> {
      if (type.getElementType().isIndex())
        return Attribute();
      return device;
    };
    bufferization::BufferizationState state;
    if (failed(
            bufferization::runOneShotModuleBufferize(module, options, state)))
      signalPassFailure();
  }
};

//===----------------------------------------------------------------------===//
// dyn-device-boundary
//===----------------------------------------------------------------------===//

struct DynDeviceBoundaryPass
    : public dyn::impl::DynDeviceBoundaryBase<DynDeviceBoundaryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isDeclaration() &&
          llvm::any_of(func.getFunctionType().getInputs(), isDeviceMemRef))
        entries.push_back(func);
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isDeclaration() &&
          llvm::any_of(func.getFunctionType().getResults(), isDeviceMemRef) &&
          !llvm::is_contained(entries, func))
        entries.push_back(func);
    for (func::FuncOp entry : entries)
      wrap(entry, symbols);
  }

  /// A host copy of the device constant `global` (for constant outputs).
  memref::GlobalOp getHostGlobal(memref::GlobalOp global,
                                 SymbolTable &symbols) {
    std::string name = (global.getSymName() + "__host").str();
    if (auto existing = symbols.lookup<memref::GlobalOp>(name))
      return existing;
    OpBuilder b(global);
    auto host = cast<memref::GlobalOp>(b.clone(*global));
    host.setType(cast<MemRefType>(toHostType(global.getType())));
    host.setSymName(name);
    symbols.insert(host);
    return host;
  }

  void wrap(func::FuncOp device, SymbolTable &symbols) {
    std::string name = device.getSymName().str();
    FunctionType deviceType = device.getFunctionType();
    auto ret = cast<func::ReturnOp>(device.getBody().back().getTerminator());
    // What each result is on the device side: an argument returned as it
    // is (inputs are not writable: bufferization copied before writing),
    // or a constant.
    SmallVector<std::optional<unsigned>> passThrough;
    SmallVector<memref::GetGlobalOp> constants;
    for (Value result : ret.getOperands()) {
      Value root = stripCasts(result);
      auto arg = dyn_cast<BlockArgument>(root);
      passThrough.push_back(arg && arg.getOwner() == &device.getBody().front()
                                ? std::optional<unsigned>(arg.getArgNumber())
                                : std::nullopt);
      constants.push_back(root.getDefiningOp<memref::GetGlobalOp>());
    }

    symbols.remove(device);
    device.setSymName(name + "__device");
    device.setPrivate();
    symbols.insert(device);

    OpBuilder b(device);
    SmallVector<Type> inputs, results;
    for (Type type : deviceType.getInputs())
      inputs.push_back(toHostType(type));
    for (Type type : deviceType.getResults())
      results.push_back(toHostType(type));
    auto host = func::FuncOp::create(b, device.getLoc(), name,
                                     b.getFunctionType(inputs, results));
    host.setAllArgAttrs(device.getAllArgAttrs());
    host.setAllResultAttrs(device.getAllResultAttrs());
    for (NamedAttribute attr : device->getDiscardableAttrs())
      host->setAttr(attr.getName(), attr.getValue());
    symbols.insert(host);
    Location loc = device.getLoc();
    Block *body = host.addEntryBlock();
    b.setInsertionPointToStart(body);

    // Inputs cross once.
    SmallVector<Value> operands;
    for (auto [arg, type] :
         llvm::zip(body->getArguments(), deviceType.getInputs())) {
      if (!isDeviceMemRef(type)) {
        operands.push_back(arg);
        continue;
      }
      auto memrefType = cast<MemRefType>(type);
      Value copy = memref::AllocOp::create(b, loc, memrefType,
                                           getDynamicSizes(b, loc, arg),
                                           b.getI64IntegerAttr(64));
      memref::CopyOp::create(b, loc, arg, copy);
      operands.push_back(copy);
    }
    auto call = func::CallOp::create(b, loc, device, operands);

    // Outputs cross once; pass-through inputs and constants never move.
    SmallVector<Value> returned;
    for (auto [k, result] : llvm::enumerate(call.getResults())) {
      Type hostType = results[k];
      if (!isDeviceMemRef(result.getType())) {
        returned.push_back(result);
      } else if (passThrough[k]) {
        returned.push_back(b.createOrFold<memref::CastOp>(
            loc, hostType, body->getArgument(*passThrough[k])));
      } else if (constants[k]) {
        auto global = symbols.lookup<memref::GlobalOp>(constants[k].getName());
        memref::GlobalOp hostGlobal = getHostGlobal(global, symbols);
        Value value = memref::GetGlobalOp::create(b, loc, hostGlobal.getType(),
                                                  hostGlobal.getSymName());
        returned.push_back(
            b.createOrFold<memref::CastOp>(loc, hostType, value));
      } else {
        auto type = cast<MemRefType>(hostType);
        auto identity = MemRefType::get(type.getShape(), type.getElementType());
        Value copy = memref::AllocOp::create(b, loc, identity,
                                             getDynamicSizes(b, loc, result),
                                             b.getI64IntegerAttr(64));
        memref::CopyOp::create(b, loc, result, copy);
        returned.push_back(b.createOrFold<memref::CastOp>(loc, hostType, copy));
      }
    }
    func::ReturnOp::create(b, loc, returned);
  }
};

//===----------------------------------------------------------------------===//
// dyn-place-on-device
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// dyn-elide-gpu-waits
//===----------------------------------------------------------------------===//

/// Whether `token` was produced by a copy into host memory, or depends on
/// one through a token-joining wait. (After placement, device buffers are
/// exactly those a gpu.alloc made.)
bool producesHostData(Value token) {
  Operation *def = token.getDefiningOp();
  if (auto copy = dyn_cast_if_present<gpu::MemcpyOp>(def)) {
    Value dst = copy.getDst();
    while (Operation *producer = dst.getDefiningOp()) {
      if (isa<gpu::AllocOp>(producer))
        return false;
      auto view = dyn_cast<ViewLikeOpInterface>(producer);
      if (!view)
        break;
      dst = view.getViewSource();
    }
    return true;
  }
  if (auto wait = dyn_cast_if_present<gpu::WaitOp>(def))
    return llvm::any_of(wait.getAsyncDependencies(), producesHostData);
  return false;
}

struct DynElideGpuWaitsPass
    : public dyn::impl::DynElideGpuWaitsBase<DynElideGpuWaitsPass> {
  void runOnOperation() override {
    SmallVector<gpu::WaitOp> waits;
    getOperation().walk([&](gpu::WaitOp wait) {
      // Blocking waits only (no result): the host stops for the stream.
      if (!wait.getAsyncToken() &&
          llvm::none_of(wait.getAsyncDependencies(), producesHostData))
        waits.push_back(wait);
    });
    for (gpu::WaitOp wait : waits) {
      // The stream stays in order; only the host's wait goes.
      wait.erase();
      ++numElided;
    }
  }
};

//===----------------------------------------------------------------------===//
// dyn-merge-gpu-modules
//===----------------------------------------------------------------------===//

struct DynMergeGpuModulesPass
    : public dyn::impl::DynMergeGpuModulesBase<DynMergeGpuModulesPass> {
  using DynMergeGpuModulesBase::DynMergeGpuModulesBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() < 2)
      return;
    SymbolTable symbols(module);
    OpBuilder b(modules.front());
    auto merged =
        gpu::GPUModuleOp::create(b, modules.front().getLoc(), moduleName);
    symbols.insert(merged);
    SymbolTable mergedSymbols(merged);
    Block &body = merged.getBodyRegion().front();

    // Kernel module @M holds kernel @K: @K becomes @M in the merged module
    // (module names are unique); the device copies of host constants are
    // identical wherever they were cloned, so the first one is kept.
    DenseMap<Attribute, Attribute> renamed;
    for (gpu::GPUModuleOp kernels : modules) {
      StringRef name = kernels.getSymName();
      for (Operation &op :
           llvm::make_early_inc_range(kernels.getBodyRegion().front())) {
        auto symbol = dyn_cast<SymbolOpInterface>(&op);
        if (auto func = dyn_cast<gpu::GPUFuncOp>(&op);
            func && func.isKernel()) {
          renamed[SymbolRefAttr::get(
              kernels.getSymNameAttr(),
              {FlatSymbolRefAttr::get(func.getNameAttr())})] =
              SymbolRefAttr::get(
                  merged.getSymNameAttr(),
                  {FlatSymbolRefAttr::get(b.getStringAttr(name))});
          func.setName(name);
        } else if (symbol && mergedSymbols.lookup(symbol.getName())) {
          continue; // an identical constant is there already
        }
        op.moveBefore(&body, body.end());
        if (symbol)
          mergedSymbols.insert(&op);
      }
    }
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      Attribute to = renamed.lookup(launch.getKernel());
      if (!to) {
        launch.emitError("dyn-merge-gpu-modules: unknown kernel");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(cast<SymbolRefAttr>(to));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (gpu::GPUModuleOp kernels : modules)
      kernels.erase();
    if (!module->hasAttr(gpu::GPUDialect::getContainerModuleAttrName()))
      module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                      UnitAttr::get(&getContext()));
  }
};

} // namespace

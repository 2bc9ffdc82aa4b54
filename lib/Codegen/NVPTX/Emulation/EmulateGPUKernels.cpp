//===- EmulateGPUKernels.cpp - kernels also compiled for the host ---------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// For testing nvptx artifacts without a GPU. Every kernel of the device
// module is also compiled into the host library, with the GPU's thread and
// block queries and barriers turned into calls to an emulator; a stand-in
// libcuda (test/Integration/Inputs/emulated_cuda.c) then runs launches on
// the CPU, one block at a time, each thread a fiber. The host dispatcher,
// dyn's CUDA shim and the kernels' code down to the gpu dialect are the ones
// a GPU would run; only NVVM code generation and the driver are replaced.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/NVPTX/Emulation/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynAttrs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNEMULATEGPUKERNELS
#include "dyn/Codegen/NVPTX/Emulation/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// Declares (once) `name : (i32) -> index` or `name : () -> ()`.
func::FuncOp getEmulatorFunction(ModuleOp module, StringRef name,
                                 bool takesDim) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto type = takesDim ? b.getFunctionType(b.getI32Type(), b.getIndexType())
                       : b.getFunctionType({}, {});
  auto func = func::FuncOp::create(b, module.getLoc(), name, type);
  func.setPrivate();
  return func;
}

struct DynEmulateGPUKernelsPass
    : public dyn::impl::DynEmulateGPUKernelsBase<DynEmulateGPUKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto kernels : module.getOps<gpu::GPUModuleOp>())
      for (auto kernel : kernels.getOps<gpu::GPUFuncOp>())
        if (kernel.isKernel() && failed(emulate(module, symbols, kernel)))
          return signalPassFailure();
  }

  LogicalResult emulate(ModuleOp module, SymbolTable &symbols,
                        gpu::GPUFuncOp kernel) {
    Location loc = kernel.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    std::string name = ("dyn_emu_kernel_" + kernel.getName()).str();
    auto host = func::FuncOp::create(b, loc, name, kernel.getFunctionType());
    host.setPrivate();
    dyn::setEmulatedKernel(host, kernel.getName());
    symbols.insert(host);

    // Device constants the kernel reads: the host module's copies, added
    // back if symbol-dce removed them.
    auto kernels = kernel->getParentOfType<gpu::GPUModuleOp>();
    for (auto global : kernels.getOps<memref::GlobalOp>())
      if (!symbols.lookup(global.getSymName()))
        symbols.insert(b.clone(*global));

    IRMapping mapping;
    Block *entry = host.addEntryBlock();
    for (auto [from, to] :
         llvm::zip(kernel.getArguments(), entry->getArguments()))
      mapping.map(from, to);
    b.setInsertionPointToStart(entry);
    // Shared memory: blocks run one at a time, so one global per buffer is
    // exactly one block's shared memory.
    for (auto [k, attribution] :
         llvm::enumerate(kernel.getWorkgroupAttributions())) {
      auto type = cast<MemRefType>(attribution.getType());
      auto hostType = MemRefType::get(type.getShape(), type.getElementType());
      OpBuilder gb = OpBuilder::atBlockEnd(module.getBody());
      std::string globalName = name + "_shared" + std::to_string(k);
      auto global = memref::GlobalOp::create(
          gb, loc, globalName, gb.getStringAttr("private"), hostType,
          /*initial_value=*/gb.getUnitAttr(), /*constant=*/false,
          /*alignment=*/gb.getI64IntegerAttr(64));
      symbols.insert(global);
      mapping.map(attribution, memref::GetGlobalOp::create(
                                   b, loc, hostType, global.getSymName()));
    }
    if (!kernel.getPrivateAttributions().empty())
      return kernel.emitError("dyn-emulate-gpu-kernels: private memory "
                              "attributions are not emulated");
    if (!kernel.getBody().hasOneBlock())
      return kernel.emitError("dyn-emulate-gpu-kernels: expected a "
                              "single-block kernel");

    for (Operation &op : kernel.getBody().front())
      b.clone(op, mapping);
    return replaceGpuOps(module, host);
  }

  /// GPU queries and barriers in `host` become emulator calls, gpu.return a
  /// func.return; any other GPU op is an error.
  LogicalResult replaceGpuOps(ModuleOp module, func::FuncOp host) {
    SmallVector<Operation *> ops;
    host.walk([&](Operation *op) {
      if (isa_and_present<gpu::GPUDialect>(op->getDialect()))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder b(op);
      Location loc = op->getLoc();
      auto query = [&](StringRef name, gpu::Dimension dim) {
        func::FuncOp callee = getEmulatorFunction(module, name, true);
        Value d = arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                               static_cast<int64_t>(dim));
        op->getResult(0).replaceAllUsesWith(
            func::CallOp::create(b, loc, callee, d).getResult(0));
      };
      if (auto id = dyn_cast<gpu::ThreadIdOp>(op))
        query("dyn_emu_thread_id", id.getDimension());
      else if (auto id = dyn_cast<gpu::BlockIdOp>(op))
        query("dyn_emu_block_id", id.getDimension());
      else if (auto dim = dyn_cast<gpu::BlockDimOp>(op))
        query("dyn_emu_block_dim", dim.getDimension());
      else if (auto dim = dyn_cast<gpu::GridDimOp>(op))
        query("dyn_emu_grid_dim", dim.getDimension());
      else if (isa<gpu::BarrierOp>(op))
        func::CallOp::create(
            b, loc, getEmulatorFunction(module, "dyn_emu_barrier", false),
            ValueRange());
      else if (isa<gpu::ReturnOp>(op))
        func::ReturnOp::create(b, loc);
      else
        return op->emitError("dyn-emulate-gpu-kernels: cannot emulate ")
               << op->getName();
      op->erase();
    }
    return success();
  }
};

} // namespace

//===- EmulatedKernelEntries.cpp - launch entries of emulated kernels -----===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Testing only, with dyn-emulate-gpu-kernels: a launch hands a kernel an
// array of pointers to its arguments; the emulating libcuda calls each
// host copy of a kernel through an entry taking that array.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/NVPTX/Emulation/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynAttrs.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNEMULATEDKERNELENTRIES
#include "dyn/Codegen/NVPTX/Emulation/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// After lowering to LLVM: `dyn_emu_launch_<K>(void **params)` calls the
/// emulated kernel with the arguments a launch passes (pointers to each
/// value, as cuLaunchKernel receives them).
struct DynEmulatedKernelEntriesPass
    : public dyn::impl::DynEmulatedKernelEntriesBase<
          DynEmulatedKernelEntriesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> kernels;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (dyn::getEmulatedKernel(func))
        kernels.push_back(func);
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto ptr = LLVM::LLVMPointerType::get(&getContext());
    for (LLVM::LLVMFuncOp kernel : kernels) {
      Location loc = kernel.getLoc();
      std::string name =
          ("dyn_emu_launch_" + dyn::getEmulatedKernel(kernel).getValue()).str();
      auto entry = LLVM::LLVMFuncOp::create(
          b, loc, name,
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(&getContext()),
                                      {ptr}));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(entry.addEntryBlock(b));
      Value params = entry.getArgument(0);
      SmallVector<Value> args;
      for (auto [i, type] :
           llvm::enumerate(kernel.getFunctionType().getParams())) {
        Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, params,
                                         ArrayRef<LLVM::GEPArg>{int32_t(i)});
        Value address = LLVM::LoadOp::create(b, loc, ptr, slot);
        args.push_back(LLVM::LoadOp::create(b, loc, type, address));
      }
      LLVM::CallOp::create(b, loc, kernel, args);
      LLVM::ReturnOp::create(b, loc, ValueRange());
    }
  }
};

} // namespace

//===- DeviceBoundary.cpp - entry points cross to the device once ---------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// DyCL's host/device split at the entry points: each public function with
// device-memory arguments or results gets a host wrapper that copies its
// inputs to the device once and its outputs back once; pass-through inputs
// and constants are returned from host memory, never moved.
//
//===----------------------------------------------------------------------===//

#include "DeviceMemory.h"
#include "dyn/Codegen/NVPTX/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNDEVICEBOUNDARY
#include "dyn/Codegen/NVPTX/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

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

} // namespace

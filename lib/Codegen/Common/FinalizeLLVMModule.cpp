//===- FinalizeLLVMModule.cpp - target record and linkage -----------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynAttrs.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Endian.h"
#include "llvm/TargetParser/Triple.h"

#define DEBUG_TYPE "dyn-finalize-llvm-module"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNFINALIZELLVMMODULE
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {
struct DynFinalizeLLVMModulePass
    : public dyn::impl::DynFinalizeLLVMModuleBase<DynFinalizeLLVMModulePass> {
  using DynFinalizeLLVMModuleBase::DynFinalizeLLVMModuleBase;

  /// A constant global of dense elements (the weights) as an array of its
  /// bytes. LLVM emits a float array element by element (an APFloat and a
  /// DataLayout query each: about 2 s of ResNet-50's 25 M weights), a byte
  /// array as one blob; with opaque pointers every access reads through
  /// the global's address alone, so nothing else changes. The alignment is
  /// kept (at least the elements' size).
  static LogicalResult flattenToBytes(LLVM::GlobalOp global) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(global.getValueOrNull());
    if (!global.getConstant() || !dense || dense.isSplat())
      return failure();
    Type element = dense.getElementType();
    if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0 ||
        element.isInteger(8))
      return failure();
    ArrayRef<char> raw = dense.getRawData();
    MLIRContext *ctx = global.getContext();
    auto byte = IntegerType::get(ctx, 8);
    auto bytes = RankedTensorType::get({static_cast<int64_t>(raw.size())}, byte);
    uint64_t alignment = std::max<uint64_t>(global.getAlignment().value_or(0),
                                            element.getIntOrFloatBitWidth() / 8);
    global.setGlobalType(LLVM::LLVMArrayType::get(byte, raw.size()));
    global.setValueAttr(DenseElementsAttr::getFromRawBuffer(bytes, raw));
    global.setAlignment(alignment);
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
      if (func.isExternal() || !func.isPrivate())
        continue;
      func.setLinkage(LLVM::Linkage::Internal);
      ++numInternalized;
    }
    // (the raw data is in the host's byte order: it must be the target's)
    if (llvm::Triple(triple).isLittleEndian() &&
        llvm::endianness::native == llvm::endianness::little)
      for (auto global : module.getOps<LLVM::GlobalOp>())
        if (succeeded(flattenToBytes(global)))
          ++numFlattened;
    module->setAttr(LLVM::LLVMDialect::getTargetTripleAttrName(),
                    StringAttr::get(&getContext(), triple));
    dyn::setTargetDescription(module, cpu, features);
  }
};
} // namespace

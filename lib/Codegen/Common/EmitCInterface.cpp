//===- EmitCInterface.cpp - the stable C ABI of compiled entry points -----===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's `llvm.emit_c_interface` exposes one C function per signature
// (memref descriptors by pointer), which a generic host cannot call without
// knowing every signature at its own compile time. dyn exports one uniform
// signature per entry point instead (dyn/Runtime/dyn_runtime.h):
//
//   int32_t dyn_F(const dyn_tensor *in, int64_t n_in,
//                 dyn_tensor *out, int64_t n_out)
//
// The wrapper checks the inputs against the entry's signature in the runtime,
// rebuilds memref descriptors, calls the (now private) entry, and hands the
// result buffers over to the caller.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Runtime/dyn_runtime.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/FormatVariadic.h"

#define DEBUG_TYPE "dyn-emit-c-abi"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNEMITCINTERFACE
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

// The ABI's layout and its element types come from dyn_runtime.h.
constexpr int64_t kTensorBytes = sizeof(dyn_tensor);
constexpr int64_t kMaxRank = DYN_MAX_RANK;
static_assert(kTensorBytes == 160, "dyn_tensor's layout is part of the ABI");

/// One element type of the ABI (dyn_runtime.h's DYN_DTYPES).
struct DTypeInfo {
  int64_t code;
  StringRef name; // the MLIR element type's spelling
  int64_t bytes;
};
constexpr DTypeInfo kDTypes[] = {
#define DYN_DTYPE_INFO(ENUM, CODE, NAME, BYTES, NPY) {ENUM, NAME, BYTES},
    DYN_DTYPES(DYN_DTYPE_INFO)
#undef DYN_DTYPE_INFO
};

const DTypeInfo &getDTypeInfo(int64_t dtype) {
  return *llvm::find_if(kDTypes,
                        [&](const DTypeInfo &d) { return d.code == dtype; });
}

/// The ABI element type code of `type`, if the ABI carries it: the entry
/// whose name spells the type (`index` crosses as i64, signed integers as
/// their signless kind; unsigned and other types do not cross).
std::optional<int64_t> getDType(Type type) {
  if (type.isIndex())
    return DYN_I64;
  std::string name;
  if (auto integer = dyn_cast<IntegerType>(type)) {
    if (integer.isUnsigned())
      return std::nullopt;
    name = "i" + std::to_string(integer.getWidth());
  } else {
    llvm::raw_string_ostream os(name);
    type.print(os);
  }
  for (const DTypeInfo &dtype : kDTypes)
    if (dtype.name == name)
      return dtype.code;
  return std::nullopt;
}

StringRef getDTypeName(int64_t dtype) { return getDTypeInfo(dtype).name; }

int64_t getDTypeBytes(int64_t dtype) { return getDTypeInfo(dtype).bytes; }

/// How one argument or result crosses the ABI.
struct AbiValue {
  Type type;                  // the entry's own type (memref or scalar)
  int64_t dtype;              // DType code
  SmallVector<int64_t> shape; // -1 for dynamic; empty for scalars
  bool isMemRef;
};

FailureOr<AbiValue> classify(Type type, Location loc, StringRef what) {
  AbiValue value{type, 0, {}, false};
  Type elementType = type;
  if (auto memref = dyn_cast<MemRefType>(type)) {
    if (!memref.getLayout().isIdentity())
      return emitError(loc) << what << " has a non-identity layout " << type
                            << ", which the C ABI does not carry";
    if (memref.getRank() > kMaxRank)
      return emitError(loc) << what << " has rank " << memref.getRank()
                            << "; the C ABI carries at most " << kMaxRank;
    value.isMemRef = true;
    elementType = memref.getElementType();
    for (int64_t dim : memref.getShape())
      value.shape.push_back(ShapedType::isDynamic(dim) ? -1 : dim);
  } else if (!type.isIntOrIndexOrFloat()) {
    return emitError(loc) << what << " has type " << type
                          << ", which the C ABI does not carry";
  }
  std::optional<int64_t> dtype = getDType(elementType);
  if (!dtype)
    return emitError(loc) << what << " has element type " << elementType
                          << ", which the C ABI does not carry";
  value.dtype = *dtype;
  return value;
}

/// "f32[?,64]"
std::string describe(const AbiValue &value) {
  std::string text = getDTypeName(value.dtype).str() + "[";
  for (auto [i, dim] : llvm::enumerate(value.shape))
    text += (i ? "," : "") + (dim < 0 ? std::string("?") : std::to_string(dim));
  return text + "]";
}

/// The LLVM struct a memref of `rank` lowers to.
Type getDescriptorType(MLIRContext *ctx, int64_t rank) {
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  if (rank == 0)
    return LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr, i64});
  auto array = LLVM::LLVMArrayType::get(i64, rank);
  return LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr, i64, array, array});
}

class AbiEmitter {
public:
  AbiEmitter(ModuleOp module) : module(module), ctx(module.getContext()) {}

  LogicalResult emit() {
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isDeclaration())
        entries.push_back(func);
    std::string signatures;
    for (func::FuncOp entry : entries) {
      FailureOr<std::string> line = emitWrapper(entry);
      if (failed(line))
        return failure();
      signatures += *line + "\n";
    }
    OpBuilder builder = atModuleEnd();
    createString(builder, module.getLoc(), "dyn_module_signature", signatures,
                 LLVM::Linkage::External);
    return success();
  }

private:
  OpBuilder atModuleEnd() {
    OpBuilder builder(ctx);
    builder.setInsertionPointToEnd(module.getBody());
    return builder;
  }

  LLVM::GlobalOp createString(OpBuilder &builder, Location loc, StringRef name,
                              StringRef text, LLVM::Linkage linkage) {
    std::string value = text.str();
    value.push_back('\0');
    auto type =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), value.size());
    return LLVM::GlobalOp::create(builder, loc, type, /*isConstant=*/true,
                                  linkage, name, builder.getStringAttr(value));
  }

  /// Declares (once) a runtime function taking and returning LLVM types.
  func::FuncOp getRuntimeFunction(StringRef name, TypeRange inputs,
                                  TypeRange results) {
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder builder = atModuleEnd();
    auto func = func::FuncOp::create(builder, module.getLoc(), name,
                                     FunctionType::get(ctx, inputs, results));
    func.setPrivate();
    return func;
  }

  FailureOr<std::string> emitWrapper(func::FuncOp entry) {
    Location loc = entry.getLoc();
    StringRef name = entry.getSymName();
    std::string wrapperName = ("dyn_" + name).str();
    if (module.lookupSymbol(wrapperName))
      return entry.emitError()
             << "cannot export entry point '" << name << "': the symbol '"
             << wrapperName << "' already exists";

    // How arguments and results cross, the runtime's signature table
    // ({#in, #out, then dtype, rank, extents per value}) and the line of
    // dyn_module_signature.
    // Symbols of dyn-infer-symbolic-dims shared by two or more input dims;
    // a dim with a symbol of its own is just dynamic.
    DenseMap<int64_t, unsigned> symbolUses;
    for (unsigned i = 0; i < entry.getNumArguments(); ++i)
      if (auto symbols = dyn::getSymbolicDims(entry, i))
        for (int64_t symbol : symbols.asArrayRef())
          if (symbol >= 0)
            ++symbolUses[symbol];

    SmallVector<AbiValue> inputs, outputs;
    SmallVector<int64_t> table = {entry.getNumArguments(),
                                  entry.getNumResults()};
    std::string line = (name + "(").str();
    auto describeAll = [&](TypeRange types, StringRef kind,
                           SmallVectorImpl<AbiValue> &values) {
      for (auto [i, type] : llvm::enumerate(types)) {
        FailureOr<AbiValue> value = classify(
            type, loc, llvm::formatv("{0} #{1} of '{2}'", kind, i, name).str());
        if (failed(value))
          return failure();
        values.push_back(*value);
        table.push_back(value->dtype);
        table.push_back(value->shape.size());
        // Dynamic dims that dyn-infer-symbolic-dims tied to a symbol s are
        // -(2 + s) in the table; the runtime checks each symbol has one
        // extent across the inputs.
        auto symbols = kind == "argument" ? dyn::getSymbolicDims(entry, i)
                                          : DenseI64ArrayAttr();
        auto required = kind == "argument" ? dyn::getRequiredExtents(entry, i)
                                           : DenseI64ArrayAttr();
        for (auto [d, extent] : llvm::enumerate(value->shape)) {
          // A dynamic dim the body needs at one extent is checked as static.
          if (extent < 0 && required &&
              required.size() == (int64_t)value->shape.size() &&
              required[d] >= 0) {
            table.push_back(required[d]);
            continue;
          }
          bool tied = symbols &&
                      symbols.size() == (int64_t)value->shape.size() &&
                      extent < 0 && symbols[d] >= 0 &&
                      symbolUses.lookup(symbols[d]) > 1;
          table.push_back(tied ? -2 - symbols[d] : extent);
        }
        line += (i ? ", " : "") + describe(*value);
      }
      return success();
    };
    if (failed(describeAll(entry.getArgumentTypes(), "argument", inputs)))
      return failure();
    line += ") -> (";
    if (failed(describeAll(entry.getResultTypes(), "result", outputs)))
      return failure();
    line += ")";

    OpBuilder builder = atModuleEnd();
    auto i8 = builder.getI8Type();
    auto i32 = builder.getI32Type();
    auto i64 = builder.getI64Type();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto tableType = LLVM::LLVMArrayType::get(i64, table.size());
    auto tableGlobal = LLVM::GlobalOp::create(
        builder, loc, tableType, /*isConstant=*/true, LLVM::Linkage::Private,
        ("__dyn_signature_" + name).str(),
        DenseElementsAttr::get(
            RankedTensorType::get({static_cast<int64_t>(table.size())}, i64),
            ArrayRef<int64_t>(table)));
    auto nameGlobal = createString(builder, loc, ("__dyn_name_" + name).str(),
                                   name, LLVM::Linkage::Private);

    func::FuncOp checkInputs = getRuntimeFunction(
        "dyn_rt_check_inputs", {ptr, ptr, ptr, i64, i64}, {i32});
    func::FuncOp import =
        getRuntimeFunction("dyn_rt_import", {ptr, i64, ptr}, {});
    func::FuncOp exportMemRef =
        getRuntimeFunction("dyn_rt_export", {ptr, i64, i64, i32, ptr}, {});
    func::FuncOp exportScalar =
        getRuntimeFunction("dyn_rt_export_scalar", {ptr, i64, i32, ptr}, {i32});
    func::FuncOp finishOutputs =
        getRuntimeFunction("dyn_rt_finish_outputs", {ptr, ptr, i64}, {i32});

    // int32_t dyn_F(const dyn_tensor *in, int64_t n_in, dyn_tensor *out,
    //               int64_t n_out)
    builder = atModuleEnd();
    auto wrapper = func::FuncOp::create(
        builder, loc, wrapperName,
        FunctionType::get(ctx, {ptr, i64, ptr, i64}, {i32}));
    Block *entryBlock = wrapper.addEntryBlock();
    Value in = entryBlock->getArgument(0), numIn = entryBlock->getArgument(1);
    Value out = entryBlock->getArgument(2), numOut = entryBlock->getArgument(3);
    builder.setInsertionPointToStart(entryBlock);

    Value tableAddr = LLVM::AddressOfOp::create(builder, loc, tableGlobal);
    Value nameAddr = LLVM::AddressOfOp::create(builder, loc, nameGlobal);
    Value status =
        func::CallOp::create(builder, loc, checkInputs,
                             ValueRange{nameAddr, tableAddr, in, numIn, numOut})
            .getResult(0);
    Value zero = arith::ConstantIntOp::create(builder, loc, i32, 0);
    Value failed = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ne,
                                         status, zero);
    Block *failBlock = builder.createBlock(&wrapper.getBody());
    func::ReturnOp::create(builder, loc, status);
    Block *okBlock = builder.createBlock(&wrapper.getBody());
    builder.setInsertionPointToEnd(entryBlock);
    cf::CondBranchOp::create(builder, loc, failed, failBlock, okBlock);
    builder.setInsertionPointToStart(okBlock);

    Value one = arith::ConstantIntOp::create(builder, loc, i64, 1);
    auto tensorAt = [&](Value base, int64_t index) -> Value {
      return LLVM::GEPOp::create(builder, loc, ptr, i8, base,
                                 ArrayRef<LLVM::GEPArg>{index * kTensorBytes});
    };

    // Inputs: descriptors rebuilt by the runtime, scalars loaded.
    SmallVector<Value> args;
    for (auto [i, value] : llvm::enumerate(inputs)) {
      Value tensor = tensorAt(in, i);
      if (value.isMemRef) {
        int64_t rank = value.shape.size();
        Type descType = getDescriptorType(ctx, rank);
        Value slot = LLVM::AllocaOp::create(builder, loc, ptr, descType, one);
        Value rankValue = arith::ConstantIntOp::create(builder, loc, i64, rank);
        func::CallOp::create(builder, loc, import,
                             ValueRange{tensor, rankValue, slot});
        Value desc = LLVM::LoadOp::create(builder, loc, descType, slot);
        args.push_back(
            UnrealizedConversionCastOp::create(builder, loc, value.type, desc)
                .getResult(0));
        continue;
      }
      Value data = LLVM::LoadOp::create(builder, loc, ptr, tensor);
      Type storage = value.type.isIndex()      ? Type(i64)
                     : value.type.isInteger(1) ? Type(i8)
                                               : value.type;
      Value scalar = LLVM::LoadOp::create(builder, loc, storage, data);
      if (value.type.isIndex())
        scalar = arith::IndexCastOp::create(builder, loc, value.type, scalar);
      else if (value.type.isInteger(1))
        scalar = arith::TruncIOp::create(builder, loc, value.type, scalar);
      args.push_back(scalar);
    }

    auto call = func::CallOp::create(builder, loc, entry, args);

    // Outputs: descriptors handed to the runtime, scalars boxed.
    for (auto [j, value] : llvm::enumerate(outputs)) {
      Value tensor = tensorAt(out, j);
      Value result = call.getResult(j);
      Value dtype =
          arith::ConstantIntOp::create(builder, loc, i32, value.dtype);
      Value bytes = arith::ConstantIntOp::create(builder, loc, i64,
                                                 getDTypeBytes(value.dtype));
      if (value.isMemRef) {
        int64_t rank = value.shape.size();
        Type descType = getDescriptorType(ctx, rank);
        Value desc =
            UnrealizedConversionCastOp::create(builder, loc, descType, result)
                .getResult(0);
        Value slot = LLVM::AllocaOp::create(builder, loc, ptr, descType, one);
        LLVM::StoreOp::create(builder, loc, desc, slot);
        Value rankValue = arith::ConstantIntOp::create(builder, loc, i64, rank);
        func::CallOp::create(builder, loc, exportMemRef,
                             ValueRange{slot, rankValue, bytes, dtype, tensor});
        continue;
      }
      if (value.type.isIndex())
        result = arith::IndexCastOp::create(builder, loc, i64, result);
      else if (value.type.isInteger(1))
        result = arith::ExtUIOp::create(builder, loc, i8, result);
      Value slot =
          LLVM::AllocaOp::create(builder, loc, ptr, result.getType(), one);
      LLVM::StoreOp::create(builder, loc, result, slot);
      func::CallOp::create(builder, loc, exportScalar,
                           ValueRange{slot, bytes, dtype, tensor});
    }
    Value finished = func::CallOp::create(builder, loc, finishOutputs,
                                          ValueRange{nameAddr, out, numOut})
                         .getResult(0);
    func::ReturnOp::create(builder, loc, finished);

    // The entry itself is now an implementation detail of its wrapper.
    entry.setPrivate();
    return line;
  }

  ModuleOp module;
  MLIRContext *ctx;
};

struct DynEmitCInterfacePass
    : public dyn::impl::DynEmitCInterfaceBase<DynEmitCInterfacePass> {
  void runOnOperation() override {
    if (failed(AbiEmitter(getOperation()).emit()))
      signalPassFailure();
  }
};

} // namespace

//===- LowerAssertions.cpp - cf.assert as a run-time error ----------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream lowers cf.assert to a call of abort(): a library must not end its
// host process because an input broke an assumption of the model. Here the
// failure is reported to the runtime, which makes the entry point return
// DYN_ERROR_ASSERT with the assertion's message (dyn-exit-on-error stops the
// function after the report).
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#define DEBUG_TYPE "dyn-lower-assertions"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNLOWERASSERTIONS
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kAssertFn = "dyn_rt_assert_failed";

struct DynLowerAssertionsPass
    : public dyn::impl::DynLowerAssertionsBase<DynLowerAssertionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    for (auto func : module.getOps<func::FuncOp>())
      func.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    if (asserts.empty())
      return;

    MLIRContext *ctx = &getContext();
    auto messageType =
        MemRefType::get({ShapedType::kDynamic}, IntegerType::get(ctx, 8));
    func::FuncOp report = module.lookupSymbol<func::FuncOp>(kAssertFn);
    if (!report) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      report = func::FuncOp::create(b, module.getLoc(), kAssertFn,
                                    FunctionType::get(ctx, {messageType}, {}));
      report.setPrivate();
    }
    // One constant global per distinct message.
    SymbolTable symbols(module);
    llvm::StringMap<memref::GlobalOp> globals;
    auto getGlobal = [&](StringRef message) {
      if (memref::GlobalOp global = globals.lookup(message))
        return global;
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      auto type = MemRefType::get({std::max<int64_t>(1, message.size())},
                                  b.getI8Type());
      std::string bytes = message.empty() ? std::string(1, ' ') : message.str();
      auto value = DenseElementsAttr::get(
          RankedTensorType::get(type.getShape(), b.getI8Type()),
          ArrayRef<char>(bytes.data(), bytes.size()));
      auto global = memref::GlobalOp::create(
          b, module.getLoc(), "__dyn_assert_" + std::to_string(globals.size()),
          b.getStringAttr("private"), type, value, /*constant=*/true,
          /*alignment=*/IntegerAttr());
      SymbolTable::setSymbolVisibility(global,
                                       SymbolTable::Visibility::Private);
      // Unique among the module's symbols.
      symbols.insert(global);
      globals[message] = global;
      return global;
    };

    for (cf::AssertOp op : asserts) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      Value yes = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
      Value failed = arith::XOrIOp::create(b, loc, op.getArg(), yes);
      auto ifOp = scf::IfOp::create(b, loc, TypeRange(), failed,
                                    /*withElseRegion=*/false);
      OpBuilder then = OpBuilder::atBlockBegin(ifOp.thenBlock());
      memref::GlobalOp global = getGlobal(op.getMsg());
      Value text = memref::GetGlobalOp::create(then, loc, global.getType(),
                                               global.getSymName());
      Value dynamic = memref::CastOp::create(then, loc, messageType, text);
      func::CallOp::create(then, loc, report, ValueRange{dynamic});
      op.erase();
      ++numAssertions;
    }
  }
};

} // namespace

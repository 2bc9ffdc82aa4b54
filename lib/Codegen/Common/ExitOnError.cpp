//===- ExitOnError.cpp - stop at a failed allocation or assertion ---------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// finalize-memref-to-llvm writes through whatever the allocator returns;
// upstream has no option to check it, and no way for a failed check to
// leave a function early other than aborting. Here every private function
// that can reach an allocation or a failed assertion returns zero values as
// soon as one fails, so that no code runs on a null buffer or past a broken
// assumption, and the C ABI entry point reports DYN_ERROR_ALLOC or
// DYN_ERROR_ASSERT (dyn_rt_finish_outputs) instead of the process dying.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SetVector.h"

#define DEBUG_TYPE "dyn-exit-on-error"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNEXITONERROR
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kAllocFn = "_mlir_memref_to_llvm_alloc";
constexpr llvm::StringLiteral kFailedFn = "dyn_rt_alloc_failed";
constexpr llvm::StringLiteral kPendingFn = "dyn_rt_exit_pending";
constexpr llvm::StringLiteral kAssertFn = "dyn_rt_assert_failed";

/// Declares `name` with `type` in `module` unless it is there.
LLVM::LLVMFuncOp declare(ModuleOp module, StringRef name,
                         LLVM::LLVMFunctionType type) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  return LLVM::LLVMFuncOp::create(b, module.getLoc(), name, type);
}

/// The callee of `call` if it is a direct call.
StringRef getCallee(LLVM::CallOp call) {
  std::optional<StringRef> callee = call.getCallee();
  return callee ? *callee : StringRef();
}

/// Functions of the module's own (private symbols, or private / internal
/// linkage), not the C ABI entry points whose callers read their status.
bool isInternal(LLVM::LLVMFuncOp func) {
  LLVM::Linkage linkage = func.getLinkage();
  return func.isPrivate() || linkage == LLVM::Linkage::Private ||
         linkage == LLVM::Linkage::Internal;
}

/// Calls after which a function may have to stop.
bool isFailurePoint(StringRef callee) {
  return callee == kAllocFn || callee == kAssertFn;
}

/// One function's early exit: `bail` returns zero values; `allocFailed`
/// (with the byte count as argument) reports and branches to `bail`.
struct ExitBlocks {
  Block *bail = nullptr;
  Block *allocFailed = nullptr;
};

ExitBlocks createExitBlocks(LLVM::LLVMFuncOp func, LLVM::LLVMFuncOp failedFn,
                            bool allocates) {
  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  Region &body = func.getBody();
  ExitBlocks exits;
  exits.bail = new Block();
  body.push_back(exits.bail);
  OpBuilder b = OpBuilder::atBlockBegin(exits.bail);
  Type resultType = func.getFunctionType().getReturnType();
  if (isa<LLVM::LLVMVoidType>(resultType)) {
    LLVM::ReturnOp::create(b, loc, ValueRange());
  } else {
    Value zero = LLVM::ZeroOp::create(b, loc, resultType);
    LLVM::ReturnOp::create(b, loc, zero);
  }
  if (!allocates)
    return exits;
  exits.allocFailed = new Block();
  body.push_back(exits.allocFailed);
  Value bytes = exits.allocFailed->addArgument(IntegerType::get(ctx, 64), loc);
  b.setInsertionPointToStart(exits.allocFailed);
  LLVM::CallOp::create(b, loc, failedFn, ValueRange{bytes});
  LLVM::BrOp::create(b, loc, ValueRange(), exits.bail);
  return exits;
}

struct DynExitOnErrorPass
    : public dyn::impl::DynExitOnErrorBase<DynExitOnErrorPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!module.lookupSymbol<LLVM::LLVMFuncOp>(kAllocFn) &&
        !module.lookupSymbol<LLVM::LLVMFuncOp>(kAssertFn))
      return;

    // The private definitions that can reach a failure: a fixed point
    // over direct calls (recursion and indirect calls do not occur in
    // dyn's generated code; an indirect call is not checked).
    llvm::SetVector<LLVM::LLVMFuncOp> mayFail;
    SymbolTable symbols(module);
    // Calls after which the caller may have to stop.
    auto reachesFailure = [&](LLVM::CallOp call) {
      StringRef callee = getCallee(call);
      auto target = symbols.lookup<LLVM::LLVMFuncOp>(callee);
      return isFailurePoint(callee) || (target && mayFail.contains(target));
    };
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
        if (func.isExternal() || !isInternal(func) || mayFail.contains(func))
          continue;
        WalkResult found = func.walk([&](LLVM::CallOp call) {
          return reachesFailure(call) ? WalkResult::interrupt()
                                      : WalkResult::advance();
        });
        if (found.wasInterrupted()) {
          mayFail.insert(func);
          changed = true;
        }
      }
    }
    if (mayFail.empty())
      return;

    MLIRContext *ctx = &getContext();
    auto i64 = IntegerType::get(ctx, 64);
    auto i32 = IntegerType::get(ctx, 32);
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    LLVM::LLVMFuncOp failedFn =
        declare(module, kFailedFn, LLVM::LLVMFunctionType::get(voidType, i64));
    LLVM::LLVMFuncOp pendingFn =
        declare(module, kPendingFn, LLVM::LLVMFunctionType::get(i32, {}));

    for (LLVM::LLVMFuncOp func : mayFail) {
      SmallVector<LLVM::CallOp> calls;
      func.walk([&](LLVM::CallOp call) {
        if (reachesFailure(call))
          calls.push_back(call);
      });
      bool allocates = llvm::any_of(
          calls, [](LLVM::CallOp call) { return getCallee(call) == kAllocFn; });
      ExitBlocks exits = createExitBlocks(func, failedFn, allocates);
      for (LLVM::CallOp call : calls)
        checkAfter(call, exits, pendingFn);
    }
  }

  /// Splits the block after `call` and branches to the early exit when the
  /// allocation it made (or one below it) failed; a failed assertion
  /// always exits (the code after it is left unreachable).
  void checkAfter(LLVM::CallOp call, const ExitBlocks &exits,
                  LLVM::LLVMFuncOp pendingFn) {
    Location loc = call.getLoc();
    Block *before = call->getBlock();
    Block *after = before->splitBlock(call->getNextNode());
    OpBuilder b = OpBuilder::atBlockEnd(before);
    if (getCallee(call) == kAssertFn) {
      LLVM::BrOp::create(b, loc, ValueRange(), exits.bail);
      ++numCallChecks;
      return;
    }
    if (getCallee(call) == kAllocFn) {
      Value pointer = call.getResult();
      Value null = LLVM::ZeroOp::create(b, loc, pointer.getType());
      Value failed =
          LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, pointer, null);
      LLVM::CondBrOp::create(b, loc, failed, exits.allocFailed,
                             ValueRange{call.getOperand(0)}, after,
                             ValueRange());
      ++numAllocationChecks;
      return;
    }
    Value pending =
        LLVM::CallOp::create(b, loc, pendingFn, ValueRange()).getResult();
    Value zero = LLVM::ConstantOp::create(b, loc, pending.getType(),
                                          b.getI32IntegerAttr(0));
    Value failed =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, pending, zero);
    LLVM::CondBrOp::create(b, loc, failed, exits.bail, ValueRange(), after,
                           ValueRange());
    ++numCallChecks;
  }
};

} // namespace

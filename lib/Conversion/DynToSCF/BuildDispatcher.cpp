//===- BuildDispatcher.cpp - dyn control flow to an scf host dispatcher ---===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// After outlining, the dyn ops of a function only route values between
// subnet calls. Turning them into scf is exactly dyn-lower-to-scf; what this
// pass adds is the contract check that no compute is left on the host and
// the `dyn.dispatcher` mark that later stages (the C ABI) rely on.
//
//===----------------------------------------------------------------------===//

#include "dyn/Conversion/Passes.h"
#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Dialect/Dyn/IR/DynOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "dyn-build-dispatcher"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNBUILDDISPATCHER
#include "dyn/Conversion/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;
using namespace mlir::dyn;

namespace {

/// Ops a dispatcher region may hold: calls, scalar/cast glue, nested control
/// flow and terminators.
bool isAllowedInDispatcher(Operation *op) {
  return isa<func::CallOp, tensor::CastOp, tensor::ExtractOp, CondOp, SwitchOp,
             WhileOp, YieldOp, ConditionOp, scf::IfOp, scf::IndexSwitchOp,
             scf::WhileOp, scf::ForOp, scf::YieldOp, scf::ConditionOp>(op) ||
         op->hasTrait<OpTrait::ConstantLike>() || isHostScalarOp(op);
}

struct DynBuildDispatcherPass
    : public dyn::impl::DynBuildDispatcherBase<DynBuildDispatcherPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isDeclaration() || isSubnet(func))
        continue;
      if (failed(verifyOutlined(func)))
        return signalPassFailure();
      lowerDynToSCF(rewriter, func);
      setDispatcher(func);
    }
  }

  /// Checks that every op nested in a dyn region of `func` is host glue.
  LogicalResult verifyOutlined(func::FuncOp func) {
    WalkResult result = func.walk([&](Operation *op) {
      if (!isa<CondOp, SwitchOp, WhileOp>(op))
        return WalkResult::advance();
      for (Region &region : op->getRegions())
        for (Operation &nested : region.getOps())
          if (!isAllowedInDispatcher(&nested)) {
            nested.emitOpError()
                << "is compute left in a dispatcher region of '"
                << func.getSymName() << "'; run dyn-outline-regions first";
            return WalkResult::interrupt();
          }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }
};

} // namespace

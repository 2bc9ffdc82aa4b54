//===- ArithValueBounds.cpp - value bounds of arith min/max ---------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream's arith models of ValueBoundsOpInterface cover add, sub, mul,
// floordiv, select and constants, not min/max. A data-dependent extent is
// typically clamped with them (`min(max(k, 0), dim)`), and the clamp is what
// gives the upper bound `dyn-subnet-destinations` allocates for.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"

using namespace mlir;

namespace {

/// `min(a, b) <= a`, `min(a, b) <= b` (signed, as index values are).
struct MinSIOpBounds
    : public ValueBoundsOpInterface::ExternalModel<MinSIOpBounds,
                                                   arith::MinSIOp> {
  void populateBoundsForIndexValue(Operation *op, Value value,
                                   ValueBoundsConstraintSet &cstr) const {
    auto min = cast<arith::MinSIOp>(op);
    cstr.bound(value) <= cstr.getExpr(min.getLhs());
    cstr.bound(value) <= cstr.getExpr(min.getRhs());
  }
};

/// `max(a, b) >= a`, `max(a, b) >= b`.
struct MaxSIOpBounds
    : public ValueBoundsOpInterface::ExternalModel<MaxSIOpBounds,
                                                   arith::MaxSIOp> {
  void populateBoundsForIndexValue(Operation *op, Value value,
                                   ValueBoundsConstraintSet &cstr) const {
    auto max = cast<arith::MaxSIOp>(op);
    cstr.bound(value) >= cstr.getExpr(max.getLhs());
    cstr.bound(value) >= cstr.getExpr(max.getRhs());
  }
};

} // namespace

void mlir::dyn::registerArithMinMaxValueBounds(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, arith::ArithDialect *) {
    arith::MinSIOp::attachInterface<MinSIOpBounds>(*ctx);
    arith::MaxSIOp::attachInterface<MaxSIOpBounds>(*ctx);
  });
}

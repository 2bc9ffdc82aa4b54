//===- DynOps.h - dyn dialect operations ------------------------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_DIALECT_DYN_IR_DYNOPS_H
#define DYN_DIALECT_DYN_IR_DYNOPS_H

#include "dyn/Dialect/Dyn/IR/DynDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
namespace dyn {
class YieldOp;
class ConditionOp;

/// Returns true if a value of type `from` may flow where `to` is expected:
/// equal types, or tensors with the same element type whose shapes are
/// compatible (same rank, equal extents wherever both are static; unranked
/// matches any rank). This is the rule for every region edge of dyn ops.
bool areCastCompatible(Type from, Type to);

/// Returns the 0-d-tensor-or-scalar predicate/index `value` as a scalar,
/// extracting it (tensor.extract) at the builder's insertion point if it is
/// a 0-d tensor.
Value extractScalar(OpBuilder &builder, Location loc, Value value);

/// The value of a constant predicate (`i1` or splat `tensor<i1>` attribute).
std::optional<bool> getConstantPredicate(Attribute attr);

/// The value of a constant switch index (integer or splat tensor attribute).
std::optional<int64_t> getConstantIndex(Attribute attr);

/// Returns true for pure scalar arithmetic (all operands and results are
/// integers, indices or floats, no regions): loop counters and predicates
/// computed from scalars stay in the host dispatcher instead of becoming
/// subnets of their own (dyn-outline-regions, dyn-build-dispatcher).
bool isHostScalarOp(Operation *op);

/// Returns `value` cast to `type` (tensor.cast for tensors), or `value`
/// itself when the types already agree. The types must be cast-compatible.
Value castToType(OpBuilder &builder, Location loc, Value value, Type type);

/// The type a region of dyn.batch_cond / dyn.batch_switch sees for `type`
/// (a ranked tensor batched along dim 0): dim 0 dynamic, since a sub-batch
/// has any number of rows.
RankedTensorType getSubBatchType(Type type);
} // namespace dyn
} // namespace mlir

#define GET_OP_CLASSES
#include "dyn/Dialect/Dyn/IR/DynOps.h.inc"

#endif // DYN_DIALECT_DYN_IR_DYNOPS_H

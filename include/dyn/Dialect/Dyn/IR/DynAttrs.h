//===- DynAttrs.h - the attributes dyn's passes exchange --------*- C++ -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Typed accessors for the discardable attributes the dyn dialect declares
// (DynBase.td). Passes read and write them only through these functions, so
// a name lives in one place and the dialect's verifier knows every one;
// docs/dialect.md#attributes says which pass sets and which reads each.
//
//===----------------------------------------------------------------------===//

#ifndef DYN_DIALECT_DYN_IR_DYNATTRS_H
#define DYN_DIALECT_DYN_IR_DYNATTRS_H

#include "dyn/Dialect/Dyn/IR/DynDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/Error.h"

namespace mlir {
namespace dyn {

//===----------------------------------------------------------------------===//
// Function and module attributes
//===----------------------------------------------------------------------===//

/// `dyn.subnet`: `op` is an outlined, control-flow-free subnet function.
inline bool isSubnet(Operation *op) {
  return op->hasAttrOfType<UnitAttr>(
      DynDialect::SubnetAttrHelper::getNameStr());
}
inline void setSubnet(Operation *op) {
  op->setAttr(DynDialect::SubnetAttrHelper::getNameStr(),
              UnitAttr::get(op->getContext()));
}
inline void clearSubnet(Operation *op) {
  op->removeAttr(DynDialect::SubnetAttrHelper::getNameStr());
}

/// `dyn.dispatcher`: `op` is a host dispatcher (control flow around subnet
/// calls, or a shape-version guard chain).
inline bool isDispatcher(Operation *op) {
  return op->hasAttrOfType<UnitAttr>(
      DynDialect::DispatcherAttrHelper::getNameStr());
}
inline void setDispatcher(Operation *op) {
  op->setAttr(DynDialect::DispatcherAttrHelper::getNameStr(),
              UnitAttr::get(op->getContext()));
}

/// `dyn.shape_function`: `op` computes the dynamic result extents of a
/// subnet from its arguments; with `dyn.upper_bounds`, upper bounds of
/// data-dependent extents.
inline bool isShapeFunction(Operation *op) {
  return op->hasAttrOfType<UnitAttr>(
      DynDialect::ShapeFunctionAttrHelper::getNameStr());
}
inline void setShapeFunction(Operation *op) {
  op->setAttr(DynDialect::ShapeFunctionAttrHelper::getNameStr(),
              UnitAttr::get(op->getContext()));
}
inline void setUpperBounds(Operation *op) {
  op->setAttr(DynDialect::UpperBoundsAttrHelper::getNameStr(),
              UnitAttr::get(op->getContext()));
}

/// `dyn.specialize`: the shape specialisations asked for an entry point,
/// `["ARG.DIM=V,V,..."]` (see dyn-specialize-shapes).
inline ArrayAttr getSpecializeAttr(Operation *op) {
  return op->getAttrOfType<ArrayAttr>(
      DynDialect::SpecializeAttrHelper::getNameStr());
}
inline void clearSpecializeAttr(Operation *op) {
  op->removeAttr(DynDialect::SpecializeAttrHelper::getNameStr());
}

/// `dyn.emulated_kernel`: `op` is the host copy of the GPU kernel named by
/// the attribute (testing without a GPU).
inline StringAttr getEmulatedKernel(Operation *op) {
  return op->getAttrOfType<StringAttr>(
      DynDialect::EmulatedKernelAttrHelper::getNameStr());
}
inline void setEmulatedKernel(Operation *op, StringRef kernel) {
  op->setAttr(DynDialect::EmulatedKernelAttrHelper::getNameStr(),
              StringAttr::get(op->getContext(), kernel));
}

/// `dyn.target_cpu` / `dyn.target_features` on the module: what its code was
/// generated for.
void setTargetDescription(Operation *module, StringRef cpu, StringRef features);

//===----------------------------------------------------------------------===//
// Argument attributes
//===----------------------------------------------------------------------===//

/// `dyn.symbolic_dims` of argument `arg` of `func` (null if absent): one
/// symbol per dim, dims sharing a symbol must be equal, -1 for static or
/// unconstrained dims.
DenseI64ArrayAttr getSymbolicDims(FunctionOpInterface func, unsigned arg);
void setSymbolicDims(FunctionOpInterface func, unsigned arg,
                     ArrayRef<int64_t> symbols);

/// `dyn.required_extents` of argument `arg` of `func` (null if absent): the
/// extent each dynamic dim must have at run time, -1 for any.
DenseI64ArrayAttr getRequiredExtents(FunctionOpInterface func, unsigned arg);
void setRequiredExtents(FunctionOpInterface func, unsigned arg,
                        ArrayRef<int64_t> extents);

//===----------------------------------------------------------------------===//
// Shape specialisations
//===----------------------------------------------------------------------===//

/// One dim to specialise and its extents: `ARG.DIM=V,V,...`, the element
/// syntax of `dyn.specialize` and of dyn-specialize-shapes' option.
struct DimSpecialization {
  unsigned arg = 0;
  int64_t dim = 0;
  SmallVector<int64_t> extents; // distinct, in the order given
};

/// Parses `ARG.DIM=V,V,...`; for a malformed text, a message that says what
/// was expected.
llvm::Expected<DimSpecialization> parseDimSpecialization(StringRef text);

} // namespace dyn
} // namespace mlir

#endif // DYN_DIALECT_DYN_IR_DYNATTRS_H

//===- DynAttrs.cpp - the attributes dyn's passes exchange ----------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Accessors and the verifier of the discardable attributes declared in
// DynBase.td: each must have its declared type and sit where its consumers
// look for it; a `dyn.` attribute the dialect does not declare (a typo) is
// an error.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Dialect/Dyn/IR/DynDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace mlir::dyn;

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

void mlir::dyn::setTargetDescription(Operation *module, StringRef cpu,
                                     StringRef features) {
  MLIRContext *context = module->getContext();
  module->setAttr(DynDialect::TargetCpuAttrHelper::getNameStr(),
                  StringAttr::get(context, cpu));
  module->setAttr(DynDialect::TargetFeaturesAttrHelper::getNameStr(),
                  StringAttr::get(context, features));
}

DenseI64ArrayAttr mlir::dyn::getSymbolicDims(FunctionOpInterface func,
                                             unsigned arg) {
  return func.getArgAttrOfType<DenseI64ArrayAttr>(
      arg, DynDialect::getSymbolicDimsAttrName());
}

void mlir::dyn::setSymbolicDims(FunctionOpInterface func, unsigned arg,
                                ArrayRef<int64_t> symbols) {
  func.setArgAttr(arg, DynDialect::getSymbolicDimsAttrName(),
                  DenseI64ArrayAttr::get(func->getContext(), symbols));
}

DenseI64ArrayAttr mlir::dyn::getRequiredExtents(FunctionOpInterface func,
                                                unsigned arg) {
  return func.getArgAttrOfType<DenseI64ArrayAttr>(
      arg, DynDialect::getRequiredExtentsAttrName());
}

void mlir::dyn::setRequiredExtents(FunctionOpInterface func, unsigned arg,
                                   ArrayRef<int64_t> extents) {
  func.setArgAttr(arg, DynDialect::getRequiredExtentsAttrName(),
                  DenseI64ArrayAttr::get(func->getContext(), extents));
}

llvm::Expected<DimSpecialization>
mlir::dyn::parseDimSpecialization(StringRef text) {
  auto fail = [&](const Twine &why) {
    return llvm::createStringError(
        "malformed specialisation '" + text + "': " + why +
        " (expected ARG.DIM=V,V,..., e.g. 0.1=64,128)");
  };
  auto [lhs, rhs] = text.trim().split('=');
  auto [argText, dimText] = lhs.split('.');
  DimSpecialization result;
  if (argText.trim().getAsInteger(10, result.arg) ||
      dimText.trim().getAsInteger(10, result.dim))
    return fail("ARG and DIM must be integers");
  SmallVector<StringRef> values;
  rhs.split(values, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  if (values.empty())
    return fail("no extents");
  for (StringRef value : values) {
    int64_t extent;
    if (value.trim().getAsInteger(10, extent) || extent < 1)
      return fail(
          "extents must be positive integers (tosa ops reject zero-size dims)");
    if (!llvm::is_contained(result.extents, extent))
      result.extents.push_back(extent);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Verifier
//===----------------------------------------------------------------------===//

namespace {
/// Where an attribute may be attached.
enum class Placement { Function, Module };

/// One declared operation attribute: its name and the check of its value.
struct DeclaredAttr {
  StringRef name;
  Placement placement;
  StringRef typeDescription;
  function_ref<bool(Attribute)> hasType;
};
} // namespace

static bool isUnit(Attribute attr) { return isa<UnitAttr>(attr); }
static bool isString(Attribute attr) { return isa<StringAttr>(attr); }
static bool isStringArray(Attribute attr) {
  auto array = dyn_cast<ArrayAttr>(attr);
  return array && llvm::all_of(array, llvm::IsaPred<StringAttr>);
}

static ArrayRef<DeclaredAttr> getDeclaredAttrs() {
  static const DeclaredAttr attrs[] = {
      {DynDialect::SubnetAttrHelper::getNameStr(), Placement::Function,
       "a unit attribute", isUnit},
      {DynDialect::DispatcherAttrHelper::getNameStr(), Placement::Function,
       "a unit attribute", isUnit},
      {DynDialect::ShapeFunctionAttrHelper::getNameStr(), Placement::Function,
       "a unit attribute", isUnit},
      {DynDialect::UpperBoundsAttrHelper::getNameStr(), Placement::Function,
       "a unit attribute", isUnit},
      {DynDialect::SpecializeAttrHelper::getNameStr(), Placement::Function,
       "an array of strings", isStringArray},
      {DynDialect::EmulatedKernelAttrHelper::getNameStr(), Placement::Function,
       "a string", isString},
      {DynDialect::TargetCpuAttrHelper::getNameStr(), Placement::Module,
       "a string", isString},
      {DynDialect::TargetFeaturesAttrHelper::getNameStr(), Placement::Module,
       "a string", isString},
  };
  return attrs;
}

static bool isArgumentAttrName(StringRef name) {
  return name == DynDialect::getSymbolicDimsAttrName() ||
         name == DynDialect::getRequiredExtentsAttrName();
}

/// The declared names, for the message about an undeclared one.
static std::string listDeclaredNames() {
  std::string names;
  for (const DeclaredAttr &attr : getDeclaredAttrs())
    names += (names.empty() ? "" : ", ") + attr.name.str();
  names += std::string(", ") + DynDialect::getSymbolicDimsAttrName().str() +
           ", " + DynDialect::getRequiredExtentsAttrName().str();
  return names;
}

LogicalResult DynDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  if (isArgumentAttrName(name))
    return op->emitError() << "'" << name
                           << "' is an argument attribute of a function, not "
                              "an attribute of an operation";
  const auto *declared =
      llvm::find_if(getDeclaredAttrs(), [&](const DeclaredAttr &attr) {
        return attr.name == name;
      });
  if (declared == getDeclaredAttrs().end())
    return op->emitError() << "unknown attribute '" << name
                           << "' (the dyn dialect declares " +
                                  listDeclaredNames() + ")";
  if (!declared->hasType(attribute.getValue()))
    return op->emitError() << "'" << name << "' must be "
                           << declared->typeDescription << ", got "
                           << attribute.getValue();
  if (declared->placement == Placement::Module && !isa<ModuleOp>(op))
    return op->emitError() << "'" << name
                           << "' belongs on a builtin.module, not on '"
                           << op->getName() << "'";
  if (declared->placement == Placement::Function &&
      !isa<FunctionOpInterface>(op))
    return op->emitError() << "'" << name << "' belongs on a function, not on '"
                           << op->getName() << "'";

  if (name == UpperBoundsAttrHelper::getNameStr() && !isShapeFunction(op))
    return op->emitError() << "'" << name << "' needs '"
                           << ShapeFunctionAttrHelper::getNameStr()
                           << "' on the same function";
  if (name == EmulatedKernelAttrHelper::getNameStr() &&
      cast<StringAttr>(attribute.getValue()).empty())
    return op->emitError() << "'" << name << "' must name a kernel";
  if (name == SpecializeAttrHelper::getNameStr()) {
    for (Attribute element : cast<ArrayAttr>(attribute.getValue())) {
      auto parsed =
          parseDimSpecialization(cast<StringAttr>(element).getValue());
      if (!parsed)
        return op->emitError()
               << "'" << name << "': " << llvm::toString(parsed.takeError());
    }
  }
  return success();
}

LogicalResult DynDialect::verifyRegionArgAttribute(Operation *op,
                                                   unsigned regionIndex,
                                                   unsigned argIndex,
                                                   NamedAttribute attribute) {
  StringRef name = attribute.getName().getValue();
  if (!isArgumentAttrName(name)) {
    bool declared = llvm::any_of(getDeclaredAttrs(),
                                 [&](auto &attr) { return attr.name == name; });
    if (declared)
      return op->emitError()
             << "'" << name << "' is not an argument attribute (argument "
             << argIndex << ")";
    return op->emitError() << "unknown attribute '" << name << "' on argument "
                           << argIndex
                           << " (the dyn dialect declares " +
                                  listDeclaredNames() + ")";
  }
  auto function = dyn_cast<FunctionOpInterface>(op);
  if (!function || regionIndex != 0)
    return op->emitError() << "'" << name
                           << "' belongs on the arguments of a function";
  auto values = dyn_cast<DenseI64ArrayAttr>(attribute.getValue());
  if (!values)
    return op->emitError() << "'" << name << "' of argument " << argIndex
                           << " must be an array<i64>, got "
                           << attribute.getValue();
  for (int64_t value : values.asArrayRef())
    if (value < -1)
      return op->emitError()
             << "'" << name << "' of argument " << argIndex << " holds "
             << value << "; entries are -1 or non-negative";
  // Before lowering to LLVM the argument is the shaped value the entries
  // describe, one per dim; func-to-llvm copies the attribute onto the
  // pointers and integers a memref expands to (an llvm.func), where it is
  // only carried along.
  Type type = function.getArgumentTypes()[argIndex];
  if (auto shaped = dyn_cast<ShapedType>(type)) {
    if (!shaped.hasRank() || shaped.getRank() != (int64_t)values.size())
      return op->emitError()
             << "'" << name << "' of argument " << argIndex << " has "
             << values.size() << " entries, but the argument is " << type;
    if (name == getRequiredExtentsAttrName())
      for (auto [dim, extent] : llvm::enumerate(values.asArrayRef()))
        if (extent >= 0 && !shaped.isDynamicDim(dim) &&
            shaped.getDimSize(dim) != extent)
          return op->emitError()
                 << "'" << name << "' of argument " << argIndex
                 << " requires extent " << extent << " of dim " << dim
                 << ", which is statically " << shaped.getDimSize(dim);
  } else if (op->getName().getDialectNamespace() != "llvm") {
    return op->emitError() << "'" << name << "' of argument " << argIndex
                           << " describes a shaped value, but the argument "
                              "is "
                           << type;
  }
  return success();
}

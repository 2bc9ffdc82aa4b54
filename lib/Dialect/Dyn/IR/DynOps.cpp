//===- DynOps.cpp - dyn dialect operations --------------------------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Builders, custom assembly, verifiers and control-flow interfaces of the dyn
// ops. Canonicalization patterns live in DynCanonicalize.cpp.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlir::dyn;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

bool mlir::dyn::areCastCompatible(Type from, Type to) {
  if (from == to)
    return true;
  auto fromTensor = dyn_cast<TensorType>(from);
  auto toTensor = dyn_cast<TensorType>(to);
  if (!fromTensor || !toTensor)
    return false;
  if (fromTensor.getElementType() != toTensor.getElementType())
    return false;
  return succeeded(verifyCompatibleShape(fromTensor, toTensor));
}

Value mlir::dyn::extractScalar(OpBuilder &builder, Location loc, Value value) {
  if (!isa<TensorType>(value.getType()))
    return value;
  return tensor::ExtractOp::create(builder, loc, value, ValueRange{});
}

Value mlir::dyn::castToType(OpBuilder &builder, Location loc, Value value,
                            Type type) {
  if (value.getType() == type)
    return value;
  assert(areCastCompatible(value.getType(), type) &&
         "casting between incompatible types");
  return tensor::CastOp::create(builder, loc, type, value);
}

bool mlir::dyn::isHostScalarOp(Operation *op) {
  auto isScalar = [](Type type) { return type.isIntOrIndexOrFloat(); };
  return op->getNumRegions() == 0 && op->getNumResults() > 0 &&
         llvm::all_of(op->getOperandTypes(), isScalar) &&
         llvm::all_of(op->getResultTypes(), isScalar) && isPure(op);
}

/// Verifies that the values in `yielded` (produced by `what`) can flow into
/// values of `expected` types (described by `into`). `op` reports errors.
static LogicalResult verifyFlow(Operation *op, TypeRange yielded,
                                TypeRange expected, StringRef what,
                                StringRef into) {
  if (yielded.size() != expected.size())
    return op->emitOpError()
           << what << " provides " << yielded.size() << " value(s) but " << into
           << " expects " << expected.size();
  for (auto [i, types] : llvm::enumerate(llvm::zip(yielded, expected))) {
    auto [from, to] = types;
    if (!areCastCompatible(from, to))
      return op->emitOpError()
             << what << " value #" << i << " of type " << from
             << " is not cast-compatible with " << into << " type " << to;
  }
  return success();
}

/// Returns the dyn.yield ending `region`, or null if it ends otherwise.
static YieldOp getYield(Region &region) {
  if (region.empty() || region.front().empty())
    return nullptr;
  return dyn_cast<YieldOp>(region.front().back());
}

/// Verifies a region of dyn.cond / dyn.switch: its yield provides values for
/// every result.
static LogicalResult verifyResultRegion(Operation *op, Region &region,
                                        StringRef name) {
  YieldOp yield = getYield(region);
  if (!yield)
    return op->emitOpError()
           << "expects the " << name << " region to end with 'dyn.yield'";
  std::string what = (name + " region yield").str();
  return verifyFlow(op, yield.getOperandTypes(), op->getResultTypes(), what,
                    "result");
}

/// Pushes the successors of a single-region-at-a-time op (cond, switch) for
/// the given branch point: entering picks one of the regions, leaving any
/// region returns to the parent.
static void getBranchSuccessors(Operation *op, RegionBranchPoint point,
                                SmallVectorImpl<RegionSuccessor> &regions) {
  if (!point.isParent()) {
    regions.push_back(RegionSuccessor(op, op->getResults()));
    return;
  }
  for (Region &region : op->getRegions())
    regions.push_back(RegionSuccessor(&region));
}

//===----------------------------------------------------------------------===//
// CondOp
//===----------------------------------------------------------------------===//

YieldOp CondOp::getThenYield() { return getYield(getThenRegion()); }
YieldOp CondOp::getElseYield() { return getYield(getElseRegion()); }

LogicalResult CondOp::verify() {
  if (failed(verifyResultRegion(*this, getThenRegion(), "then")))
    return failure();
  return verifyResultRegion(*this, getElseRegion(), "else");
}

void CondOp::getSuccessorRegions(RegionBranchPoint point,
                                 SmallVectorImpl<RegionSuccessor> &regions) {
  getBranchSuccessors(*this, point, regions);
}

std::optional<bool> mlir::dyn::getConstantPredicate(Attribute attr) {
  if (auto intAttr = dyn_cast_or_null<IntegerAttr>(attr))
    return intAttr.getValue().getBoolValue();
  if (auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr))
    if (dense.isSplat())
      return dense.getSplatValue<bool>();
  return std::nullopt;
}

std::optional<int64_t> mlir::dyn::getConstantIndex(Attribute attr) {
  if (auto intAttr = dyn_cast_or_null<IntegerAttr>(attr))
    return intAttr.getValue().getSExtValue();
  if (auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr))
    if (dense.isSplat())
      return dense.getSplatValue<APInt>().getSExtValue();
  return std::nullopt;
}

void CondOp::getEntrySuccessorRegions(
    ArrayRef<Attribute> operands, SmallVectorImpl<RegionSuccessor> &regions) {
  std::optional<bool> pred = getConstantPredicate(operands.front());
  if (!pred)
    return getSuccessorRegions(RegionBranchPoint::parent(), regions);
  regions.push_back(
      RegionSuccessor(*pred ? &getThenRegion() : &getElseRegion()));
}

void CondOp::getRegionInvocationBounds(
    ArrayRef<Attribute> operands, SmallVectorImpl<InvocationBounds> &bounds) {
  std::optional<bool> pred = getConstantPredicate(operands.front());
  if (!pred) {
    bounds.assign(2, InvocationBounds(0, 1));
    return;
  }
  bounds.push_back(InvocationBounds(*pred ? 1 : 0, *pred ? 1 : 0));
  bounds.push_back(InvocationBounds(*pred ? 0 : 1, *pred ? 0 : 1));
}

bool CondOp::areTypesCompatible(Type lhs, Type rhs) {
  return areCastCompatible(lhs, rhs);
}

//===----------------------------------------------------------------------===//
// SwitchOp
//===----------------------------------------------------------------------===//

/// Parses `(case <int> <region>)*`.
static ParseResult
parseSwitchCases(OpAsmParser &parser, DenseI64ArrayAttr &cases,
                 SmallVectorImpl<std::unique_ptr<Region>> &caseRegions) {
  SmallVector<int64_t> values;
  while (succeeded(parser.parseOptionalKeyword("case"))) {
    int64_t value;
    Region &region = *caseRegions.emplace_back(std::make_unique<Region>());
    if (parser.parseInteger(value) || parser.parseRegion(region))
      return failure();
    values.push_back(value);
    SwitchOp::ensureTerminator(
        region, parser.getBuilder(),
        parser.getEncodedSourceLoc(parser.getCurrentLocation()));
  }
  cases = DenseI64ArrayAttr::get(parser.getContext(), values);
  return success();
}

/// Prints `(case <int> <region>)*`, eliding empty yields like the default
/// region's declarative printer does.
static void printSwitchCases(OpAsmPrinter &printer, Operation *op,
                             DenseI64ArrayAttr cases, RegionRange caseRegions) {
  for (auto [value, region] : llvm::zip(cases.asArrayRef(), caseRegions)) {
    printer.printNewline();
    printer << "case " << value << ' ';
    YieldOp yield = getYield(*region);
    bool printTerminator =
        !yield || yield->getNumOperands() != 0 || !yield->getAttrs().empty();
    printer.printRegion(*region, /*printEntryBlockArgs=*/false,
                        printTerminator);
  }
}

Region &SwitchOp::getRegionForValue(int64_t value) {
  for (auto [caseValue, region] : llvm::zip(getCases(), getCaseRegions()))
    if (caseValue == value)
      return region;
  return getDefaultRegion();
}

LogicalResult SwitchOp::verify() {
  if (getCases().size() != getCaseRegions().size())
    return emitOpError() << "has " << getCases().size() << " case value(s) but "
                         << getCaseRegions().size() << " case region(s)";
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t value : getCases())
    if (!seen.insert(value).second)
      return emitOpError() << "has duplicate case value " << value;

  if (failed(verifyResultRegion(*this, getDefaultRegion(), "default")))
    return failure();
  for (auto [value, region] : llvm::zip(getCases(), getCaseRegions()))
    if (failed(
            verifyResultRegion(*this, region, ("case " + Twine(value)).str())))
      return failure();
  return success();
}

void SwitchOp::getSuccessorRegions(RegionBranchPoint point,
                                   SmallVectorImpl<RegionSuccessor> &regions) {
  getBranchSuccessors(*this, point, regions);
}

void SwitchOp::getEntrySuccessorRegions(
    ArrayRef<Attribute> operands, SmallVectorImpl<RegionSuccessor> &regions) {
  std::optional<int64_t> index = getConstantIndex(operands.front());
  if (!index)
    return getSuccessorRegions(RegionBranchPoint::parent(), regions);
  regions.push_back(RegionSuccessor(&getRegionForValue(*index)));
}

void SwitchOp::getRegionInvocationBounds(
    ArrayRef<Attribute> operands, SmallVectorImpl<InvocationBounds> &bounds) {
  std::optional<int64_t> index = getConstantIndex(operands.front());
  if (!index) {
    bounds.assign(getNumRegions(), InvocationBounds(0, 1));
    return;
  }
  Region *taken = &getRegionForValue(*index);
  for (Region &region : getOperation()->getRegions()) {
    unsigned n = &region == taken ? 1 : 0;
    bounds.push_back(InvocationBounds(n, n));
  }
}

bool SwitchOp::areTypesCompatible(Type lhs, Type rhs) {
  return areCastCompatible(lhs, rhs);
}

//===----------------------------------------------------------------------===//
// WhileOp
//===----------------------------------------------------------------------===//

ConditionOp WhileOp::getConditionOp() {
  if (getBefore().empty() || getBeforeBody().empty())
    return nullptr;
  return dyn_cast<ConditionOp>(getBeforeBody().back());
}

YieldOp WhileOp::getYieldOp() { return getYield(getAfter()); }

/// Parses
///   `(` (%arg `=` %init (`:` init-type)?)* `)` `:` functional-type
///   region `do` region attr-dict-with-keyword
ParseResult WhileOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::Argument> regionArgs;
  SmallVector<OpAsmParser::UnresolvedOperand> operands;
  SmallVector<std::optional<Type>> initTypes;

  auto parseEntry = [&]() -> ParseResult {
    OpAsmParser::Argument &arg = regionArgs.emplace_back();
    OpAsmParser::UnresolvedOperand &operand = operands.emplace_back();
    std::optional<Type> &initType = initTypes.emplace_back();
    if (parser.parseArgument(arg) || parser.parseEqual() ||
        parser.parseOperand(operand))
      return failure();
    if (succeeded(parser.parseOptionalColon())) {
      Type type;
      if (parser.parseType(type))
        return failure();
      initType = type;
    }
    return success();
  };
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Paren, parseEntry))
    return failure();

  FunctionType functionType;
  SMLoc typeLoc = parser.getCurrentLocation();
  if (parser.parseColonType(functionType))
    return failure();
  if (functionType.getNumInputs() != operands.size())
    return parser.emitError(typeLoc)
           << "expected " << operands.size()
           << " loop-carried type(s) in the functional type, got "
           << functionType.getNumInputs();
  result.addTypes(functionType.getResults());

  for (auto [arg, operand, initType, type] :
       llvm::zip(regionArgs, operands, initTypes, functionType.getInputs())) {
    arg.type = type;
    if (parser.resolveOperand(operand, initType.value_or(type),
                              result.operands))
      return failure();
  }

  Region *before = result.addRegion();
  Region *after = result.addRegion();
  if (parser.parseRegion(*before, regionArgs) || parser.parseKeyword("do") ||
      parser.parseRegion(*after) ||
      parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  return success();
}

void WhileOp::print(OpAsmPrinter &printer) {
  printer << " (";
  llvm::interleaveComma(llvm::zip(getBeforeArguments(), getInits()), printer,
                        [&](auto pair) {
                          auto [arg, init] = pair;
                          printer << arg << " = " << init;
                          if (init.getType() != arg.getType())
                            printer << " : " << init.getType();
                        });
  printer << ") : ";
  printer.printFunctionalType(getBeforeBody().getArgumentTypes(),
                              getResultTypes());
  printer << ' ';
  printer.printRegion(getBefore(), /*printEntryBlockArgs=*/false);
  printer << " do ";
  printer.printRegion(getAfter());
  printer.printOptionalAttrDictWithKeyword((*this)->getAttrs());
}

LogicalResult WhileOp::verify() {
  std::optional<int64_t> maxIterations = getMaxIterations();
  if (maxIterations && *maxIterations < 0)
    return emitOpError() << "max_iterations must be non-negative, got "
                         << *maxIterations;

  Block &before = getBeforeBody();
  if (failed(verifyFlow(*this, getInits().getTypes(), before.getArgumentTypes(),
                        "initial value list", "before region argument")))
    return failure();

  ConditionOp condition = getConditionOp();
  if (!condition)
    return emitOpError()
           << "expects the before region to end with 'dyn.condition'";
  if (failed(verifyFlow(*this, condition.getArgs().getTypes(), getResultTypes(),
                        "dyn.condition", "result")))
    return failure();
  if (failed(verifyFlow(*this, condition.getArgs().getTypes(),
                        getAfterBody().getArgumentTypes(), "dyn.condition",
                        "after region argument")))
    return failure();

  YieldOp yield = getYieldOp();
  if (!yield)
    return emitOpError() << "expects the after region to end with 'dyn.yield'";
  return verifyFlow(*this, yield.getOperandTypes(), before.getArgumentTypes(),
                    "after region yield", "before region argument");
}

OperandRange WhileOp::getEntrySuccessorOperands(RegionSuccessor successor) {
  assert(successor.getSuccessor() == &getBefore() &&
         "dyn.while always enters its before region");
  return getInits();
}

void WhileOp::getSuccessorRegions(RegionBranchPoint point,
                                  SmallVectorImpl<RegionSuccessor> &regions) {
  // Entering the loop and finishing the after region both run `before`.
  if (point.isParent() ||
      point.getTerminatorPredecessorOrNull()->getParentRegion() ==
          &getAfter()) {
    regions.push_back(RegionSuccessor(&getBefore(), getBeforeArguments()));
    return;
  }
  // From `before`: either into `after` or out of the loop.
  regions.push_back(RegionSuccessor(&getAfter(), getAfterArguments()));
  regions.push_back(RegionSuccessor(getOperation(), getResults()));
}

bool WhileOp::areTypesCompatible(Type lhs, Type rhs) {
  return areCastCompatible(lhs, rhs);
}

//===----------------------------------------------------------------------===//
// ConditionOp
//===----------------------------------------------------------------------===//

MutableOperandRange
ConditionOp::getMutableSuccessorOperands(RegionSuccessor successor) {
  return getArgsMutable();
}

void ConditionOp::getSuccessorRegions(
    ArrayRef<Attribute> operands, SmallVectorImpl<RegionSuccessor> &regions) {
  auto whileOp = cast<WhileOp>((*this)->getParentOp());
  std::optional<bool> pred = getConstantPredicate(operands.front());
  if (!pred || *pred)
    regions.push_back(
        RegionSuccessor(&whileOp.getAfter(), whileOp.getAfterArguments()));
  if (!pred || !*pred)
    regions.push_back(RegionSuccessor(whileOp, whileOp.getResults()));
}

//===----------------------------------------------------------------------===//
// TableGen'd op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "dyn/Dialect/Dyn/IR/DynOps.cpp.inc"

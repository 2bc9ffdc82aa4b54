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

/// Prints a region, eliding a yield of nothing (the parser adds it back).
static void printBranch(OpAsmPrinter &p, Region &region) {
  YieldOp yield = getYield(region);
  bool printTerminator =
      !yield || yield->getNumOperands() != 0 || !yield->getAttrs().empty();
  p.printRegion(region, /*printEntryBlockArgs=*/false, printTerminator);
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

ParseResult CondOp::parse(OpAsmParser &parser, OperationState &result) {
  // The regions belong to `result` from the start, as in scf.if's parser:
  // on an error the parser then tears them down together with the values
  // that may refer into them.
  Region *thenRegion = result.addRegion();
  Region *elseRegion = result.addRegion();
  OpAsmParser::UnresolvedOperand predicate;
  Type predicateType;
  if (parser.parseOperand(predicate) || parser.parseColonType(predicateType) ||
      parser.resolveOperand(predicate, predicateType, result.operands))
    return failure();
  if (succeeded(parser.parseOptionalArrow()) &&
      parser.parseTypeList(result.types))
    return failure();
  if (parser.parseRegion(*thenRegion) || parser.parseKeyword("else") ||
      parser.parseRegion(*elseRegion) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  // `{}` stands for a region that yields nothing.
  ensureTerminator(*thenRegion, parser.getBuilder(), result.location);
  ensureTerminator(*elseRegion, parser.getBuilder(), result.location);
  return success();
}

void CondOp::print(OpAsmPrinter &p) {
  p << " " << getPredicate() << " : " << getPredicate().getType();
  if (!getResults().empty()) {
    p << " -> ";
    llvm::interleaveComma(getResultTypes(), p);
  }
  p << " ";
  printBranch(p, getThenRegion());
  p << " else ";
  printBranch(p, getElseRegion());
  p.printOptionalAttrDict((*this)->getAttrs());
}

bool CondOp::areTypesCompatible(Type lhs, Type rhs) {
  return areCastCompatible(lhs, rhs);
}

//===----------------------------------------------------------------------===//
// SwitchOp
//===----------------------------------------------------------------------===//

ParseResult SwitchOp::parse(OpAsmParser &parser, OperationState &result) {
  // Every region belongs to `result` as soon as it exists (see
  // CondOp::parse); the default region comes first although it is written
  // last.
  Region *defaultRegion = result.addRegion();
  OpAsmParser::UnresolvedOperand index;
  Type indexType;
  if (parser.parseOperand(index) || parser.parseColonType(indexType) ||
      parser.resolveOperand(index, indexType, result.operands) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  if (succeeded(parser.parseOptionalArrow()) &&
      parser.parseTypeList(result.types))
    return failure();
  Location loc = result.location;
  SmallVector<int64_t> cases;
  while (succeeded(parser.parseOptionalKeyword("case"))) {
    int64_t value;
    Region *region = result.addRegion();
    if (parser.parseInteger(value) || parser.parseRegion(*region))
      return failure();
    ensureTerminator(*region, parser.getBuilder(), loc);
    cases.push_back(value);
  }
  if (parser.parseKeyword("default") || parser.parseRegion(*defaultRegion))
    return failure();
  ensureTerminator(*defaultRegion, parser.getBuilder(), loc);
  result.addAttribute(getCasesAttrName(result.name),
                      parser.getBuilder().getDenseI64ArrayAttr(cases));
  return success();
}

void SwitchOp::print(OpAsmPrinter &p) {
  p << " " << getIndex() << " : " << getIndex().getType();
  p.printOptionalAttrDict((*this)->getAttrs(), {getCasesAttrName()});
  if (!getResults().empty()) {
    p << " -> ";
    llvm::interleaveComma(getResultTypes(), p);
  }
  for (auto [value, region] : llvm::zip(getCases(), getCaseRegions())) {
    p.printNewline();
    p << "case " << value << ' ';
    printBranch(p, region);
  }
  p.printNewline();
  p << "default ";
  printBranch(p, getDefaultRegion());
}

Region &SwitchOp::getRegionForValue(int64_t value) {
  for (auto [caseValue, region] : llvm::zip(getCases(), getCaseRegions()))
    if (caseValue == value)
      return region;
  return getDefaultRegion();
}

/// Verifies the case values of a switch: one per case region, distinct.
static LogicalResult verifyCases(Operation *op, ArrayRef<int64_t> cases,
                                 size_t numCaseRegions) {
  if (cases.size() != numCaseRegions)
    return op->emitOpError() << "has " << cases.size() << " case value(s) but "
                             << numCaseRegions << " case region(s)";
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t value : cases)
    if (!seen.insert(value).second)
      return op->emitOpError() << "has duplicate case value " << value;
  return success();
}

LogicalResult SwitchOp::verify() {
  if (failed(verifyCases(*this, getCases(), getCaseRegions().size())))
    return failure();

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
// BatchCondOp
//===----------------------------------------------------------------------===//

RankedTensorType mlir::dyn::getSubBatchType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(tensor.getShape());
  if (!shape.empty())
    shape.front() = ShapedType::kDynamic;
  return tensor.clone(shape);
}

/// Parses `%selector, %inputs... : (types) -> (types)`, the operands and
/// results of dyn.batch_cond and dyn.batch_switch.
static ParseResult parseBatchOperands(OpAsmParser &parser,
                                      OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> operands;
  FunctionType type;
  SMLoc operandsLoc = parser.getCurrentLocation();
  if (parser.parseOperandList(operands) || parser.parseColonType(type) ||
      parser.resolveOperands(operands, type.getInputs(), operandsLoc,
                             result.operands))
    return failure();
  result.addTypes(type.getResults());
  return success();
}

ParseResult BatchCondOp::parse(OpAsmParser &parser, OperationState &result) {
  // Regions belong to `result` from the start (see CondOp::parse).
  Region *thenRegion = result.addRegion();
  Region *elseRegion = result.addRegion();
  if (parseBatchOperands(parser, result) || parser.parseRegion(*thenRegion) ||
      parser.parseKeyword("else") || parser.parseRegion(*elseRegion) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  return success();
}

void BatchCondOp::print(OpAsmPrinter &p) {
  p << ' ' << getOperands() << " : ";
  p.printFunctionalType(getOperandTypes(), getResultTypes());
  p << ' ';
  p.printRegion(getThenRegion(), /*printEntryBlockArgs=*/true);
  p << " else ";
  p.printRegion(getElseRegion(), /*printEntryBlockArgs=*/true);
  p.printOptionalAttrDict((*this)->getAttrs());
}

/// Verifies that `type` (described by `what`) has a dim 0 that can be the
/// batch of `mask`.
static LogicalResult verifyBatched(Operation *op, Type type, int64_t batch,
                                   const Twine &what) {
  auto tensor = cast<RankedTensorType>(type);
  if (tensor.getRank() == 0)
    return op->emitOpError() << what << " must be batched along dim 0, but "
                             << type << " has rank 0";
  int64_t rows = tensor.getDimSize(0);
  if (!ShapedType::isDynamic(rows) && !ShapedType::isDynamic(batch) &&
      rows != batch)
    return op->emitOpError()
           << what << " has " << rows << " row(s) but the mask covers " << batch
           << " sample(s)";
  return success();
}

/// Verifies a per-sample branch op: batched inputs and results, and each
/// region (named) taking the sub-batches and yielding sub-batch results.
static LogicalResult
verifyBatchBranches(Operation *op, Value selector, ValueRange inputs,
                    ArrayRef<std::pair<std::string, Region *>> regions) {
  int64_t batch = cast<RankedTensorType>(selector.getType()).getDimSize(0);
  if (inputs.empty())
    return op->emitOpError() << "expects at least one batched input (the "
                                "regions see their sub-batch through them)";
  for (auto [i, type] : llvm::enumerate(inputs.getTypes()))
    if (failed(verifyBatched(op, type, batch, "input #" + Twine(i))))
      return failure();
  SmallVector<Type> yieldTypes;
  for (auto [i, type] : llvm::enumerate(op->getResultTypes())) {
    if (failed(verifyBatched(op, type, batch, "result #" + Twine(i))))
      return failure();
    yieldTypes.push_back(getSubBatchType(type));
  }
  for (auto [name, region] : regions) {
    Block &block = region->front();
    if (block.getNumArguments() != inputs.size())
      return op->emitOpError()
             << "expects the " << name << " region to take " << inputs.size()
             << " sub-batch argument(s), one per input, but it takes "
             << block.getNumArguments();
    for (auto [i, arg, input] : llvm::enumerate(block.getArguments(), inputs)) {
      Type expected = getSubBatchType(input.getType());
      if (arg.getType() != expected)
        return op->emitOpError()
               << name << " region argument #" << i << " must be " << expected
               << " (input #" << i << " with a dynamic dim 0), not "
               << arg.getType();
    }
    YieldOp yield = getYield(*region);
    if (!yield)
      return op->emitOpError()
             << "expects the " << name << " region to end with 'dyn.yield'";
    if (failed(verifyFlow(op, yield.getOperandTypes(), yieldTypes,
                          name + " region yield", "sub-batch result")))
      return failure();
  }
  return success();
}

LogicalResult BatchCondOp::verify() {
  return verifyBatchBranches(
      *this, getMask(), getInputs(),
      {{"then", &getThenRegion()}, {"else", &getElseRegion()}});
}

//===----------------------------------------------------------------------===//
// BatchSwitchOp
//===----------------------------------------------------------------------===//

ParseResult BatchSwitchOp::parse(OpAsmParser &parser, OperationState &result) {
  // Regions belong to `result` as soon as they exist (see CondOp::parse);
  // the default region comes first although it is written last.
  Region *defaultRegion = result.addRegion();
  if (parseBatchOperands(parser, result) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  SmallVector<int64_t> cases;
  while (succeeded(parser.parseOptionalKeyword("case"))) {
    int64_t value;
    Region *region = result.addRegion();
    if (parser.parseInteger(value) || parser.parseRegion(*region))
      return failure();
    cases.push_back(value);
  }
  if (parser.parseKeyword("default") || parser.parseRegion(*defaultRegion))
    return failure();
  result.addAttribute(getCasesAttrName(result.name),
                      parser.getBuilder().getDenseI64ArrayAttr(cases));
  return success();
}

void BatchSwitchOp::print(OpAsmPrinter &p) {
  p << ' ' << getOperands() << " : ";
  p.printFunctionalType(getOperandTypes(), getResultTypes());
  p.printOptionalAttrDict((*this)->getAttrs(), {getCasesAttrName()});
  for (auto [value, region] : llvm::zip(getCases(), getCaseRegions())) {
    p.printNewline();
    p << "case " << value << ' ';
    p.printRegion(region, /*printEntryBlockArgs=*/true);
  }
  p.printNewline();
  p << "default ";
  p.printRegion(getDefaultRegion(), /*printEntryBlockArgs=*/true);
}

LogicalResult BatchSwitchOp::verify() {
  if (failed(verifyCases(*this, getCases(), getCaseRegions().size())))
    return failure();
  SmallVector<std::pair<std::string, Region *>> regions = {
      {"default", &getDefaultRegion()}};
  for (auto [value, region] : llvm::zip(getCases(), getCaseRegions()))
    regions.push_back({"case " + std::to_string(value), &region});
  return verifyBatchBranches(*this, getSelector(), getInputs(), regions);
}

//===----------------------------------------------------------------------===//
// TableGen'd op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "dyn/Dialect/Dyn/IR/DynOps.cpp.inc"

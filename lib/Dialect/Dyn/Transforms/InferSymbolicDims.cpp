//===- InferSymbolicDims.cpp - equalities between entry argument dims -----===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A union-find over the dynamic dims of an entry point's tensor arguments.
// Each dim of a value in the body is traced back, where it can be, to an
// argument dim; ops that require two extents to be equal merge their
// classes. Upstream has shape reification (which builds index IR) and
// value-bounds (which proves bounds of one value), but nothing that records
// which inputs must agree, which is what an ABI check needs.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/IR/DynAttrs.h"
#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/EquivalenceClasses.h"

#define DEBUG_TYPE "dyn-infer-symbolic-dims"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNINFERSYMBOLICDIMS
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// Dim `dim` of argument `arg`.
using ArgDim = std::pair<unsigned, int64_t>;

constexpr unsigned kMaxDepth = 32;

class SymbolicDims {
public:
  explicit SymbolicDims(func::FuncOp func)
      : func(func), entry(&func.getBody().front()) {}

  /// The argument dim that dim `dim` of `value` is, if it can be traced.
  std::optional<ArgDim> resolveDim(Value value, int64_t dim,
                                   unsigned depth = 0) const;
  /// The argument dim that the index `value` is the extent of, if any.
  std::optional<ArgDim> resolveIndex(Value value, unsigned depth = 0) const;

  /// Records that the extents `a` and `b` must be equal.
  void unite(std::optional<ArgDim> a, std::optional<ArgDim> b) {
    if (!a || !b || classes.isEquivalent(*a, *b))
      return;
    classes.unionSets(*a, *b);
    ++merged;
  }

  /// Starts a pass over the body: requirements are collected afresh (the
  /// last pass, with the final classes, sees the most).
  void beginRound() { requiredExtents.clear(); }
  void collect(Operation *op);
  /// Writes `dyn.symbolic_dims` on every tensor argument with a dynamic dim.
  void annotate();

  unsigned merged = 0;

private:
  bool isDynamic(Value value, int64_t dim) const {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    return type && dim >= 0 && dim < type.getRank() && type.isDynamicDim(dim);
  }

  func::FuncOp func;
  Block *entry;
  /// Dynamic argument dims that some op requires to have a static extent.
  SmallVector<std::pair<ArgDim, int64_t>> requiredExtents;
  llvm::EquivalenceClasses<ArgDim> classes;
};

std::optional<ArgDim> SymbolicDims::resolveIndex(Value value,
                                                 unsigned depth) const {
  if (depth > kMaxDepth)
    return std::nullopt;
  if (auto dim = value.getDefiningOp<tensor::DimOp>()) {
    std::optional<int64_t> index = dim.getConstantIndex();
    return index ? resolveDim(dim.getSource(), *index, depth + 1)
                 : std::nullopt;
  }
  if (auto max = value.getDefiningOp<arith::MaxUIOp>()) {
    std::optional<ArgDim> lhs = resolveIndex(max.getLhs(), depth + 1);
    std::optional<ArgDim> rhs = resolveIndex(max.getRhs(), depth + 1);
    if (lhs && rhs && classes.isEquivalent(*lhs, *rhs))
      return lhs;
  }
  return std::nullopt;
}

/// For the reassociation group of a reshape holding `dim` on the side with
/// `shape`: the only dynamic dim of the group on the other side (`other`),
/// provided every static extent in the group is 1 on both sides, so the two
/// dynamic extents are equal.
static std::optional<int64_t>
matchUnitGroup(ArrayRef<ReassociationIndices> groups,
               ArrayRef<int64_t> collapsed, ArrayRef<int64_t> expanded,
               int64_t collapsedDim) {
  const ReassociationIndices &group = groups[collapsedDim];
  std::optional<int64_t> dynamicDim;
  for (int64_t d : group) {
    if (ShapedType::isDynamic(expanded[d])) {
      if (dynamicDim)
        return std::nullopt;
      dynamicDim = d;
    } else if (expanded[d] != 1) {
      return std::nullopt;
    }
  }
  if (!ShapedType::isDynamic(collapsed[collapsedDim]))
    return std::nullopt;
  return dynamicDim;
}

std::optional<ArgDim> SymbolicDims::resolveDim(Value value, int64_t dim,
                                               unsigned depth) const {
  if (depth > kMaxDepth || !isDynamic(value, dim))
    return std::nullopt;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (arg.getOwner() == entry)
      return ArgDim{arg.getArgNumber(), dim};
    return std::nullopt;
  }
  Operation *op = value.getDefiningOp();
  auto result = cast<OpResult>(value);
  if (auto cast = dyn_cast<tensor::CastOp>(op))
    return resolveDim(cast.getSource(), dim, depth + 1);
  if (auto empty = dyn_cast<tensor::EmptyOp>(op))
    return resolveIndex(empty.getDynamicSize(dim), depth + 1);
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
    return resolveDim(dps.getTiedOpOperand(result)->get(), dim, depth + 1);
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    // The group holding `dim`, then its extent: the source dim when the
    // rest of the group is static 1, else the output_shape value.
    for (auto [src, group] :
         llvm::enumerate(expand.getReassociationIndices())) {
      if (!llvm::is_contained(group, dim))
        continue;
      std::optional<int64_t> only = matchUnitGroup(
          expand.getReassociationIndices(), expand.getSrcType().getShape(),
          expand.getResultType().getShape(), src);
      if (only && *only == dim)
        return resolveDim(expand.getSrc(), src, depth + 1);
    }
    OpFoldResult size = expand.getMixedOutputShape()[dim];
    if (auto sizeValue = dyn_cast<Value>(size))
      return resolveIndex(sizeValue, depth + 1);
    return std::nullopt;
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
    std::optional<int64_t> only = matchUnitGroup(
        collapse.getReassociationIndices(), collapse.getResultType().getShape(),
        collapse.getSrcType().getShape(), dim);
    return only ? resolveDim(collapse.getSrc(), *only, depth + 1)
                : std::nullopt;
  }
  if (auto transpose = dyn_cast<tosa::TransposeOp>(op))
    return resolveDim(transpose.getInput1(), transpose.getPerms()[dim],
                      depth + 1);
  if (auto axis = op->getAttrOfType<IntegerAttr>("axis");
      axis && op->getNumOperands() >= 1 && isa<tosa::TosaOp>(op) &&
      op->hasTrait<OpTrait::SameOperandsAndResultRank>()) {
    // tosa.reduce_*: every dim but the reduced one is the input's.
    if (axis.getInt() != dim)
      return resolveDim(op->getOperand(0), dim, depth + 1);
    return std::nullopt;
  }
  if (isa<tosa::TosaOp>(op) &&
      op->hasTrait<OpTrait::ResultsBroadcastableShape>()) {
    // Elementwise with broadcasting: the extent is that of the operands
    // whose dim is not static 1, if they all trace to one symbol.
    std::optional<ArgDim> found;
    for (Value operand : op->getOperands()) {
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (!type ||
          type.getRank() != cast<ShapedType>(value.getType()).getRank())
        continue;
      if (!type.isDynamicDim(dim)) {
        if (type.getDimSize(dim) != 1)
          return std::nullopt; // static but the result is dynamic: odd
        continue;
      }
      std::optional<ArgDim> traced = resolveDim(operand, dim, depth + 1);
      if (!traced || (found && !classes.isEquivalent(*found, *traced)))
        return std::nullopt;
      found = traced;
    }
    return found;
  }
  return std::nullopt;
}

void SymbolicDims::collect(Operation *op) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    // Operand dims indexed by one loop share its extent; a static operand
    // dim fixes it.
    DenseMap<unsigned, std::optional<ArgDim>> loopExtent;
    DenseMap<unsigned, int64_t> loopStatic;
    SmallVector<std::pair<unsigned, ArgDim>> tracedDims;
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = dyn_cast<RankedTensorType>(operand.get().getType());
      if (!type)
        continue;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      for (auto [dim, expr] : llvm::enumerate(map.getResults())) {
        auto loop = dyn_cast<AffineDimExpr>(expr);
        if (!loop)
          continue;
        if (!type.isDynamicDim(dim))
          loopStatic.try_emplace(loop.getPosition(), type.getDimSize(dim));
        std::optional<ArgDim> traced = resolveDim(operand.get(), dim);
        if (traced)
          tracedDims.push_back({loop.getPosition(), *traced});
        if (!traced)
          continue;
        auto [it, inserted] =
            loopExtent.try_emplace(loop.getPosition(), traced);
        if (!inserted)
          unite(it->second, traced);
      }
    }
    for (auto [loop, traced] : tracedDims)
      if (auto it = loopStatic.find(loop); it != loopStatic.end())
        requiredExtents.push_back({traced, it->second});
    return;
  }
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
    // A group with one dynamic result dim has its source dim's extent.
    for (auto [src, group] :
         llvm::enumerate(expand.getReassociationIndices())) {
      std::optional<int64_t> only = matchUnitGroup(
          expand.getReassociationIndices(), expand.getSrcType().getShape(),
          expand.getResultType().getShape(), src);
      if (!only)
        continue;
      OpFoldResult size = expand.getMixedOutputShape()[*only];
      if (auto sizeValue = dyn_cast<Value>(size))
        unite(resolveDim(expand.getSrc(), src), resolveIndex(sizeValue));
    }
    return;
  }
  if (auto cast = dyn_cast<tensor::CastOp>(op)) {
    // A cast that makes a dynamic dim static asserts its extent
    // (canonicalization writes these when a linalg op needs it).
    auto source = dyn_cast<RankedTensorType>(cast.getSource().getType());
    auto result = dyn_cast<RankedTensorType>(cast.getType());
    if (!source || !result || source.getRank() != result.getRank())
      return;
    for (int64_t d = 0; d < source.getRank(); ++d)
      if (source.isDynamicDim(d) && !result.isDynamicDim(d))
        if (std::optional<ArgDim> traced = resolveDim(cast.getSource(), d))
          requiredExtents.push_back({*traced, result.getDimSize(d)});
    return;
  }
  if (auto concat = dyn_cast<tensor::ConcatOp>(op)) {
    int64_t rank = concat.getResultType().getRank();
    for (int64_t dim = 0; dim < rank; ++dim) {
      if (dim == static_cast<int64_t>(concat.getDim()))
        continue;
      std::optional<ArgDim> first;
      for (Value input : concat.getInputs()) {
        std::optional<ArgDim> traced = resolveDim(input, dim);
        if (first)
          unite(first, traced);
        else
          first = traced;
      }
    }
  }
}

void SymbolicDims::annotate() {
  // Symbols are numbered by first appearance, argument by argument.
  DenseMap<ArgDim, int64_t> symbolOfLeader;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || tensorType.hasStaticShape())
      continue;
    SmallVector<int64_t> symbols;
    for (int64_t dim = 0; dim < tensorType.getRank(); ++dim) {
      if (!tensorType.isDynamicDim(dim)) {
        symbols.push_back(-1);
        continue;
      }
      ArgDim leader = classes.getOrInsertLeaderValue(ArgDim{i, dim});
      auto [it, inserted] =
          symbolOfLeader.try_emplace(leader, symbolOfLeader.size());
      symbols.push_back(it->second);
    }
    dyn::setSymbolicDims(func, i, symbols);
  }
  // Static extents required of a dim hold for its whole class.
  DenseMap<ArgDim, int64_t> requiredOfLeader;
  for (auto [dim, extent] : requiredExtents)
    requiredOfLeader.try_emplace(classes.getOrInsertLeaderValue(dim), extent);
  if (requiredOfLeader.empty())
    return;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || tensorType.hasStaticShape())
      continue;
    SmallVector<int64_t> required;
    bool any = false;
    for (int64_t dim = 0; dim < tensorType.getRank(); ++dim) {
      int64_t extent = -1;
      if (tensorType.isDynamicDim(dim))
        if (auto it = requiredOfLeader.find(
                classes.getOrInsertLeaderValue(ArgDim{i, dim}));
            it != requiredOfLeader.end())
          extent = it->second;
      any |= extent >= 0;
      required.push_back(extent);
    }
    if (any)
      dyn::setRequiredExtents(func, i, required);
  }
}

struct DynInferSymbolicDimsPass
    : public dyn::impl::DynInferSymbolicDimsBase<DynInferSymbolicDimsPass> {
  void runOnOperation() override {
    if (failed(dyn::checkInput(getOperation())))
      return signalPassFailure();
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isDeclaration())
        numEqualities += dyn::annotateSymbolicDims(func);
  }
};

} // namespace

unsigned mlir::dyn::annotateSymbolicDims(func::FuncOp func) {
  SymbolicDims dims(func);
  // Each equality can make more dims traceable (an elementwise op whose
  // operands are now one symbol): iterate to a fixed point.
  unsigned before;
  do {
    before = dims.merged;
    dims.beginRound();
    func.walk([&](Operation *op) { dims.collect(op); });
  } while (dims.merged != before);
  dims.annotate();
  return dims.merged;
}

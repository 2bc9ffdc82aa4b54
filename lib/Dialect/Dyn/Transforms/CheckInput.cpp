//===- CheckInput.cpp - reject IR that verifies but is out of range -------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream verifiers leave some indices unchecked: a constant tensor.dim
// index outside the rank verifies (it is undefined behaviour at run time),
// linalg named ops do not compare the static extents of a contraction
// dimension across operands. dyn's analyses read such IR (shape tracing,
// value bounds, reshapes) and would index out of bounds, so every pipeline
// starts here and turns each into a located error.
//
//===----------------------------------------------------------------------===//

#include "dyn/Dialect/Dyn/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"

#define DEBUG_TYPE "dyn-check-input"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNCHECKINPUT
#include "dyn/Dialect/Dyn/Transforms/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// A constant dim index must name a dim of the shaped source.
LogicalResult checkDimIndex(Operation *op, Value source, Value index) {
  APInt value;
  auto type = dyn_cast<ShapedType>(source.getType());
  if (!type || !type.hasRank() || !matchPattern(index, m_ConstantInt(&value)))
    return success();
  int64_t i = value.getSExtValue();
  if (i >= 0 && i < type.getRank())
    return success();
  return op->emitOpError() << "index " << i << " is out of range for a rank-"
                           << type.getRank() << " "
                           << (isa<MemRefType>(type) ? "memref" : "tensor");
}

/// Every loop dimension of a linalg op that operands index directly must
/// have one static extent.
LogicalResult checkLoopExtents(linalg::LinalgOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps.size() != op->getNumOperands())
    return success(); // the op's own verifier reports this
  // Per loop dim: the first static extent seen and where.
  DenseMap<unsigned, std::pair<int64_t, unsigned>> seen;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<ShapedType>(operand.get().getType());
    AffineMap map = maps[operand.getOperandNumber()];
    if (!type || !type.hasRank() || map.getNumResults() != type.getRank())
      continue;
    for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
      auto dimExpr = dyn_cast<AffineDimExpr>(expr);
      if (!dimExpr || type.isDynamicDim(pos))
        continue;
      int64_t extent = type.getDimSize(pos);
      auto [it, inserted] = seen.try_emplace(dimExpr.getPosition(), extent,
                                             operand.getOperandNumber());
      if (inserted || it->second.first == extent)
        continue;
      return op->emitOpError()
             << "loop dimension d" << dimExpr.getPosition() << " is "
             << it->second.first << " in operand " << it->second.second
             << " but " << extent << " in operand "
             << operand.getOperandNumber() << " (dim " << pos << ")";
    }
  }
  return success();
}

/// Reassociation groups must cover the expanded dims in order (MLIR 22's
/// verifiers accept an index past the rank in some groups). A reshape to
/// or from rank 0 has no groups.
template <typename ReshapeOp>
LogicalResult checkReassociation(ReshapeOp op, int64_t expandedRank) {
  SmallVector<ReassociationIndices> groups = op.getReassociationIndices();
  if (groups.empty())
    return success();
  int64_t next = 0;
  for (const ReassociationIndices &group : groups)
    for (int64_t d : group)
      if (d != next++)
        return op.emitOpError()
               << "reassociation index " << d << " is not dim " << next - 1
               << " of the rank-" << expandedRank << " shape";
  if (next != expandedRank)
    return op.emitOpError() << "reassociation covers " << next << " of "
                            << expandedRank << " dims";
  return success();
}

/// The dialects whose ops dyn's pipelines compile (docs/compiler.md, "Input
/// programs"): dyn's own, the tensor compute around it, the control flow
/// dyn-raise-control-flow raises (scf, tosa) and what producers put beside
/// it (cf.assert, affine/index arithmetic, buffers at function boundaries).
constexpr StringLiteral kInputDialects[] = {
    "builtin", "func",   "dyn", "arith",  "math",          "tensor",
    "linalg",  "tosa",   "scf", "cf",     "index",         "affine",
    "complex", "memref", "ub",  "vector", "bufferization",
};

/// An op of another dialect (ml_program globals, sparse_tensor, gpu, llvm)
/// would otherwise fail deep in the pipeline ("op was not bufferized").
LogicalResult checkInputDialects(Operation *root) {
  bool failedAny = false;
  root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    StringRef dialect = op->getName().getDialectNamespace();
    if (llvm::is_contained(kInputDialects, dialect))
      return WalkResult::advance();
    std::string accepted;
    for (StringRef name : kInputDialects)
      accepted += (accepted.empty() ? "" : ", ") + name.str();
    op->emitOpError() << "is not in a dialect dyn compiles (accepted: "
                      << accepted << ")";
    failedAny = true;
    // Its regions are the op's own business.
    return WalkResult::skip();
  });
  return failure(failedAny);
}

struct DynCheckInputPass
    : public dyn::impl::DynCheckInputBase<DynCheckInputPass> {
  void runOnOperation() override {
    bool dialectsOk = succeeded(checkInputDialects(getOperation()));
    if (!dialectsOk || failed(dyn::checkInput(getOperation())))
      signalPassFailure();
  }
};

} // namespace

LogicalResult mlir::dyn::checkInput(Operation *root) {
  bool failedAny = false;
  root->walk([&](Operation *op) {
    LogicalResult result = success();
    if (auto dim = dyn_cast<tensor::DimOp>(op))
      result = checkDimIndex(op, dim.getSource(), dim.getIndex());
    else if (auto dim = dyn_cast<memref::DimOp>(op))
      result = checkDimIndex(op, dim.getSource(), dim.getIndex());
    else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      result = checkLoopExtents(linalgOp);
    else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op))
      result = checkReassociation(expand, expand.getResultType().getRank());
    else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op))
      result = checkReassociation(collapse, collapse.getSrcType().getRank());
    failedAny |= failed(result);
  });
  return failure(failedAny);
}

LogicalResult mlir::dyn::checkBeforeVerify(Operation *root) {
  bool failedAny = false;
  // The IR is not verified: only attributes and types are read, each
  // checked for its kind first.
  root->walk([&](Operation *op) {
    if (op->getName().getStringRef() != "tensor.concat")
      return;
    auto dim = op->getAttrOfType<IntegerAttr>("dim");
    auto type = op->getNumResults() == 1
                    ? dyn_cast<RankedTensorType>(op->getResult(0).getType())
                    : RankedTensorType();
    if (!dim || !type)
      return;
    int64_t d = dim.getValue().getSExtValue();
    if (d >= 0 && d < type.getRank())
      return;
    op->emitOpError() << "dim " << d << " is out of range for rank-"
                      << type.getRank() << " results";
    failedAny = true;
  });
  return failure(failedAny);
}

//===- FoldConstantTransposes.cpp - transposes of constants, folded -------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream folds a transpose of a constant (linalg's FoldConstantTranspose,
// run by linalg-fuse-elementwise-ops) through one APFloat / APInt per
// element; weights are tens of millions of elements, so this moves their
// bytes instead.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/Common/ConstantTranspose.h"
#include "dyn/Codegen/Common/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNFOLDCONSTANTTRANSPOSES
#include "dyn/Codegen/Common/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

DenseElementsAttr mlir::dyn::transposeConstant(DenseElementsAttr attr,
                                               ArrayRef<int64_t> permutation) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() ||
      permutation.size() != static_cast<size_t>(type.getRank()) ||
      !type.getElementType().isIntOrFloat())
    return {};
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return {};
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  for (int64_t d : permutation)
    shape.push_back(type.getDimSize(d));
  RankedTensorType resultType = type.clone(shape);
  if (attr.isSplat())
    return attr.reshape(resultType);

  // Walk the result in order with an odometer over its indices; `from`
  // follows in the source through the permuted strides.
  size_t bytes = bits / 8;
  SmallVector<int64_t> sourceStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    sourceStrides[d] = sourceStrides[d + 1] * type.getDimSize(d + 1);
  SmallVector<int64_t> strides;
  for (int64_t d : permutation)
    strides.push_back(sourceStrides[d]);
  ArrayRef<char> source = attr.getRawData();
  SmallVector<char> result(source.size());
  SmallVector<int64_t> index(rank, 0);
  int64_t from = 0;
  for (int64_t to = 0, e = type.getNumElements(); to < e; ++to) {
    std::memcpy(&result[to * bytes], &source[from * bytes], bytes);
    for (int64_t d = rank - 1; d >= 0; --d) {
      from += strides[d];
      if (++index[d] < shape[d])
        break;
      from -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(resultType, result);
}

namespace {

struct FoldTransposeOfConstant : OpRewritePattern<linalg::TransposeOp> {
  FoldTransposeOfConstant(MLIRContext *ctx, llvm::Statistic &numFolded)
      : OpRewritePattern(ctx), numFolded(numFolded) {}

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr input;
    if (!op.hasPureTensorSemantics() ||
        !matchPattern(op.getInput(), m_Constant(&input)))
      return rewriter.notifyMatchFailure(op, "not a transpose of a constant");
    DenseElementsAttr folded =
        dyn::transposeConstant(input, op.getPermutation());
    if (!folded || folded.getType() != op->getResult(0).getType())
      return rewriter.notifyMatchFailure(op, "elements not whole bytes");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, folded);
    ++numFolded;
    return success();
  }

  llvm::Statistic &numFolded;
};

struct DynFoldConstantTransposesPass
    : public dyn::impl::DynFoldConstantTransposesBase<
          DynFoldConstantTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTransposeOfConstant>(&getContext(), numFolded);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

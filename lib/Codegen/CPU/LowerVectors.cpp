//===- LowerVectors.cpp - lower high-level vector ops for LLVM ------------===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A bundle of upstream vector lowering patterns with the strategies that suit
// CPUs (outer-product contractions, horizontal inner reductions); upstream has
// them only as separate transform-dialect ops or test passes.
//
//===----------------------------------------------------------------------===//

#include "dyn/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "dyn-lower-vectors"

namespace mlir {
namespace dyn {
#define GEN_PASS_DEF_DYNLOWERVECTORS
#include "dyn/Codegen/CPU/Passes.h.inc"
} // namespace dyn
} // namespace mlir

using namespace mlir;

namespace {

/// A reduction of a 1-D float vector of 2^k lanes as k steps of whole-vector
/// ops, each combining the two halves of what the last left, then the
/// accumulator. (Masked reductions, inside a vector.mask, are left alone.)
struct TreeReduction : public OpRewritePattern<vector::ReductionOp> {
  TreeReduction(MLIRContext *ctx, Pass::Statistic &count)
      : OpRewritePattern(ctx), count(count) {}

  LogicalResult matchAndRewrite(vector::ReductionOp op,
                                PatternRewriter &rewriter) const override {
    using vector::CombiningKind;
    VectorType type = op.getSourceVectorType();
    int64_t lanes = type.getRank() == 1 ? type.getNumElements() : 0;
    CombiningKind kind = op.getKind();
    bool floatKind =
        llvm::is_contained({CombiningKind::ADD, CombiningKind::MUL,
                            CombiningKind::MAXIMUMF, CombiningKind::MINIMUMF,
                            CombiningKind::MAXNUMF, CombiningKind::MINNUMF},
                           kind);
    if (lanes < 2 || !llvm::isPowerOf2_64(lanes) || type.isScalable() ||
        !isa<FloatType>(type.getElementType()) || !floatKind ||
        isa<vector::MaskOp>(op->getParentOp()))
      return failure();
    Location loc = op.getLoc();
    Value value = op.getVector();
    for (int64_t half = lanes / 2; half >= 1; half /= 2) {
      Value low = vector::ExtractStridedSliceOp::create(rewriter, loc, value,
                                                        {0}, {half}, {1});
      Value high = vector::ExtractStridedSliceOp::create(rewriter, loc, value,
                                                         {half}, {half}, {1});
      value = vector::makeArithReduction(rewriter, loc, kind, low, high,
                                         op.getFastmathAttr());
    }
    Value result = vector::ExtractOp::create(rewriter, loc, value, 0);
    if (Value acc = op.getAcc())
      result = vector::makeArithReduction(rewriter, loc, kind, result, acc,
                                          op.getFastmathAttr());
    rewriter.replaceOp(op, result);
    ++count;
    return success();
  }

  Pass::Statistic &count;
};

struct DynLowerVectorsPass
    : public dyn::impl::DynLowerVectorsBase<DynLowerVectorsPass> {
  using Base::Base;

  /// Math functions on vectors of f32 become upstream's polynomial
  /// approximations (FMAs and bit tricks on whole vectors). LLVM has no
  /// vector libm here: it scalarizes `llvm.exp` on a vector into one libm
  /// call per lane, which took a third of the zoo transformer's time at
  /// sequence length 128 (the softmax's exp and GELU's erf). Scalar math
  /// keeps libm's results.
  LogicalResult approximateVectorMath() {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (!isa<math::MathDialect>(op->getDialect()) || op->getNumResults() != 1)
        return;
      auto type = dyn_cast<VectorType>(op->getResult(0).getType());
      if (type && type.getElementType().isF32())
        ops.push_back(op);
    });
    if (ops.empty())
      return success();
    RewritePatternSet patterns(&getContext());
    // Those whose approximations hold over the whole f32 range to within a
    // few ulp. Not rsqrt (an x86vector AVX2 intrinsic; a vector square
    // root is one instruction anyway), sin and cos (a range reduction that
    // loses accuracy on large arguments), cbrt and the inverse trigonometric
    // functions (fewer refinement steps than libm).
    static constexpr StringLiteral kApproximated[] = {
        "math.exp",  "math.expm1", "math.tanh",  "math.erf",
        "math.erfc", "math.log",   "math.log1p", "math.log2"};
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return llvm::is_contained(kApproximated, name);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    return applyOpPatternsGreedily(ops, std::move(patterns), config);
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    if (approximateMath && failed(approximateVectorMath()))
      return signalPassFailure();
    RewritePatternSet patterns(ctx);
    vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorMaskOpLoweringPatterns(patterns);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    if (treeReductions)
      patterns.add<TreeReduction>(ctx, numTreeReductions);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

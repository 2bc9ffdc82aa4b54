//===- Passes.td - dyn conversion passes -------------------*- tablegen -*-===//
//
// Part of the dyn project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DYN_CONVERSION_PASSES_TD
#define DYN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def DynLowerToSCF : Pass<"dyn-lower-to-scf"> {
  let summary = "Lower dyn control flow in place to scf (no outlining)";
  let description = [{
    Rewrites `dyn.cond` into `scf.if`, `dyn.switch` into `scf.index_switch`
    and `dyn.while` into `scf.while`, keeping the regions in place (nothing
    is outlined). This is the plain upstream path: after it, a network runs
    through any stock MLIR bufferization and LLVM lowering pipeline, which is
    how the outlining compiler is cross-checked.

    * A `tensor<i1>` predicate or 0-d tensor index is read with
      `tensor.extract`; `i32`/`i64` indices become `index` with
      `arith.index_cast`.
    * Values whose types are cast-compatible but not equal to the expected
      type (a branch yielding `tensor<1x64xf32>` for a `tensor<?x64xf32>`
      result) are reconciled with `tensor.cast`.
    * `max_iterations` becomes an extra `index` loop counter that is part of
      the `scf.while` predicate.

    Example:

    ```mlir
    %r = dyn.cond %p : tensor<i1> -> tensor<?xf32> {
      dyn.yield %a : tensor<4xf32>
    } else {
      dyn.yield %b : tensor<?xf32>
    }
    ```

    becomes

    ```mlir
    %c = tensor.extract %p[] : tensor<i1>
    %r = scf.if %c -> (tensor<?xf32>) {
      %0 = tensor.cast %a : tensor<4xf32> to tensor<?xf32>
      scf.yield %0 : tensor<?xf32>
    } else {
      scf.yield %b : tensor<?xf32>
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let statistics = [
    Statistic<"numLowered", "num-lowered", "Number of dyn ops lowered">
  ];
}

def DynBuildDispatcher : Pass<"dyn-build-dispatcher", "::mlir::ModuleOp"> {
  let summary = "Turn dyn control flow around subnet calls into an scf host dispatcher";
  let description = [{
    Runs after `dyn-outline-regions`. In every non-subnet function, the dyn
    ops, whose regions now hold only calls to subnets, become `scf.if`,
    `scf.index_switch` and `scf.while` (as in `dyn-lower-to-scf`): the
    predicate or index is the only value that crosses from compute to
    control (a `tensor.extract` of the 0-d tensor a subnet returns). The
    function is marked `dyn.dispatcher`.

    A dyn region that still holds compute (anything but calls, constants,
    casts, scalar arithmetic, nested control flow and terminators) is an
    error: the dispatcher
    runs on the host and must not compute tensors itself.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // DYN_CONVERSION_PASSES_TD

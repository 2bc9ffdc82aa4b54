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

def DynRaiseControlFlow : Pass<"dyn-raise-control-flow"> {
  let summary = "Raise scf and tosa control flow over tensors into dyn";
  let description = [{
    The entry of programs written by other MLIR producers (torch-mlir's
    linalg-on-tensors output, hand-written linalg, TOSA): their
    data-dependent control flow becomes dyn ops, so that the whole dyn
    pipeline (outlining into subnets, shape functions, the host dispatcher,
    code generation) applies to it.

    | input | becomes |
    | --- | --- |
    | `scf.if` | `dyn.cond` (an else region yielding nothing is added when there is none) |
    | `scf.index_switch` | `dyn.switch` (same cases, default region first) |
    | `scf.while` | `dyn.while` (`scf.condition` -> `dyn.condition`) |
    | `scf.for` | `dyn.while` carrying the induction variable first: `before` compares it with the upper bound (signed, or unsigned under `unsignedCmp`), `after` is the body followed by the step; `max_iterations` is the trip count when it is constant |
    | `tosa.cond_if`, `tosa.while_loop` | first scf (upstream's TosaToSCF patterns, conditions reshaped to 0-d), then as above |

    An op is raised when it sits directly in a function body or in a region
    of a dyn op, and it or an op nested in it has a tensor operand or result;
    ops are raised from the outside in. What stays scf:

    * control flow that computes only on scalars and indices (an index loop,
      a select of a constant): ordinary compute of a subnet or of the
      dispatcher;
    * control flow over buffers (any `memref` value inside): dyn's regions
      hold tensor compute only;
    * control flow nested in another op's region (a `linalg.generic` body,
      an `scf.forall`): it is part of that op's compute.

    A predicate or index read out of a 0-d tensor (`tensor.extract %t[]`,
    possibly through `arith.index_cast`) is used as that tensor, the form in
    which dyn passes predicates computed by a subnet.

    `cf.assert` is left as it is: the pipelines turn it into a run-time
    check that makes the entry point return `DYN_ERROR_ASSERT` with the
    assertion's message (`dyn-lower-assertions`, `dyn-exit-on-error`).

    Example:

    ```mlir
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%h = %x) -> (tensor<?x8xf32>) {
      %y = tosa.tanh %h : (tensor<?x8xf32>) -> tensor<?x8xf32>
      scf.yield %y : tensor<?x8xf32>
    }
    ```

    becomes

    ```mlir
    %w:2 = dyn.while (%i = %c0, %h = %x) : (index, tensor<?x8xf32>) -> (index, tensor<?x8xf32>) {
      %go = arith.cmpi slt, %i, %n : index
      dyn.condition(%go : i1) %i, %h : index, tensor<?x8xf32>
    } do {
    ^bb0(%i: index, %h: tensor<?x8xf32>):
      %y = tosa.tanh %h : (tensor<?x8xf32>) -> tensor<?x8xf32>
      %next = arith.addi %i, %c1 : index
      dyn.yield %next, %y : index, tensor<?x8xf32>
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::dyn::DynDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let statistics = [
    Statistic<"numConds", "num-conds", "Number of dyn.cond created">,
    Statistic<"numSwitches", "num-switches", "Number of dyn.switch created">,
    Statistic<"numWhiles", "num-whiles",
              "Number of dyn.while created from scf.while / tosa.while_loop">,
    Statistic<"numFors", "num-fors", "Number of dyn.while created from scf.for">
  ];
}

#endif // DYN_CONVERSION_PASSES_TD
